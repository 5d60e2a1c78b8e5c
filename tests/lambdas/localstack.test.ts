/**
 * The exported `handler`s as Lambda would load them — deps built from the environment (lambdas/runtime.ts:
 * SDK clients, S3BlobStore, SqsQueue, AWS_ENDPOINT_URL → path-style S3) — against S3 and SQS in
 * LocalStack (loopback), with resources created from the same spec as the stack (core/service-spec.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import {
  allQueueUrls,
  bootstrapLocalstack,
  deleteBucket,
  deleteQueues,
  type LocalstackResources,
} from '../../adapters/localstack/bootstrap.ts';
import {
  LOCALSTACK_CREDENTIALS,
  LOCALSTACK_REGION,
  localstackClients,
} from '../../adapters/localstack/clients.ts';
import { shardedSqsQueue } from '../../adapters/queue/sqs.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { keys } from '../../core/layout.ts';
import type { TrialResult } from '../../core/result.ts';
import { ENV } from '../../core/service-spec.ts';
import { TrialState } from '../../core/trial-state.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';
import { drain, lambdaContext, tinySweep } from './sqs-pump.ts';

let res: LocalstackResources;
let clients: ReturnType<typeof localstackClients>;
let store: S3BlobStore;
const queue = (role: 'submissions' | 'trials' | 'results') =>
  shardedSqsQueue(clients.sqs, res.shardUrls[role]);

beforeAll(async () => {
  const endpoint = await ensureLocalstack();
  clients = localstackClients(endpoint);
  res = await bootstrapLocalstack(clients, { prefix: `lambdas-${randomBytes(4).toString('hex')}` });
  store = new S3BlobStore(clients.s3, res.bucket);
  await prepareDataset(store, loadMnistMini(), []);
  Object.assign(process.env, {
    [ENV.bucket]: res.bucket,
    [ENV.submissionsQueueUrl]: res.queueUrls.submissions,
    [ENV.trialsQueueUrls]: res.shardUrls.trials.join(','),
    [ENV.resultsQueueUrl]: res.queueUrls.results,
    [ENV.workerMemoryMb]: '1769',
    [ENV.arch]: 'arm64',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCALSTACK_REGION,
    AWS_ACCESS_KEY_ID: LOCALSTACK_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCALSTACK_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}, 15 * 60_000);

afterAll(async () => {
  if (!res) return;
  await deleteBucket(clients, res.bucket);
  await deleteQueues(clients, allQueueUrls(res));
});

describe('handlers with deps from the environment (LocalStack)', () => {
  it('dispatcher → worker → aggregator run a sweep through S3 and SQS', async () => {
    const { handler: dispatcher } = await import('../../lambdas/dispatcher.ts');
    const { handler: worker } = await import('../../lambdas/worker.ts');
    const { handler: aggregator } = await import('../../lambdas/aggregator.ts');
    const submitted = await submitSweep(tinySweep('lambdas-localstack'), 'ls.json', {
      store,
      submissions: queue('submissions'),
      now: Date.now,
    });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.problems));
    const sweepId = submitted.value.sweep_id;

    const requests: string[] = [];
    const run = await drain([
      { name: 'dispatcher', queue: queue('submissions'), handler: dispatcher, batchSize: 1 },
      {
        name: 'worker',
        queue: queue('trials'),
        handler: worker,
        batchSize: 1,
        context: () => {
          const c = lambdaContext();
          requests.push(c.awsRequestId);
          return c;
        },
      },
      { name: 'aggregator', queue: queue('results'), handler: aggregator, batchSize: 10 },
    ]);
    expect(Object.values(run.failures).flat()).toEqual([]);
    expect(run.invocations.worker).toBe(2);

    const results = (await store.list(keys.trials(sweepId))).filter((k) => k.endsWith('/result.json'));
    expect(results).toHaveLength(2);
    for (const k of results) {
      const r = JSON.parse(new TextDecoder().decode((await store.get(k))!.body)) as TrialResult;
      expect(r.state).toBe(TrialState.Completed);
      expect(requests).toContain(r.worker); // the invocation's awsRequestId is the worker id
      expect(r.memory_mb).toBe(1769);
    }
    const lb = await store.get(keys.leaderboard(sweepId, 'json'));
    expect(JSON.parse(new TextDecoder().decode(lb!.body)).rows).toHaveLength(2);
  });
});
