/**
 * What the three Lambda handlers share: the SQS partial-batch plumbing around core, with deps built once
 * per container from the environment (adapters/aws/: settings, SDK clients, Powertools adapters) or
 * injected (tests, the embedded runner). The same code runs on Lambda, against LocalStack and under the
 * local runners (real SQSEvent objects).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { createClients } from '../adapters/aws/clients.ts';
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
