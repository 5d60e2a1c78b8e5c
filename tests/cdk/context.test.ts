import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, InvalidContextError, settingsFromContext } from '../../cdk/context.ts';
import { SweepStack } from '../../cdk/sweep-stack.ts';
import { DEFAULT_STACK_NAME } from '../../core/service-spec.ts';
import { cdkJson } from './helpers.ts';

const from = (ctx: Record<string, unknown>) => settingsFromContext((k) => ctx[k]);

describe('stack settings from CDK context', () => {
  it('cdk.json documents every key with its default', () => {
    for (const k of CONTEXT_KEYS) expect(cdkJson.context, k).toHaveProperty(k);
    expect(from(cdkJson.context)).toEqual({
      stackName: DEFAULT_STACK_NAME,
      workerMemoryMb: 1769,
      workerMaxConcurrency: 50,
      trialQueueShards: 4,
      workerMaxPollers: 200,
      workerTimeoutSeconds: 900,
      logRetentionDays: 30,
      checkpointExpiryDays: 7,
      accessLogExpiryDays: 90,
      bucketVersioning: false,
      tracing: false,
      retainData: true,
    });
  });

  it('accepts -c strings and leaves absent keys to the defaults', () => {
    expect(from({ workerMemoryMb: '3008', tracing: 'true', retainData: 'false' })).toMatchObject({
      stackName: DEFAULT_STACK_NAME,
      workerMemoryMb: 3008,
      tracing: true,
      retainData: false,
      workerMaxConcurrency: undefined,
    });
    expect(from({ trialQueueShards: '3' }).trialQueueShards).toBe(3);
    expect(from({}).trialQueueShards).toBeUndefined(); // → serviceSpec's default
  });

  it.each([
    [{ workerMemoryMb: '64' }, /workerMemoryMb must be an integer in 128\.\.10240/],
    [{ workerMemoryMb: '1.5e3x' }, /workerMemoryMb/],
    [{ workerMaxConcurrency: 1 }, /workerMaxConcurrency must be an integer in 2\.\.1000/],
    [{ workerTimeoutSeconds: 901 }, /workerTimeoutSeconds/],
    [{ trialQueueShards: 0 }, /trialQueueShards must be an integer in 1\.\.10, got 0/],
    [{ trialQueueShards: '11' }, /trialQueueShards must be an integer in 1\.\.10/],
    [{ trialQueueShards: '2.5' }, /trialQueueShards/],
    [{ logRetentionDays: 31 }, /logRetentionDays must be one of 1, 3, 5, 7, 14, 30/],
    [{ tracing: 'yes' }, /tracing must be true or false/],
    [{ stackName: 'bad name' }, /stackName/],
  ])('rejects %j with a clear message', (ctx, message) => {
    expect(() => from(ctx)).toThrow(InvalidContextError);
    expect(() => from(ctx)).toThrow(message);
  });

  it('the stack builds without any of cdk.json feature flags (server access logs via bucket policy)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const t = Template.fromStack(new SweepStack(app, 'Bare'));
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 's3:*' }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
          }),
        ],
      },
    });
  });
});
