/**
 * What Lambda's SQS event source mapping hands a function, built locally: real `SQSEvent`s from received
 * messages and a `Context` whose `getRemainingTimeInMillis` counts down from the function timeout.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '../../core/ports.ts';
import { type ContextFields, contextFromFields } from './lambda-context.mjs';

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

/** The Context fields of one invocation of `fn` starting at `start` (serialisable: they cross to threads and processes). */
export function contextFields(
  fn: FunctionSpec,
  requestId: string = randomUUID(),
  start = Date.now(),
): ContextFields {
  const region = fn.region ?? LOCAL_REGION;
  return {
    functionName: fn.functionName,
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `local/${process.pid}`,
    deadlineMs: start + fn.timeoutSeconds * 1000,
  };
}

/** A Context for one invocation of `fn` in this process (its remaining time counts down from the timeout). */
export function lambdaContext(
  fn: FunctionSpec,
  requestId: string = randomUUID(),
  start = Date.now(),
): Context {
  return contextFromFields(contextFields(fn, requestId, start));
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
