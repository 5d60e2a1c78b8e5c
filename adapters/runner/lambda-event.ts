/**
 * What Lambda's SQS event source mapping hands a function, built locally: real `SQSEvent`s from received
 * messages and a `Context` whose `getRemainingTimeInMillis` counts down from the function timeout.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '../../core/ports.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSource {
  /** Queue name (the ARN's last part). */
  name: string;
  region?: string;
  account?: string;
}

export function queueArn(s: EventSource): string {
  return `arn:aws:sqs:${s.region ?? LOCAL_REGION}:${s.account ?? LOCAL_ACCOUNT}:${s.name}`;
}

export function sqsEvent(
  messages: readonly ReceivedMessage[],
  source: EventSource,
  now = Date.now(),
): SQSEvent {
  const arn = queueArn(source);
  const Records: SQSRecord[] = messages.map((m) => ({
    messageId: m.id,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentTimestamp),
      SenderId: source.account ?? LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(now),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(m.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: source.region ?? LOCAL_REGION,
  }));
  return { Records };
}

export interface FunctionSpec {
  functionName: string;
  timeoutSeconds: number;
  memoryMb: number;
  region?: string;
}

export function lambdaContext(
  fn: FunctionSpec,
  requestId: string = randomUUID(),
  start = Date.now(),
): Context {
  const region = fn.region ?? LOCAL_REGION;
  const deadline = start + fn.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('callback-style completion is not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Which records of an event succeeded, per the handler's response (ReportBatchItemFailures). */
export function splitOutcome(
  event: SQSEvent,
  response: SQSBatchResponse | undefined,
): { succeeded: SQSRecord[]; failed: SQSRecord[] } {
  const failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  // An itemIdentifier that matches no record makes Lambda treat the whole batch as failed.
  const known = new Set(event.Records.map((r) => r.messageId));
  if ([...failedIds].some((id) => !known.has(id))) return { succeeded: [], failed: [...event.Records] };
  return {
    succeeded: event.Records.filter((r) => !failedIds.has(r.messageId)),
    failed: event.Records.filter((r) => failedIds.has(r.messageId)),
  };
}
