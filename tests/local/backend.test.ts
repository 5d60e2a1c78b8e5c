/** openBackend and the LocalStack bootstrap: resources from serviceSpec(), idempotent, handler env. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, openBackend } from '../../adapters/backend.ts';
import { bootstrapLocalstack, deleteBucket, deleteQueues } from '../../adapters/localstack/bootstrap.ts';
import { type LocalstackClients, localstackClients } from '../../adapters/localstack/clients.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import {
  ENV,
  MAX_RECEIVE_COUNT,
  QUEUE_ROLES,
  serviceSpec,
  VISIBILITY_FACTOR,
} from '../../core/service-spec.ts';

let clients: LocalstackClients;
const prefix = `bk-${randomBytes(4).toString('hex')}`;
const dirs: string[] = [];
const toDelete: { bucket?: string; urls: string[] } = { urls: [] };

beforeAll(async () => {
  const { ensureLocalstack } = await import('../setup/localstack-env.ts');
  clients = localstackClients(await ensureLocalstack());
}, 15 * 60_000);

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  if (toDelete.bucket) await deleteBucket(clients, toDelete.bucket).catch(() => undefined);
  await deleteQueues(clients, toDelete.urls);
});

async function attrs(url: string) {
  const out = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return out.Attributes ?? {};
}

describe('openBackend', () => {
  it('local: a files store under the given directory, no queues', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backend-local-'));
    dirs.push(dir);
    const b = await openBackend('local', { storeDir: dir });
    expect(b.kind).toBe('local');
    expect(b.store).toBeInstanceOf(FsBlobStore);
    expect(b.queues).toBeUndefined();
    await b.store.put('x/y.json', '{}');
    expect(await new FsBlobStore(dir).list('x/')).toEqual(['x/y.json']);
  });

  it('localstack: an unreachable endpoint is a BackendUnavailableError with a hint', async () => {
    await expect(openBackend('localstack', { endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(
      BackendUnavailableError,
    );
    await expect(openBackend('localstack', { endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(
      /localstack:start/,
    );
  });

  it('localstack: bucket + 3 queues with DLQs and redrive from serviceSpec, idempotent, and the handler env', async () => {
    const b = await openBackend('localstack', {
      endpoint: clients.endpoint,
      prefix,
      workerTimeoutSeconds: 20,
    });
    const env = b.env!;
    toDelete.bucket = env[ENV.bucket];
    const shards = env[ENV.trialsQueueUrls]!.split(',');
    const urls = [env[ENV.submissionsQueueUrl]!, shards[0]!, env[ENV.resultsQueueUrl]!];
    toDelete.urls.push(...urls, ...urls.map((u) => `${u}-dlq`), ...shards);
    expect(env[ENV.bucket]).toBe(`${prefix}-bucket`);
    expect(env.AWS_ENDPOINT_URL).toBe(clients.endpoint);
    expect(b.trialsDlq?.name).toMatch(/-trials-dlq$/);
    expect(
      Object.keys(env)
        .filter((k) => !k.startsWith('AWS_'))
        .sort(),
    ).toEqual([ENV.bucket, ENV.resultsQueueUrl, ENV.submissionsQueueUrl, ENV.trialsQueueUrls].sort());

    const trials = await attrs(shards[0]!);
    expect(Number(trials.VisibilityTimeout)).toBe(VISIBILITY_FACTOR * 20);
    const redrive = JSON.parse(trials.RedrivePolicy!);
    expect(redrive.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${prefix}-trials-dlq$`));
    // the trials queue's shards (the stack's default 4): shard 0 is the trials queue, all share its DLQ
    expect(shards).toHaveLength(serviceSpec().worker.queueShards);
    expect(shards[0]!.split('/').pop()).toBe(`${prefix}-trials`);
    expect(shards.slice(1).map((u) => u.split('/').pop())).toEqual(
      serviceSpec()
        .queues.trials.shardSuffixes.slice(1)
        .map((x) => `${prefix}-${x}`),
    );
    for (const u of shards) {
      const a = await attrs(u);
      expect(Number(a.VisibilityTimeout)).toBe(VISIBILITY_FACTOR * 20);
      expect(JSON.parse(a.RedrivePolicy!).deadLetterTargetArn).toBe(redrive.deadLetterTargetArn);
    }

    // Again, with another worker timeout: same resources, updated visibility.
    const again = await bootstrapLocalstack(clients, { prefix, workerTimeoutSeconds: 40 });
    for (const role of QUEUE_ROLES) expect(urls).toContain(again.queueUrls[role]);
    expect(Number((await attrs(again.queueUrls.trials)).VisibilityTimeout)).toBe(VISIBILITY_FACTOR * 40);

    // The store and queues work.
    await b.store.put('hello.txt', 'hi');
    expect(new TextDecoder().decode((await b.store.get('hello.txt'))!.body)).toBe('hi');
    await b.queues!.submissions.send(['{"x":1}']);
    expect(await b.queues!.submissions.depth()).toEqual({ visible: 1, inFlight: 0 });
    // the trials queue spreads over the shards
    await b.queues!.trials.send(shards.map((_, i) => `{"t":${i}}`));
    expect(await b.queues!.trials.depth()).toEqual({ visible: shards.length, inFlight: 0 });
    for (const u of shards) expect(Number((await attrs(u)).ApproximateNumberOfMessages)).toBe(1);
  });
});
