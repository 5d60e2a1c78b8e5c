import type { Context } from 'aws-lambda';

/** The serialisable part of a Lambda Context (it crosses thread and process boundaries as is). */
export interface ContextFields {
  functionName: string;
  invokedFunctionArn: string;
  /** As Lambda gives it: a decimal string. */
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch ms at which the invocation times out. */
  deadlineMs: number;
}

export function contextFromFields(f: ContextFields): Context;
