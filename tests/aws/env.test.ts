/** adapters/aws/: a handler's settings from the environment, SDK clients, Powertools adapters. No network. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../adapters/aws/clients.ts';
import { depsFromEnv } from '../../adapters/aws/deps.ts';
import { MissingEnvironmentError, readEnv } from '../../adapters/aws/env.ts';
import { METRICS_NAMESPACE, metricsSink, powertoolsLog } from '../../adapters/aws/powertools.ts';
import { queueNameFromUrl, SqsQueue } from '../../adapters/queue/sqs.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { ENV } from '../../core/service-spec.ts';

const env = {
  [ENV.bucket]: 'sweep-bucket',
  [ENV.trialsQueueUrls]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/MlpSweepStack-TrialsQueue-abc',
  [ENV.resultsQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/MlpSweepStack-ResultsQueue-def',
  [ENV.workerMemoryMb]: '3008',
  [ENV.arch]: 'arm64',
  AWS_REGION: 'eu-west-1',
};

describe('readEnv', () => {
  it('reads the variables the stack sets (names from core/service-spec.ts ENV)', () => {
    expect(readEnv(env)).toEqual({
      bucket: 'sweep-bucket',
      trialsQueueUrls: [env[ENV.trialsQueueUrls]],
      resultsQueueUrl: env[ENV.resultsQueueUrl],
      region: 'eu-west-1',
      endpoint: undefined,
      memoryMb: 3008,
      arch: 'arm64',
    });
  });

  it('names every missing variable', () => {
    const err = (() => {
      try {
        readEnv({ [ENV.trialsQueueUrls]: 'x' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingEnvironmentError);
    expect((err as MissingEnvironmentError).missing).toEqual([ENV.bucket, ENV.resultsQueueUrl]);
  });

  it('rejects an unknown architecture', () => {
    expect(() => readEnv({ ...env, [ENV.arch]: 'riscv' })).toThrow(/arm64 or x86_64/);
  });
});

describe('clients', () => {
  it('AWS_ENDPOINT_URL (LocalStack) switches S3 to path-style and points both clients at it', async () => {
    const c = createClients(readEnv({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }));
    expect(c.s3.config.forcePathStyle).toBe(true);
    const s3 = await c.s3.config.endpoint?.();
    const sqs = await c.sqs.config.endpoint?.();
    expect(`${s3?.protocol}//${s3?.hostname}:${s3?.port}`).toBe('http://127.0.0.1:4566');
    expect(`${sqs?.protocol}//${sqs?.hostname}:${sqs?.port}`).toBe('http://127.0.0.1:4566');
    expect(await c.s3.config.region()).toBe('eu-west-1');
  });

  it('without an endpoint S3 keeps virtual-hosted addressing and the regional endpoint', async () => {
    const c = createClients(readEnv(env));
    expect(c.s3.config.forcePathStyle).toBeFalsy();
    expect(c.s3.config.endpoint).toBeUndefined();
    expect(await c.sqs.config.region()).toBe('eu-west-1');
  });

  it('the queue name is the last segment of its URL', () => {
    expect(queueNameFromUrl(env[ENV.trialsQueueUrls])).toBe('MlpSweepStack-TrialsQueue-abc');
    expect(queueNameFromUrl('http://127.0.0.1:4566/000000000000/trials/')).toBe('trials');
  });
});

describe('deps from the environment', () => {
  it('wires S3, SQS, the data set loader and the settings into AppDeps', () => {
    const settings = readEnv(env);
    const log = powertoolsLog(new Logger({ serviceName: 't' }));
    const deps = depsFromEnv(settings, createClients(settings), { log, workerId: 'w-1' });
    expect(deps.store).toBeInstanceOf(S3BlobStore);
    expect((deps.store as S3BlobStore).bucket).toBe('sweep-bucket');
    expect(deps.trials).toBeInstanceOf(SqsQueue);
    expect(deps.trials.name).toBe('MlpSweepStack-TrialsQueue-abc');
    expect(deps.results.name).toBe('MlpSweepStack-ResultsQueue-def');
    expect(typeof deps.datasets.load).toBe('function');
    expect(deps).toMatchObject({ workerId: 'w-1', memoryMb: 3008, arch: 'arm64', log });
  });
});

describe('Powertools adapters', () => {
  it("core's metrics land in the MlpSweep namespace with their CloudWatch units", () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'mlp-sweep-worker' });
    const sink = metricsSink(metrics);
    sink.record('TrialDuration', 12.5, 'Seconds');
    sink.record('SamplesPerSecond', 4000, 'Count/Second');
    sink.record('TrialCost', 0.0002, 'None');
    const emf = metrics.serializeMetrics() as unknown as {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
      TrialDuration: number;
      TrialCost: number;
    };
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('MlpSweep');
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'TrialDuration', Unit: 'Seconds' },
        { Name: 'SamplesPerSecond', Unit: 'Count/Second' },
        { Name: 'TrialCost', Unit: 'None' },
      ]),
    );
    expect(emf.TrialDuration).toBe(12.5);
    expect(emf.TrialCost).toBe(0.0002);
  });
});
