/**
 * ShardedQueue beyond the shared queue contract (memory.test.ts and localstack.test.ts run that): even
 * spreading over the shards, receipt handles routed to their shard, rotation, one shard = the plain
 * queue; and the wiring that builds it from the stack's outputs and the handlers' environment.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { trialsQueueFromEnv } from '../../adapters/aws/deps.ts';
import { MissingEnvironmentError, readEnv } from '../../adapters/aws/env.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { InvalidShardHandleError, ShardedQueue } from '../../adapters/queue/sharded.ts';
import { SqsQueue } from '../../adapters/queue/sqs.ts';
import { ENV, STACK_OUTPUTS } from '../../core/service-spec.ts';

function sharded(n: number, visibilityTimeoutSeconds = 30) {
  const dlq = new InProcessQueue('t-dlq', { visibilityTimeoutSeconds });
  const inner = Array.from(
    { length: n },
    (_, i) => new InProcessQueue(`t-${i}`, { visibilityTimeoutSeconds, maxReceiveCount: 3, dlq }),
  );
  return { queue: new ShardedQueue(inner), inner, dlq };
}

const visible = async (qs: InProcessQueue[]) => Promise.all(qs.map(async (q) => (await q.depth()).visible));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('ShardedQueue: send', () => {
  it('spreads one batch round-robin, and the next batch continues where the last one stopped', async () => {
    const { queue, inner } = sharded(4);
    await queue.send(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(await visible(inner)).toEqual([3, 3, 2, 2]);
    await queue.send(['a', 'b', 'c']);
    expect(await visible(inner)).toEqual([4, 3, 3, 3]);
    // shard 0 got m0, m4, m8 then c: round-robin per message
    const bodies = (await inner[0]!.receive({ max: 10, waitSeconds: 0 })).map((m) => m.body).sort();
    expect(bodies).toEqual(['c', 'm0', 'm4', 'm8']);
  });

  it('single-message sends (continuations, refills) also spread evenly', async () => {
    const { queue, inner } = sharded(3);
    for (let i = 0; i < 7; i++) await queue.send([`c${i}`]);
    expect(await visible(inner)).toEqual([3, 2, 2]);
  });

  it('a large send arrives whole, each shard with its even share', async () => {
    const { queue, inner } = sharded(4);
    const bodies = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i }));
    await queue.send(bodies);
    expect(await visible(inner)).toEqual([250, 250, 250, 250]);
    expect(await queue.depth()).toEqual({ visible: 1000, inFlight: 0 });
  });

  it('a shard that rejects its share fails the send, naming the shard', async () => {
    const { queue } = sharded(4);
    // InProcessQueue rejects an empty body; the 3rd message goes to shard 2.
    await expect(queue.send(['a', 'b', '', 'd'])).rejects.toThrow(/shard 2: .*empty message body/);
  });
});

describe('ShardedQueue: receive and receipt handles', () => {
  it('receipt handles name their shard: delete and changeVisibility reach that shard only', async () => {
    const { queue, inner } = sharded(3);
    await queue.send(['a', 'b', 'c']);
    const got: Awaited<ReturnType<typeof queue.receive>> = [];
    while (got.length < 3) got.push(...(await queue.receive({ max: 10, waitSeconds: 0 })));
    const byBody = new Map(got.map((m) => [m.body, m]));
    expect(byBody.get('a')!.receiptHandle).toMatch(/^0:/);
    expect(byBody.get('b')!.receiptHandle).toMatch(/^1:/);
    expect(byBody.get('c')!.receiptHandle).toMatch(/^2:/);

    await queue.delete(byBody.get('b')!.receiptHandle);
    expect((await Promise.all(inner.map((q) => q.depth()))).map((d) => d.inFlight)).toEqual([1, 0, 1]);

    await queue.changeVisibility(byBody.get('c')!.receiptHandle, 0);
    expect(await visible(inner)).toEqual([0, 0, 1]);
    const [again] = await queue.receive({ max: 1, waitSeconds: 0 });
    expect(again?.body).toBe('c');
    expect(again?.receiveCount).toBe(2);
    expect(again?.receiptHandle).toMatch(/^2:/);
  });

  it('rejects a receipt handle that names no shard of this queue', async () => {
    const { queue } = sharded(3);
    await expect(queue.delete('7:abc')).rejects.toThrow(InvalidShardHandleError);
    await expect(queue.delete('no-shard-prefix')).rejects.toThrow(InvalidShardHandleError);
    await expect(queue.changeVisibility('x:abc', 0)).rejects.toThrow(InvalidShardHandleError);
  });

  it('successive receives start at a rotating shard, so no shard is starved', async () => {
    const { queue } = sharded(4);
    await queue.send(['s0', 's1', 's2', 's3', 's0b', 's1b', 's2b', 's3b']);
    const firsts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [m] = await queue.receive({ max: 1, waitSeconds: 0 });
      firsts.push(m!.receiptHandle.split(':')[0]!);
    }
    expect(firsts).toEqual(['0', '1', '2', '3']);
  });

  it('collects up to max from several shards in one receive', async () => {
    const { queue } = sharded(4);
    await queue.send(['a', 'b', 'c', 'd', 'e']);
    const got = await queue.receive({ max: 10, waitSeconds: 0 });
    expect(got.map((m) => m.body).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const three = sharded(4);
    await three.queue.send(['a', 'b', 'c', 'd', 'e']);
    expect(await three.queue.receive({ max: 3, waitSeconds: 0 })).toHaveLength(3);
  });

  it('a message arriving on a shard other than the long-polled one is picked up within the wait', async () => {
    const { queue, inner } = sharded(4);
    const pending = queue.receive({ max: 1, waitSeconds: 6 }); // long-polls shard 0 first
    await sleep(200);
    await inner[3]!.send(['late-on-3']);
    const got = await pending;
    expect(got.map((m) => m.body)).toEqual(['late-on-3']);
    expect(got[0]!.receiptHandle).toMatch(/^3:/);
  });

  it('all shards redrive to the shared DLQ', async () => {
    const { queue, dlq } = sharded(2, 1);
    await queue.send(['p0', 'p1']);
    for (let i = 0; i < 3; i++) {
      const got: string[] = [];
      while (got.length < 2)
        got.push(...(await queue.receive({ max: 10, waitSeconds: 2 })).map((m) => m.body));
      await sleep(1_100);
    }
    expect(await queue.receive({ max: 10, waitSeconds: 1 })).toEqual([]);
    const dead = await dlq.receive({ max: 10, waitSeconds: 1 });
    expect(dead.map((m) => m.body).sort()).toEqual(['p0', 'p1']);
  });
});

describe('ShardedQueue of one shard', () => {
  it('is the plain queue: same name, same handles, same order', async () => {
    const inner = new InProcessQueue('plain', { visibilityTimeoutSeconds: 30 });
    const queue = new ShardedQueue([inner]);
    expect(queue.name).toBe('plain');
    await queue.send(['x', 'y']);
    expect(await inner.depth()).toEqual({ visible: 2, inFlight: 0 });
    const [m] = await queue.receive({ max: 1, waitSeconds: 0 });
    expect(m!.body).toBe('x');
    // the handle is the inner queue's own: the plain queue accepts it
    await inner.delete(m!.receiptHandle);
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0 });
    const [n] = await inner.receive({ max: 1, waitSeconds: 0 });
    await queue.delete(n!.receiptHandle);
    expect(await inner.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('needs at least one shard', () => {
    expect(() => new ShardedQueue([])).toThrow(RangeError);
  });
});

describe('sharded trials queue wiring', () => {
  const base = {
    [ENV.bucket]: 'b',
    [ENV.resultsQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/1/Stack-ResultsQueue-r',
    AWS_REGION: 'eu-west-1',
  };
  const sqs = new SQSClient({ region: 'eu-west-1' });

  it('the handlers build a ShardedQueue when TRIALS_QUEUE_URLS lists several shards', () => {
    const urls = ['a', 'b', 'c'].map((x) => `https://sqs.eu-west-1.amazonaws.com/1/Stack-TrialsQueue-${x}`);
    const settings = readEnv({ ...base, [ENV.trialsQueueUrls]: urls.join(',') });
    expect(settings.trialsQueueUrls).toEqual(urls);
    const q = trialsQueueFromEnv(settings, sqs);
    expect(q).toBeInstanceOf(ShardedQueue);
    const shards = (q as ShardedQueue).shards as SqsQueue[];
    expect(shards.map((s) => s.url)).toEqual(urls);
    expect(shards.map((s) => s.name)).toEqual([
      'Stack-TrialsQueue-a',
      'Stack-TrialsQueue-b',
      'Stack-TrialsQueue-c',
    ]);
  });

  it('a one-shard stack passes one URL: the plain SqsQueue', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/1/Stack-TrialsQueue-a';
    const one = trialsQueueFromEnv(readEnv({ ...base, [ENV.trialsQueueUrls]: url }), sqs);
    expect(one).toBeInstanceOf(SqsQueue);
    expect((one as SqsQueue).url).toBe(url);
  });

  it('an environment without TRIALS_QUEUE_URLS (the single TRIALS_QUEUE_URL of before the shards) is refused, naming the variable', () => {
    const old = { ...base, TRIALS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/Stack-TrialsQueue-a' };
    expect(() => readEnv(old)).toThrow(MissingEnvironmentError);
    expect(() => readEnv(old)).toThrow(/TRIALS_QUEUE_URLS/);
    expect(() => readEnv({ ...base, [ENV.trialsQueueUrls]: ' , ' })).toThrow(/at least one queue URL/);
  });

  it('the stack outputs the shards under TrialsQueueUrls only (the CLI reads nothing else)', () => {
    expect(STACK_OUTPUTS.trialsQueueUrls).toBe('TrialsQueueUrls');
    expect(Object.values(STACK_OUTPUTS)).not.toContain('TrialsQueueUrl');
  });
});
