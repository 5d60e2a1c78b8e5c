/** In-memory BlobStore (tests, single-process runs). Conditional puts are atomic (single-threaded JS). */
import {
  type BlobStore,
  NOT_MODIFIED,
  PreconditionFailedError,
  type PutOptions,
  type StoredObject,
} from '../../core/ports.ts';
import { assertKey, etagOf, toBytes } from './etag.ts';

interface Entry {
  body: Uint8Array;
  etag: string;
  contentType?: string;
  tags?: Record<string, string>;
}

export class MemoryBlobStore implements BlobStore {
  private readonly objects = new Map<string, Entry>();

  async get(key: string): Promise<StoredObject | undefined> {
    const e = this.objects.get(assertKey(key));
    return e ? { body: e.body.slice(), etag: e.etag } : undefined;
  }

  async getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined> {
    const e = this.objects.get(assertKey(key));
    if (!e) return undefined;
    return e.etag === etag ? NOT_MODIFIED : { body: e.body.slice(), etag: e.etag };
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    assertKey(key);
    const bytes = toBytes(body).slice();
    const current = this.objects.get(key);
    if (opts.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
    if (opts.ifMatch !== undefined && (!current || current.etag !== opts.ifMatch))
      throw new PreconditionFailedError(key);
    const etag = etagOf(bytes);
    const entry: Entry = { body: bytes, etag };
    if (opts.contentType) entry.contentType = opts.contentType;
    if (opts.tags) entry.tags = { ...opts.tags };
    this.objects.set(key, entry);
    return { etag };
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(assertKey(key));
  }

  /** Tags of a stored object (for tests of lifecycle tagging). */
  tagsOf(key: string): Record<string, string> | undefined {
    const t = this.objects.get(key)?.tags;
    return t ? { ...t } : undefined;
  }
}
