/**
 * What the three Lambda handlers share: AppDeps built from the environment (names in `ENV` of
 * core/service-spec.ts), AWS SDK clients created once per container, Powertools Metrics adapted to core's
 * MetricsSink, and the SQS partial-batch plumbing. The same code runs on Lambda, against LocalStack
 * (`AWS_ENDPOINT_URL` set → path-style S3) and under the local runner (real SQSEvent objects).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { createDatasetLoader } from '../adapters/data/loader.ts';
import type { ShardedQueue } from '../adapters/queue/sharded.ts';
import { type SqsQueue, shardedSqsQueue, sqsQueueAt } from '../adapters/queue/sqs.ts';
import { S3BlobStore } from '../adapters/store/s3.ts';
import type { AppDeps, Log, MetricsSink } from '../core/app/deps.ts';
import { ENV, parseQueueUrls } from '../core/service-spec.ts';

export type DepsFactory = () => AppDeps | Promise<AppDeps>;
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type Env = Record<string, string | undefined>;

export const METRICS_NAMESPACE = 'MlpSweep';

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
  constructor(readonly missing: string[]) {
    super(`missing environment variable(s): ${missing.join(', ')}`);
  }
}

/** The handler's settings, read from the environment and validated once. */
export interface RuntimeEnv {
  bucket: string;
  /** Shard 0 of the trials queue (TRIALS_QUEUE_URL). */
  trialsQueueUrl: string;
  /**
   * Every trials queue shard (TRIALS_QUEUE_URLS, comma-separated, shard 0 first); undefined when the
   * variable is not set (an environment from before the shards: one queue, TRIALS_QUEUE_URL).
   */
  trialsQueueUrls?: readonly string[] | undefined;
  resultsQueueUrl: string;
  region: string | undefined;
  /** `AWS_ENDPOINT_URL` (LocalStack); when set, S3 uses path-style addressing. */
  endpoint: string | undefined;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
}

export function readEnv(env: Env = process.env): RuntimeEnv {
  const required = [ENV.bucket, ENV.trialsQueueUrl, ENV.resultsQueueUrl] as const;
  const missing = required.filter((k) => !env[k]);
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  const memory = Number(env[ENV.workerMemoryMb] ?? env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 1769);
  const arch = env[ENV.arch] ?? (process.arch === 'x64' ? 'x86_64' : 'arm64');
  if (arch !== 'arm64' && arch !== 'x86_64')
    throw new Error(`${ENV.arch} must be arm64 or x86_64, got ${arch}`);
  const shards = parseQueueUrls(env[ENV.trialsQueueUrls]);
  return {
    bucket: env[ENV.bucket]!,
    trialsQueueUrl: env[ENV.trialsQueueUrl]!,
    trialsQueueUrls: shards.length > 0 ? shards : undefined,
    resultsQueueUrl: env[ENV.resultsQueueUrl]!,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    memoryMb: Number.isFinite(memory) && memory > 0 ? memory : 1769,
    arch,
  };
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
}

