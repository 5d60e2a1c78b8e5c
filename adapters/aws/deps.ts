/** AppDeps of a handler whose settings come from its environment (adapters/aws/env.ts): S3, SQS, the loader. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AppDeps, Log, MetricsSink } from '../../core/app/deps.ts';
import { createDatasetLoader } from '../data/loader.ts';
import type { ShardedQueue } from '../queue/sharded.ts';
import { type SqsQueue, shardedSqsQueue, sqsQueueAt } from '../queue/sqs.ts';
import { S3BlobStore } from '../store/s3.ts';
import type { AwsClients } from './clients.ts';
import type { RuntimeEnv } from './env.ts';

/** The trials queue of these settings: one queue over every shard. */
export function trialsQueueFromEnv(settings: RuntimeEnv, sqs: SQSClient): SqsQueue | ShardedQueue {
  return shardedSqsQueue(sqs, settings.trialsQueueUrls);
}

/** AppDeps from settings and clients. Clients are the caller's (created once per container). */
export function depsFromEnv(
  settings: RuntimeEnv,
  clients: AwsClients,
  opts: { log: Log; metrics?: MetricsSink; workerId?: string; now?: () => number; tmpDir?: string },
): AppDeps {
  const store = new S3BlobStore(clients.s3, settings.bucket);
  return {
    store,
    trials: trialsQueueFromEnv(settings, clients.sqs),
    results: sqsQueueAt(clients.sqs, settings.resultsQueueUrl),
    datasets: createDatasetLoader(store, { tmpDir: opts.tmpDir ?? '/tmp' }),
    log: opts.log,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    now: opts.now ?? Date.now,
    workerId: opts.workerId ?? process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? `pid-${process.pid}`,
    memoryMb: settings.memoryMb,
    arch: settings.arch,
  };
}
