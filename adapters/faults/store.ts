/**
 * Fault injection for the BlobStore port (tests and chaos runs).
 *
 * `FaultyBlobStore` wraps a real store and "crashes" its process at a chosen store operation: after k
 * successful puts, the next put (optionally only puts whose key matches) either never reaches the store
 * (`when: 'before'`) or lands and then the crash hits before the caller learns it (`when: 'after'`).
 * A crash either throws `InjectedCrash` — and from then on every operation throws too, as a dead process
 * does nothing more — or SIGKILLs the current process (`mode: 'sigkill'`, for child processes).
 *
 * `ObservedBlobStore` calls an async hook before and after every operation; a hook that waits lets a
 * controller (e.g. a parent process that kills this one by pid) act at a precise point.
 */
import type { BlobStore, NOT_MODIFIED, PutOptions, StoredObject } from '../../core/ports.ts';

export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
}

export type StoreOp = 'get' | 'put' | 'list' | 'delete';

export interface CrashPlan {
  /** Number of (matching) puts that succeed before the crash; the crash hits the next one. */
  afterPuts: number;
  /** Only puts whose key matches count and crash (default: every put). */
  match?: (key: string) => boolean;
  /** `before`: the crashing put is not written; `after`: it is written, then the crash hits. */
  when?: 'before' | 'after';
  /** `throw` (default): InjectedCrash now and on every later call; `sigkill`: the process dies. */
  mode?: 'throw' | 'sigkill';
}

export class FaultyBlobStore implements BlobStore {
  /** Operations that reached the inner store. */
  readonly counts: Record<StoreOp, number> = { get: 0, put: 0, list: 0, delete: 0 };
  /** Keys written, in order (only the puts that reached the inner store). */
  readonly written: string[] = [];
  private matchingPuts = 0;
  private dead = false;

  constructor(
    readonly inner: BlobStore,
    readonly plan?: CrashPlan,
  ) {}

  get crashed(): boolean {
    return this.dead;
  }

  private crash(where: string): never {
    this.dead = true;
    if (this.plan?.mode === 'sigkill') process.kill(process.pid, 'SIGKILL');
    throw new InjectedCrash(`injected crash at ${where}`);
  }

  private alive(op: StoreOp, key: string): void {
    if (this.dead) throw new InjectedCrash(`process already crashed (${op} ${key})`);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.alive('get', key);
    this.counts.get++;
    return this.inner.get(key);
  }

  async getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined> {
    this.alive('get', key);
    this.counts.get++;
    return this.inner.getIfChanged(key, etag);
  }

  async list(prefix: string): Promise<string[]> {
    this.alive('list', prefix);
    this.counts.list++;
    return this.inner.list(prefix);
  }

  async delete(key: string): Promise<void> {
    this.alive('delete', key);
    this.counts.delete++;
    return this.inner.delete(key);
  }

  async put(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<{ etag: string }> {
    this.alive('put', key);
    const plan = this.plan;
    const matches = plan !== undefined && (plan.match?.(key) ?? true);
    const crashing = matches && this.matchingPuts >= plan.afterPuts;
    if (matches) this.matchingPuts++;
    if (crashing && (plan.when ?? 'before') === 'before')
      this.crash(`put #${this.matchingPuts} ${key} (not written)`);
    this.counts.put++;
    const out = await this.inner.put(key, body, opts);
    this.written.push(key);
    if (crashing) this.crash(`put #${this.matchingPuts} ${key} (written)`);
    return out;
  }
}

export interface StoreEvent {
  op: StoreOp;
  key: string;
  phase: 'before' | 'after';
}

export class ObservedBlobStore implements BlobStore {
  constructor(
    readonly inner: BlobStore,
    readonly hook: (e: StoreEvent) => void | Promise<void>,
  ) {}

  private async around<T>(op: StoreOp, key: string, run: () => Promise<T>): Promise<T> {
    await this.hook({ op, key, phase: 'before' });
    const out = await run();
    await this.hook({ op, key, phase: 'after' });
    return out;
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.around('get', key, () => this.inner.get(key));
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined> {
    return this.around('get', key, () => this.inner.getIfChanged(key, etag));
  }

  put(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<{ etag: string }> {
    return this.around('put', key, () => this.inner.put(key, body, opts));
  }

  list(prefix: string): Promise<string[]> {
    return this.around('list', prefix, () => this.inner.list(prefix));
  }

  delete(key: string): Promise<void> {
    return this.around('delete', key, () => this.inner.delete(key));
  }
}
