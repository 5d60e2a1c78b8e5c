/**
 * One MessageQueue over N shard queues (the sharded trials queue: one SQS queue per worker event source
 * mapping, see cdk/sweep-stack.ts), with the semantics of a single queue:
 *
 * - `send` spreads the bodies evenly: round-robin per message, the cursor continuing across calls, so any
 *   sequence of sends leaves the shards' counts within one of each other; each shard sends its share in
 *   batches of at most 10 (the shard's own `send`).
 * - `receive` starts at a rotating shard. It short-polls every shard (collecting up to `max`); when all
 *   are empty it long-polls one shard for a slice of the wait (⌈wait / N⌉ s) and short-polls them all
 *   again, moving the long poll to the next shard each slice. So a message on any shard is picked up within
 *   the wait (at most one slice after it arrives), and the total wait stays `waitSeconds`.
 * - A receipt handle is `<shard>:<handle of the shard>`, so `delete`/`changeVisibility` reach the shard
 *   the message came from.
 * - `depth` sums the shards.
 *
 * With one shard it is that queue: calls pass through unchanged (same handles, same name).
 */
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';

export class InvalidShardHandleError extends Error {
  override readonly name = 'InvalidShardHandleError';
}

export class ShardedQueue implements MessageQueue {
  readonly name: string;
  private sendCursor = 0;
  private receiveOffset = 0;

  /** `name` defaults to shard 0's (the unsharded queue's name). */
  constructor(
    readonly shards: readonly MessageQueue[],
    name?: string,
  ) {
    if (shards.length === 0) throw new RangeError('ShardedQueue needs at least one shard');
    this.name = name ?? shards[0]!.name;
  }

  /** Which shard each of the next `count` messages goes to (advances the cursor). */
  private assign(count: number): number[] {
    const n = this.shards.length;
    const out = Array.from({ length: count }, (_, i) => (this.sendCursor + i) % n);
    this.sendCursor = (this.sendCursor + count) % n;
    return out;
  }

  async send(bodies: readonly string[]): Promise<void> {
    if (this.shards.length === 1) return this.shards[0]!.send(bodies);
    const per: string[][] = this.shards.map(() => []);
    const order = this.assign(bodies.length);
    for (const [i, b] of bodies.entries()) per[order[i]!]!.push(b);
    const settled = await Promise.allSettled(
      per.map((group, i) => (group.length > 0 ? this.shards[i]!.send(group) : Promise.resolve())),
    );
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ i, reason: s.reason }] : []));
    if (failed.length > 0) {
      const f = failed[0]!;
      const msg = f.reason instanceof Error ? f.reason.message : String(f.reason);
      throw new Error(
        `${this.name}: sending to ${failed.length} of ${this.shards.length} shards failed (shard ${f.i}: ${msg})`,
        {
          cause: f.reason,
        },
      );
    }
  }

  async receive(opts: {
    max: number;
    waitSeconds: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<ReceivedMessage[]> {
    const n = this.shards.length;
    if (n === 1) return this.shards[0]!.receive(opts);
    if (!Number.isInteger(opts.max) || opts.max < 1 || opts.max > 10) {
      throw new RangeError(`${this.name}: max must be an integer in 1..10 (SQS MaxNumberOfMessages)`);
    }
    const offset = this.receiveOffset;
    this.receiveOffset = (offset + 1) % n;
    const vt =
      opts.visibilityTimeoutSeconds !== undefined
        ? { visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds }
        : {};
    const tag = (i: number, ms: ReceivedMessage[]) =>
      ms.map((m) => ({ ...m, receiptHandle: `${i}:${m.receiptHandle}` }));
    const shortPollAll = async (): Promise<ReceivedMessage[]> => {
      const out: ReceivedMessage[] = [];
      for (let k = 0; k < n && out.length < opts.max; k++) {
        const i = (offset + k) % n;
        out.push(
          ...tag(i, await this.shards[i]!.receive({ max: opts.max - out.length, waitSeconds: 0, ...vt })),
        );
      }
      return out;
    };
    const wait = Math.max(0, opts.waitSeconds);
    const slice = wait > 0 ? Math.max(1, Math.ceil(wait / n)) : 0;
    let left = wait;
    for (let s = 0; ; s++) {
      const got = await shortPollAll();
      if (got.length > 0 || left <= 0) return got;
      const i = (offset + s) % n;
      const w = Math.min(left, slice);
      left -= w;
      const long = await this.shards[i]!.receive({ max: opts.max, waitSeconds: w, ...vt });
      if (long.length > 0) return tag(i, long);
    }
  }

  /** The shard a handle of this queue belongs to, and the shard's own handle. */
  private route(receiptHandle: string): { shard: MessageQueue; handle: string } {
    if (this.shards.length === 1) return { shard: this.shards[0]!, handle: receiptHandle };
    const m = /^(\d+):([\s\S]+)$/.exec(receiptHandle);
    const shard = m ? this.shards[Number(m[1])] : undefined;
    if (!m || !shard) {
      throw new InvalidShardHandleError(`${this.name}: receipt handle does not name a shard of this queue`);
    }
    return { shard, handle: m[2]! };
  }

  async delete(receiptHandle: string): Promise<void> {
    const { shard, handle } = this.route(receiptHandle);
    await shard.delete(handle);
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const { shard, handle } = this.route(receiptHandle);
    await shard.changeVisibility(handle, seconds);
  }

  async depth(): Promise<{ visible: number; inFlight: number }> {
    const all = await Promise.all(this.shards.map((s) => s.depth()));
    return all.reduce((a, d) => ({ visible: a.visible + d.visible, inFlight: a.inFlight + d.inFlight }), {
      visible: 0,
      inFlight: 0,
    });
  }
}
