/**
 * What the service logic (dispatcher, worker, aggregator) needs from its host. The Lambda handlers in
 * `lambdas/` build these from AWS (S3, SQS, Powertools); the local runners build them from local files /
 * LocalStack. Core never constructs an adapter itself.
 */
import type { DatasetRef, LoadedDataset } from '../dataset.ts';
import type { BlobStore, MessageQueue } from '../ports.ts';

/** Structured logger (Powertools' Logger satisfies it). */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Business metrics sink (Powertools' Metrics is adapted to it in lambdas/). */
export interface MetricsSink {
  record(
    name: 'TrialDuration' | 'SamplesPerSecond' | 'TrialCost' | 'TrialsFinished',
    value: number,
    unit: 'Seconds' | 'Count/Second' | 'None' | 'Count',
  ): void;
}

export interface DatasetLoader {
  /**
   * Loads (and verifies) a prepared data set, an image set or a table (`kind: 'table'`); `trainShards`
   * limits to the first k training shards.
   */
  load(ref: DatasetRef, opts?: { trainShards?: number }): Promise<LoadedDataset>;
}

export interface AppDeps {
  store: BlobStore;
  trials: MessageQueue;
  results: MessageQueue;
  datasets: DatasetLoader;
  log: Log;
  metrics?: MetricsSink;
  /** Wall clock, epoch ms (injectable for tests). */
  now: () => number;
  /** Worker identity for results (Lambda request id / local worker name). */
  workerId: string;
  /** Configured memory of the worker, MB (Lambda memory size). */
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
}

/** Per-invocation context of the worker: how long it may still run. */
export interface InvocationContext {
  /** Milliseconds left before the invocation is killed (Lambda `getRemainingTimeInMillis`). */
  remainingMs: () => number;
}
