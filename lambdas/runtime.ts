/**
 * What the three Lambda handlers share: the SQS partial-batch plumbing around core, with deps built once
 * per container from the environment (adapters/aws/: settings, SDK clients, Powertools adapters) or
 * injected (tests, the embedded runner). The same code runs on Lambda, against LocalStack and under the
 * local runners (real SQSEvent objects).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { createClients, FUNCTION_MAX_ATTEMPTS } from '../adapters/aws/clients.ts';
import { depsFromEnv } from '../adapters/aws/deps.ts';
import { readEnv } from '../adapters/aws/env.ts';
import { metricsSink, type Observability, powertoolsLog } from '../adapters/aws/powertools.ts';
import type { AppDeps, Log } from '../core/app/deps.ts';

export type DepsFactory = () => AppDeps | Promise<AppDeps>;
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

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
  /** Handles one message; throws when it failed (its record is reported, SQS retries it, then dead-letters it). */
  each: (message: M, deps: AppDeps, context: Context) => Promise<void>;
  /**
   * Optional: a batch of several messages in one call first (the aggregator folds them in one
   * compare-and-swap). When it throws, each message is retried alone with `each`, so one bad message does
   * not hold back the others.
   */
  batch?: (messages: readonly M[], deps: AppDeps) => Promise<void>;
  /** The fields that name a message in a failure's log line (sweep_id, trial_id …). */
  describe: (message: M) => Record<string, unknown>;
}

interface Valid<M> {
  messageId: string;
  message: M;
}

/**
 * The one per-message loop of the three handlers: the batch call when there is one (and more than one
 * message), else — or when it failed — each message alone. Returns the ids of the messages that failed.
 * Successes are logged by core (one line per event); failures here, one line per failed record.
 */
async function processMessages<M>(
  spec: SqsHandlerSpec<M>,
  valid: readonly Valid<M>[],
  deps: AppDeps,
  context: Context,
): Promise<Set<string>> {
  if (spec.batch && valid.length > 1) {
    try {
      await spec.batch(
        valid.map((v) => v.message),
        deps,
      );
      return new Set();
    } catch (err) {
      deps.log.warn('batch failed; retrying one by one', { error: errorDetail(err), records: valid.length });
    }
  }
  const failed = new Set<string>();
  for (const { messageId, message } of valid) {
    try {
      await spec.each(message, deps, context);
    } catch (err) {
      failed.add(messageId);
      deps.log.error('message failed', { messageId, ...spec.describe(message), error: errorDetail(err) });
    }
  }
  return failed;
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
          return depsFromEnv(settings, createClients({ ...settings, maxAttempts: FUNCTION_MAX_ATTEMPTS }), {
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
      const valid: Valid<M>[] = [];
      for (const record of event.Records) {
        const message = parseRecord(record, spec.schema, deps.log);
        if (message !== undefined) valid.push({ messageId: record.messageId, message });
      }
      const validIds = new Set(valid.map((v) => v.messageId));
      const failed = await processMessages(spec, valid, deps, context);
      const recordHandler = async (record: SQSRecord): Promise<void> => {
        if (!validIds.has(record.messageId)) throw new Error(`malformed message ${record.messageId}`);
        if (failed.has(record.messageId)) throw new Error(`message ${record.messageId} failed`);
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