/** SDK clients for these settings; an endpoint (LocalStack) switches S3 to path-style addressing. */
export function createClients(env: Pick<RuntimeEnv, 'region' | 'endpoint'>): AwsClients {
  const common = {
    ...(env.region ? { region: env.region } : {}),
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
  };
  return {
    s3: new S3Client({ ...common, ...(env.endpoint ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient(common),
  };
}

/** Core's MetricsSink on top of Powertools Metrics (units are the same CloudWatch strings). */
export function metricsSink(metrics: Metrics): MetricsSink {
  return {
    record(name, value, unit) {
      metrics.addMetric(name, unit, value);
    },
  };
}

/** Core's Log on top of the Powertools Logger (structured JSON; `extra` becomes top-level keys). */
export function powertoolsLog(logger: Logger): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (extra) logger[level](message, extra);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The trials queue's shard URLs of these settings: TRIALS_QUEUE_URLS, else TRIALS_QUEUE_URL alone. */
export function trialShardUrls(settings: RuntimeEnv): readonly string[] {
  return settings.trialsQueueUrls ?? [settings.trialsQueueUrl];
}

/** The trials queue of these settings: one queue over every shard (trialShardUrls). */
export function trialsQueueFromEnv(settings: RuntimeEnv, sqs: SQSClient): SqsQueue | ShardedQueue {
  return shardedSqsQueue(sqs, trialShardUrls(settings));
}

/** AppDeps from settings and clients. Clients are the caller's (created once per container). */
export function depsFromEnv(
  settings: RuntimeEnv,
  clients: AwsClients,
  opts: { log: Log; metrics?: MetricsSink; workerId?: string; now?: () => number; tmpDir?: string },
): AppDeps {
  const store = new S3BlobStore(clients.s3, settings.bucket);
  return {
    store,
    trials: trialsQueueFromEnv(settings, clients.sqs),
    results: sqsQueueAt(clients.sqs, settings.resultsQueueUrl),
    datasets: createDatasetLoader(store, { tmpDir: opts.tmpDir ?? '/tmp' }),
    log: opts.log,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    now: opts.now ?? Date.now,
    workerId: opts.workerId ?? process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? `pid-${process.pid}`,
    memoryMb: settings.memoryMb,
    arch: settings.arch,
  };
}

/** Powertools objects of one handler module (one per Lambda function). */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function observability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

interface SqsHandlerSpec<M> {
  obs: Observability;
  /** Injected deps (tests, local runner), or undefined for deps from the environment. */
  deps: DepsFactory | undefined;
  schema: z.ZodType<M>;
  /**
   * The worker's deps.memoryMb is its own memory (context.memoryLimitInMB); the other functions keep
   * WORKER_MEMORY_MB, the worker's configured memory (used for the cost of dead-lettered trials).
   */
  memoryFromContext?: boolean;
  /**
   * Processes the batch's valid messages. Returns the message ids that failed (they are retried by SQS);
   * anything thrown fails every valid record of the batch.
   */
  process: (
    messages: { messageId: string; message: M }[],
    deps: AppDeps,
    context: Context,
  ) => Promise<Set<string> | undefined>;
}

/** Parses one record body; undefined (and a logged error) when it is not valid JSON / not the schema. */
function parseRecord<M>(record: SQSRecord, schema: z.ZodType<M>, log: Log): M | undefined {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    log.error('record body is not JSON', { messageId: record.messageId });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    log.error('record body does not match the message schema', {
      messageId: record.messageId,
      issues: parsed.error.issues.slice(0, 5),
    });
    return undefined;
  }
  return parsed.data;
}

/**
 * The shared shape of the three handlers: validate the event, build deps once (lazily), hand the valid
 * messages to core, report failed records as `batchItemFailures` (Powertools BatchProcessor), flush
 * metrics. A malformed body is a failed record (it goes to the DLQ after maxReceiveCount receives).
 */
export function createSqsHandler<M>(spec: SqsHandlerSpec<M>): SqsHandler {
  const { logger, metrics } = spec.obs;
  const injected = spec.deps;
  let cached: Promise<AppDeps> | undefined;
  const baseDeps = (): Promise<AppDeps> => {
    if (!cached) {
      const make: DepsFactory =
        injected ??
        (() => {
          const settings = readEnv();
          return depsFromEnv(settings, createClients(settings), {
            log: powertoolsLog(logger),
            metrics: metricsSink(metrics),
          });
        });
      cached = Promise.resolve()
        .then(make)
        .catch((err: unknown) => {
          cached = undefined; // retry on the next invocation
          throw err;
        });
    }
    return cached;
  };

  return async (event, context) => {
    if (!event || !Array.isArray(event.Records)) throw new TypeError('not an SQS event: Records missing');
    logger.addContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    try {
      const base = await baseDeps();
      // Deps from the environment take this invocation's identity; injected deps are used as given.
      const deps: AppDeps = injected
        ? base
        : {
            ...base,
            workerId: context.awsRequestId || base.workerId,
            memoryMb: (spec.memoryFromContext && Number(context.memoryLimitInMB)) || base.memoryMb,
          };
      const valid: { messageId: string; message: M }[] = [];
      for (const record of event.Records) {
        const message = parseRecord(record, spec.schema, deps.log);
        if (message !== undefined) valid.push({ messageId: record.messageId, message });
      }
      const validIds = new Set(valid.map((v) => v.messageId));
      let failed: Set<string> | undefined;
      let batchError: unknown;
      if (valid.length > 0) {
        try {
          failed = await spec.process(valid, deps, context);
        } catch (err) {
          batchError = err;
          deps.log.error('batch failed', { error: errorDetail(err), records: valid.length });
        }
      }
      const recordHandler = async (record: SQSRecord): Promise<void> => {
        if (!validIds.has(record.messageId)) throw new Error(`malformed message ${record.messageId}`);
        if (batchError !== undefined) throw batchError;
        if (failed?.has(record.messageId)) throw new Error(`message ${record.messageId} failed`);
      };
      // throwOnFullBatchFailure: false → an all-failed batch is reported record by record too, so
      // callers (Lambda with ReportBatchItemFailures, the local runner) see one consistent shape.
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
        processInParallel: false,
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

export function errorDetail(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { message: String(err) };
}
