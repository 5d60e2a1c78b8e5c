/** MessageQueue on SQS (or LocalStack's SQS). */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import { ShardedQueue } from './sharded.ts';

/** The queue name is the last path segment of its URL (`https://sqs.<region>.amazonaws.com/<acct>/<name>`). */
export function queueNameFromUrl(url: string): string {
  const name = url.replace(/\/+$/, '').split('/').pop();
  if (!name) throw new Error(`not a queue URL: ${url}`);
  return name;
}

/** The SQS queue at `url`, named after it. */
export const sqsQueueAt = (client: SQSClient, url: string): SqsQueue =>
  new SqsQueue(client, url, queueNameFromUrl(url));

/** One queue over the shard URLs (shard 0 first): the plain SqsQueue for one, a ShardedQueue for more. */
export const shardedSqsQueue = (client: SQSClient, urls: readonly string[]): SqsQueue | ShardedQueue =>
  urls.length === 1 ? sqsQueueAt(client, urls[0]!) : new ShardedQueue(urls.map((u) => sqsQueueAt(client, u)));

export class SqsQueue implements MessageQueue {
  constructor(
    readonly client: SQSClient,
    readonly url: string,
    readonly name: string,
  ) {}

  async send(bodies: readonly string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      const chunk = bodies.slice(i, i + 10);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.url,
          Entries: chunk.map((body, j) => ({ Id: String(i + j), MessageBody: body })),
        }),
      );
      const failed = out.Failed ?? [];
      if (failed.length > 0) {
        const f = failed[0]!;
        throw new Error(
          `${this.name}: ${failed.length} of ${chunk.length} messages failed to send (entry ${f.Id}: ${f.Code} ${f.Message ?? ''})`,
        );
      }
      if ((out.Successful ?? []).length !== chunk.length) {
        throw new Error(
          `${this.name}: SendMessageBatch acknowledged ${(out.Successful ?? []).length}/${chunk.length}`,
        );
      }
    }
  }

  async receive(opts: {
    max: number;
    waitSeconds: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<ReceivedMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.url,
        MaxNumberOfMessages: opts.max,
        WaitTimeSeconds: opts.waitSeconds,
        VisibilityTimeout: opts.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return (out.Messages ?? []).map((m) => {
      if (!m.MessageId || !m.ReceiptHandle || m.Body === undefined)
        throw new Error(`${this.name}: malformed message`);
      const attrs = m.Attributes ?? {};
      return {
        id: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        receiveCount: Number(attrs.ApproximateReceiveCount ?? '1'),
        sentTimestamp: Number(attrs.SentTimestamp ?? '0'),
      };
    });
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle }));
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async depth(): Promise<{ visible: number; inFlight: number }> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const a = out.Attributes ?? {};
    return {
      visible: Number(a.ApproximateNumberOfMessages ?? '0'),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? '0'),
    };
  }
}
