/**
 * Creates, idempotently, in LocalStack what the CDK stack creates in AWS: the bucket, and the three queues
 * with their DLQs and redrive policies, all from `serviceSpec()` (core/service-spec.ts) so the two never drift.
 * The trials queue has `trialQueueShards` shards (default: the stack's, 4): `<prefix>-trials`,
 * `<prefix>-trials-1`, … all redriving to the one `<prefix>-trials-dlq`.
 * The worker timeout is configurable: locally 60 s (trials visibility = 6 × 60 = 360 s); tests use less.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { QUEUE_ROLES, type QueueRole, type ServiceSpec, serviceSpec } from '../../core/service-spec.ts';
import type { LocalstackClients } from './clients.ts';

export const LOCAL_WORKER_TIMEOUT_SECONDS = 60;
export const DEFAULT_LOCAL_PREFIX = 'mlp-sweep-local';

export interface BootstrapOptions {
  /** Resource name prefix: bucket `<prefix>-bucket`, queues `<prefix>-<role>[-dlq]`. */
  prefix?: string;
  workerTimeoutSeconds?: number;
  /** Trial queue shards (1..10; default the stack's default). */
  trialQueueShards?: number;
}

export interface LocalstackResources {
  bucket: string;
  spec: ServiceSpec;
  /** Each role's queue; for the sharded trials queue, shard 0. */
  queueUrls: Record<QueueRole, string>;
  dlqUrls: Record<QueueRole, string>;
  queueNames: Record<QueueRole, string>;
  /** Every shard of each role's queue, in order (one for an unsharded queue). */
  shardUrls: Record<QueueRole, string[]>;
  shardNames: Record<QueueRole, string[]>;
}

/** Every queue URL of a bootstrap (shards and DLQs), e.g. for deleteQueues. */
export function allQueueUrls(r: LocalstackResources): string[] {
  return QUEUE_ROLES.flatMap((role) => [...r.shardUrls[role], r.dlqUrls[role]]);
}

function errName(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
}

async function ensureQueue(
  c: LocalstackClients,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const out = await c.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name}: no URL`);
    return out.QueueUrl;
  } catch (e) {
    // Exists with other attributes (e.g. another worker timeout): update them in place.
    if (errName(e) !== 'QueueNameExists' && errName(e) !== 'QueueAlreadyExists') throw e;
    const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    if (!url) throw new Error(`GetQueueUrl ${name}: no URL`);
    await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return url;
  }
}

async function queueArn(c: LocalstackClients, url: string): Promise<string> {
  const out = await c.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${url}`);
  return arn;
}

/** One queue + DLQ + redrive policy; used by the bootstrap and by the SQS contract tests. */
export async function ensureQueueWithDlq(
  c: LocalstackClients,
  name: string,
  o: {
    visibilityTimeoutSeconds: number;
    maxReceiveCount: number;
    retentionSeconds?: number;
    dlqRetentionSeconds?: number;
    /** The DLQ's name (default `${name}-dlq`); shards of one queue share their DLQ. */
    dlqName?: string;
  },
): Promise<{ url: string; dlqUrl: string }> {
  const dlqUrl = await ensureQueue(c, o.dlqName ?? `${name}-dlq`, {
    MessageRetentionPeriod: String(o.dlqRetentionSeconds ?? 14 * 24 * 3600),
  });
  const dlqArn = await queueArn(c, dlqUrl);
  const url = await ensureQueue(c, name, {
    VisibilityTimeout: String(o.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(o.retentionSeconds ?? 4 * 24 * 3600),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: o.maxReceiveCount }),
  });
  return { url, dlqUrl };
}

export async function ensureBucket(c: LocalstackClients, bucket: string): Promise<void> {
  try {
    await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (errName(e) !== 'BucketAlreadyOwnedByYou' && errName(e) !== 'BucketAlreadyExists') throw e;
  }
}

export async function bootstrapLocalstack(
  c: LocalstackClients,
  o: BootstrapOptions = {},
): Promise<LocalstackResources> {
  const prefix = o.prefix ?? DEFAULT_LOCAL_PREFIX;
  const spec = serviceSpec({
    workerTimeoutSeconds: o.workerTimeoutSeconds ?? LOCAL_WORKER_TIMEOUT_SECONDS,
    ...(o.trialQueueShards !== undefined ? { trialQueueShards: o.trialQueueShards } : {}),
  });
  const bucket = `${prefix}-bucket`;
  await ensureBucket(c, bucket);
  const queueUrls = {} as Record<QueueRole, string>;
  const dlqUrls = {} as Record<QueueRole, string>;
  const queueNames = {} as Record<QueueRole, string>;
  const shardUrls = {} as Record<QueueRole, string[]>;
  const shardNames = {} as Record<QueueRole, string[]>;
  for (const role of QUEUE_ROLES) {
    const q = spec.queues[role];
    const name = `${prefix}-${q.suffix}`;
    const { url, dlqUrl } = await ensureQueueWithDlq(c, name, q);
    queueUrls[role] = url;
    dlqUrls[role] = dlqUrl;
    queueNames[role] = name;
    shardUrls[role] = [url];
    shardNames[role] = [name];
    for (const suffix of q.shardSuffixes.slice(1)) {
      const shard = `${prefix}-${suffix}`;
      const r = await ensureQueueWithDlq(c, shard, { ...q, dlqName: `${name}-dlq` });
      shardUrls[role].push(r.url);
      shardNames[role].push(shard);
    }
  }
  return { bucket, spec, queueUrls, dlqUrls, queueNames, shardUrls, shardNames };
}

/** Deletes a bucket with everything in it (tests). */
export async function deleteBucket(c: LocalstackClients, bucket: string): Promise<void> {
  for (;;) {
    const out = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const objs = (out.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (objs.length === 0) break;
    await c.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objs, Quiet: true } }));
  }
  await c.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

export async function deleteQueues(c: LocalstackClients, urls: readonly string[]): Promise<void> {
  for (const url of urls) await c.sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
}
