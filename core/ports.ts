/**
 * The two ports the service needs from the outside world. Core code depends only on these; adapters
 * (S3, SQS, local files, in-process) live in `adapters/` and all pass `tests/contract/*`.
 */

export interface StoredObject {
  body: Uint8Array;
  /** Opaque version tag (S3 ETag, quoted as S3 returns it). */
  etag: string;
}

export interface PutOptions {
  /** `'*'`: create only; fails with PreconditionFailedError if the key exists (S3 `If-None-Match: *`). */
  ifNoneMatch?: '*';
  /** Replace only if the current ETag equals this (compare-and-swap, S3 `If-Match`). */
  ifMatch?: string;
  contentType?: string;
  /** Object tags (S3 tagging), e.g. `{ kind: 'checkpoint' }` for lifecycle expiry. */
  tags?: Record<string, string>;
}

/** What a conditional read returns when the stored object still has the ETag the reader holds. */
export const NOT_MODIFIED = 'not-modified';

/** Key/value blob storage with conditional writes, shaped after S3. Keys use `/` as separator. */
export interface BlobStore {
  get(key: string): Promise<StoredObject | undefined>;
  /**
   * A conditional read (S3 `GetObject` with `If-None-Match`): NOT_MODIFIED when the object's ETag still
   * equals `etag` (its body is not transferred, and where the adapter can tell without reading it, not
   * read), the object when it changed, undefined when it is absent. For watchers that poll.
   */
  getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined>;
  /** Returns the new ETag. Throws PreconditionFailedError when a condition does not hold. */
  put(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<{ etag: string }>;
  /** All keys under a prefix, lexicographically sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(readonly key: string) {
    super(`precondition failed for ${key}`);
  }
}

export interface ReceivedMessage {
  /** Message id (stable across redeliveries). */
  id: string;
  /** Handle for delete / visibility changes (new on each delivery). */
  receiptHandle: string;
  body: string;
  /** 1 on first delivery. */
  receiveCount: number;
  /** Epoch ms of first send. */
  sentTimestamp: number;
}

/**
 * An at-least-once queue, shaped after SQS: a received message is invisible for the visibility timeout,
 * reappears if not deleted, and moves to the dead-letter queue after `maxReceiveCount` receives.
 */
export interface MessageQueue {
  readonly name: string;
  /** Sends in batches of at most 10 (SendMessageBatch); throws if any entry fails. */
  send(bodies: readonly string[]): Promise<void>;
  receive(opts: {
    max: number;
    waitSeconds: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /** Approximate number of visible + in-flight messages (for progress and tests). */
  depth(): Promise<{ visible: number; inFlight: number }>;
}

export interface Queues {
  submissions: MessageQueue;
  trials: MessageQueue;
  results: MessageQueue;
}
