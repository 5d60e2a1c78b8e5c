/**
 * BlobStore on S3 (or LocalStack's S3). Conditional writes use S3's own `If-None-Match: *` and
 * `If-Match: <etag>` on PutObject: 412 PreconditionFailed and 409 ConditionalRequestConflict (a concurrent
 * conditional write won) become PreconditionFailedError, as does If-Match on a missing key (404).
 * A GetObject whose body breaks off (a connection reset mid-response) is asked again: the SDK retries a
 * request until its response has begun, but streams the body to the caller, outside its retries.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type BlobStore,
  NOT_MODIFIED,
  PreconditionFailedError,
  type PutOptions,
  type StoredObject,
} from '../../core/ports.ts';
import { assertKey, toBytes } from './etag.ts';

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function awsError(e: unknown): AwsError {
  return typeof e === 'object' && e !== null ? (e as AwsError) : {};
}

function isNotFound(e: unknown): boolean {
  const a = awsError(e);
  return a.name === 'NoSuchKey' || a.name === 'NotFound' || a.$metadata?.httpStatusCode === 404;
}

/** Reads of one object whose body broke off, before the error is given up to the caller. */
const BODY_READ_ATTEMPTS = 4;

export class S3BlobStore implements BlobStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async get(key: string): Promise<StoredObject | undefined> {
    assertKey(key);
    for (let attempt = 1; ; attempt++) {
      let out: GetObjectCommandOutput;
      try {
        out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      if (!out.ETag) throw new Error(`S3 returned no ETag for ${key}`);
      try {
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
        return { body, etag: out.ETag };
      } catch (e) {
        if (attempt >= BODY_READ_ATTEMPTS) throw e;
      }
    }
  }

  async getIfChanged(key: string, etag: string): Promise<StoredObject | typeof NOT_MODIFIED | undefined> {
    assertKey(key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfNoneMatch: etag }),
      );
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      if (!out.ETag) throw new Error(`S3 returned no ETag for ${key}`);
      return { body, etag: out.ETag };
    } catch (e) {
      const a = awsError(e);
      if (a.$metadata?.httpStatusCode === 304 || a.name === 'NotModified') return NOT_MODIFIED;
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    assertKey(key);
    const input: PutObjectCommandInput = { Bucket: this.bucket, Key: key, Body: toBytes(body) };
    if (opts.ifNoneMatch === '*') input.IfNoneMatch = '*';
    if (opts.ifMatch !== undefined) input.IfMatch = opts.ifMatch;
    if (opts.contentType) input.ContentType = opts.contentType;
    if (opts.tags && Object.keys(opts.tags).length > 0) {
      input.Tagging = new URLSearchParams(opts.tags).toString();
    }
    try {
      const out = await this.client.send(new PutObjectCommand(input));
      if (!out.ETag) throw new Error(`S3 returned no ETag for ${key}`);
      return { etag: out.ETag };
    } catch (e) {
      const a = awsError(e);
      const status = a.$metadata?.httpStatusCode;
      const conditional = opts.ifNoneMatch !== undefined || opts.ifMatch !== undefined;
      if (conditional && (status === 412 || status === 409 || a.name === 'PreconditionFailed')) {
        throw new PreconditionFailedError(key);
      }
      if (opts.ifMatch !== undefined && isNotFound(e)) throw new PreconditionFailedError(key);
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
