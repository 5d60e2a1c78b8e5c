/**
 * BlobStore on a local directory: key `a/b/c` is the file `<root>/a/b/c`.
 *
 * - Writes are atomic: the body goes to a temp file under `<root>/.tmp/`, then `rename()` (or `link()`).
 * - ETag = quoted md5 hex of the content, as S3 returns for single-part uploads (recomputed on read, so it
 *   can never disagree with the bytes).
 * - `ifNoneMatch: '*'` is `link(temp, target)`: the kernel fails it with EEXIST if the key exists, atomic
 *   across processes and threads without any lock.
 * - `ifMatch`, unconditional puts and deletes take a per-key lock file (`<root>/.locks/<sha1(key)>`,
 *   created with `open(…, 'wx')`, retried with jittered backoff). A lock whose owner process is gone, or
 *   that is older than `staleLockMs`, is broken (renamed away, then removed).
 * - `list` walks only the directory the prefix pins down, skips the store's own `.tmp`/`.locks`
 *   directories, and returns keys sorted.
 *
 * Limitation (of file systems, not of S3): a key cannot also be the "directory" of another key
 * (`a` and `a/b` cannot both exist). Tags and content types are accepted and not stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import {
  type BlobStore,
  NOT_MODIFIED,
  PreconditionFailedError,
  type PutOptions,
  type StoredObject,
} from '../../core/ports.ts';
import { assertKey, etagOf, toBytes } from './etag.ts';

const RESERVED = new Set(['.tmp', '.locks']);

export interface FsBlobStoreOptions {
  /** A lock older than this is considered abandoned (its holder died between open and unlink). */
  staleLockMs?: number;
  /** Give up acquiring a live lock after this long. */
  lockTimeoutMs?: number;
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FsBlobStore implements BlobStore {
  readonly root: string;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly host = hostname();
  /** ETags of files read by getIfChanged, with the stat that identifies that version (see there). */
  private readonly versions = new Map<string, { ino: number; size: number; mtimeMs: number; etag: string }>();

  constructor(rootDir: string, opts: FsBlobStoreOptions = {}) {
    this.root = resolve(rootDir);
    this.staleLockMs = opts.staleLockMs ?? 30_000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 120_000;
  }

  private pathOf(key: string): string {
    assertKey(key);
    const first = key.split('/')[0]!;
    if (RESERVED.has(first)) throw new Error(`invalid key ${JSON.stringify(key)}: ${first}/ is reserved`);
    const p = join(this.root, ...key.split('/'));
    if (!p.startsWith(this.root + sep)) throw new Error(`invalid key ${JSON.stringify(key)}`);
    return p;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const p = this.pathOf(key);
    try {
      const buf = await fsp.readFile(p);
      const body = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      return { body, etag: etagOf(body) };
    } catch (e) {
      const c = errCode(e);
      if (c === 'ENOENT' || c === 'EISDIR' || c === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  /**
   * Every write replaces the file by a rename or link of a new one (a new inode), so an unchanged inode,
   * size and mtime mean unchanged bytes: that answers NOT_MODIFIED from one stat, without reading. The
   * stat is taken before the read, so a write between them shows as a change at the next call.
   */
  async getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined> {
    const p = this.pathOf(key);
    let st: import('node:fs').Stats;
    try {
      st = await fsp.stat(p);
    } catch (e) {
      const c = errCode(e);
      if (c === 'ENOENT' || c === 'ENOTDIR') return undefined;
      throw e;
    }
    const seen = this.versions.get(p);
    if (seen?.etag === etag && seen.ino === st.ino && seen.size === st.size && seen.mtimeMs === st.mtimeMs)
      return NOT_MODIFIED;
    const got = await this.get(key);
    if (!got) return undefined;
    this.versions.set(p, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, etag: got.etag });
    return got.etag === etag ? NOT_MODIFIED : got;
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    const target = this.pathOf(key);
    const bytes = toBytes(body);
    const etag = etagOf(bytes);
    const tmp = await this.writeTemp(bytes);
    try {
      await fsp.mkdir(dirname(target), { recursive: true });
      if (opts.ifNoneMatch === '*') {
        try {
          await fsp.link(tmp, target);
        } catch (e) {
          if (errCode(e) === 'EEXIST') throw new PreconditionFailedError(key);
          throw e;
        }
        return { etag };
      }
      await this.withLock(key, async () => {
        if (opts.ifMatch !== undefined) {
          const current = await this.get(key);
          if (!current || current.etag !== opts.ifMatch) throw new PreconditionFailedError(key);
        }
        await fsp.rename(tmp, target);
      });
      return { etag };
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async list(prefix: string): Promise<string[]> {
    // The directory the prefix pins down: everything before its last '/'.
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut >= 0 ? prefix.slice(0, cut) : '';
    const segs = dirKey === '' ? [] : dirKey.split('/');
    if (segs.some((s) => s === '' || s === '.' || s === '..')) return [];
    const out: string[] = [];
    const walk = async (dir: string, keyPrefix: string, top: boolean): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (e) {
        const c = errCode(e);
        if (c === 'ENOENT' || c === 'ENOTDIR') return;
        throw e;
      }
      for (const ent of entries) {
        if (top && RESERVED.has(ent.name)) continue;
        const key = keyPrefix + ent.name;
        if (ent.isDirectory()) {
          const sub = key + '/';
          // Descend only where keys can still match the prefix.
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, ent.name), sub, false);
        } else if (ent.isFile() && key.startsWith(prefix)) {
          out.push(key);
        }
      }
    };
    await walk(join(this.root, ...segs), segs.length ? segs.join('/') + '/' : '', segs.length === 0);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    const p = this.pathOf(key);
    await this.withLock(key, async () => {
      try {
        await fsp.unlink(p);
      } catch (e) {
        const c = errCode(e);
        if (c !== 'ENOENT' && c !== 'EISDIR' && c !== 'ENOTDIR' && c !== 'EPERM') throw e;
      }
    });
  }

  private async writeTemp(bytes: Uint8Array): Promise<string> {
    const dir = join(this.root, '.tmp');
    await fsp.mkdir(dir, { recursive: true });
    const tmp = join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    await fsp.writeFile(tmp, bytes, { flag: 'wx' });
    return tmp;
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const dir = join(this.root, '.locks');
    await fsp.mkdir(dir, { recursive: true });
    const lock = join(dir, createHash('sha1').update(key).digest('hex'));
    const token = `${this.host} ${process.pid} ${randomBytes(6).toString('hex')}`;
    const start = Date.now();
    let delay = 1;
    for (;;) {
      try {
        const fh = await fsp.open(lock, 'wx');
        try {
          await fh.writeFile(token);
        } finally {
          await fh.close();
        }
        break;
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw e;
      }
      if (await this.breakIfStale(lock)) continue;
      if (Date.now() - start > this.lockTimeoutMs)
        throw new Error(`timed out waiting for the lock of ${key}`);
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await fn();
    } finally {
      await this.release(lock, token);
    }
  }

  /** Removes our own lock only (it may have been broken as stale and re-taken by someone else). */
  private async release(lock: string, token: string): Promise<void> {
    try {
      if ((await fsp.readFile(lock, 'utf8')) === token) await fsp.unlink(lock);
    } catch (e) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
  }

  /** Breaks a lock whose holder is dead (same host, pid gone) or that is older than staleLockMs. */
  private async breakIfStale(lock: string): Promise<boolean> {
    let content: string;
    let mtimeMs: number;
    try {
      const [c, st] = await Promise.all([fsp.readFile(lock, 'utf8'), fsp.stat(lock)]);
      content = c;
      mtimeMs = st.mtimeMs;
    } catch (e) {
      if (errCode(e) === 'ENOENT') return true; // released meanwhile: retry at once
      throw e;
    }
    const [host, pidText] = content.split(' ');
    let dead = false;
    if (host === this.host && pidText) {
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
        } catch (e) {
          dead = errCode(e) === 'ESRCH';
        }
      }
    }
    // An empty lock file is a holder between open and write: only age can make it stale.
    if (!dead && Date.now() - mtimeMs < this.staleLockMs) return false;
    const aside = `${lock}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await fsp.rename(lock, aside);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return true;
      throw e;
    }
    // If what we moved aside is not the lock we judged (someone re-took it in between), put it back.
    const moved = await fsp.readFile(aside, 'utf8').catch(() => '');
    if (moved !== content) {
      await fsp.link(aside, lock).catch(() => undefined);
    }
    await fsp.rm(aside, { force: true });
    return true;
  }
}
