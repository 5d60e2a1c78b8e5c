/**
 * The one definition of the service: its resources (queues, worker settings and their defaults), the
 * environment variables its handlers read and the outputs its stack exports. Used by the CDK stack
 * (`cdk/`), the local bootstrap that creates the same bucket and queues in LocalStack
 * (`adapters/localstack/`), the handlers' reading of their environment (`adapters/aws/`), the CLI's reading
 * of the stack's outputs and the cost estimates, so none of them drift. Pure data: no CDK or SDK imports.
 */

export type QueueRole = 'submissions' | 'trials' | 'results';
export const QUEUE_ROLES: readonly QueueRole[] = ['submissions', 'trials', 'results'];

export interface QueueSpec {
  role: QueueRole;
  /** Physical name suffix; full name is `${prefix}-${suffix}` (DLQ: `${prefix}-${suffix}-dlq`). */
  suffix: string;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the DLQ. */
  maxReceiveCount: number;
  retentionSeconds: number;
  dlqRetentionSeconds: number;
  receiveWaitSeconds: number;
  /**
   * Visibility timeout of the dead-letter queue. The trials DLQ is consumed by the aggregator
   * (recordDeadLetters: a dead trial becomes a `failed` result), so it follows the aggregator's timeout.
   */
  dlqVisibilityTimeoutSeconds?: number;
  /**
   * Physical name suffixes of the queue's shards, in order (one entry for an unsharded queue). Shard 0 is
   * `suffix` itself (so an existing deployment keeps its queue); shard i ≥ 1 is `${suffix}-${i}`. Every
   * shard redrives to the one DLQ `${suffix}-dlq`.
   */
  shardSuffixes: readonly string[];
}

export interface WorkerSpec {
  timeoutSeconds: number;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
  /** SQS event source batch size (one trial per invocation). */
  batchSize: number;
  /** SQS event source maximum concurrency of the worker, in total over its shards (2..1000). */
  maxConcurrency: number;
  /**
   * Trial queue shards, each with its own event source mapping on the worker (1..10). Lambda scales SQS
   * polling per mapping (5 concurrent invokes at first, +300 per minute), so N shards ramp N times as fast.
   */
  queueShards: number;
  /**
   * MaximumConcurrency of each shard's event source mapping: max(2, ⌈maxConcurrency / queueShards⌉)
   * (AWS's minimum is 2). The sum over the shards can exceed `maxConcurrency` by the rounding (less than
   * one per shard) — or reach 2 × shards when maxConcurrency < 2 × shards.
   */
  maxConcurrencyPerShard: number;
}

export interface ServiceSpec {
  queues: Record<QueueRole, QueueSpec>;
  worker: WorkerSpec;
  dispatcherTimeoutSeconds: number;
  aggregatorTimeoutSeconds: number;
  /** Days before checkpoints (objects tagged `kind=checkpoint`) expire. */
  checkpointExpiryDays: number;
  logRetentionDays: number;
}

export interface ServiceOptions {
  workerTimeoutSeconds?: number;
  workerMemoryMb?: number;
  workerMaxConcurrency?: number;
  /** Trial queue shards (integer 1..10, default 4), see WorkerSpec.queueShards. */
  trialQueueShards?: number;
  arch?: 'arm64' | 'x86_64';
  checkpointExpiryDays?: number;
  logRetentionDays?: number;
}

/** SQS guidance: a source queue's visibility timeout ≥ 6 × the function timeout. */
export const VISIBILITY_FACTOR = 6;
export const DEFAULT_WORKER_MEMORY_MB = 1769; // one full vCPU
export const MAX_RECEIVE_COUNT = 3;
/** Trial queue shards of a stack that does not set any (each adds an event source mapping). */
export const DEFAULT_TRIAL_QUEUE_SHARDS = 4;
export const MAX_TRIAL_QUEUE_SHARDS = 10;

/**
 * One per-shard share of a total for `shards` event source mappings: max(floor, ⌈total / shards⌉). Used for
 * the worker's MaximumConcurrency (floor 2, AWS's minimum) and for provisioned pollers.
 */
export function perShard(total: number, shards: number, floor = 2): number {
  return Math.max(floor, Math.ceil(total / shards));
}

/** Physical suffix of shard `i` of a queue whose suffix is `suffix`: shard 0 keeps `suffix`. */
export function shardSuffix(suffix: string, i: number): string {
  return i === 0 ? suffix : `${suffix}-${i}`;
}

export function serviceSpec(o: ServiceOptions = {}): ServiceSpec {
  const workerTimeout = o.workerTimeoutSeconds ?? 900;
  const dispatcherTimeout = 300;
  const aggregatorTimeout = 120;
  const shards = o.trialQueueShards ?? DEFAULT_TRIAL_QUEUE_SHARDS;
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_TRIAL_QUEUE_SHARDS) {
    throw new RangeError(
      `trialQueueShards must be an integer in 1..${MAX_TRIAL_QUEUE_SHARDS}, got ${shards}`,
    );
  }
  const maxConcurrency = o.workerMaxConcurrency ?? 50;
  const queue = (
    role: QueueRole,
    fnTimeout: number,
    dlqConsumerTimeout?: number,
    shardCount = 1,
  ): QueueSpec => ({
    role,
    suffix: role,
    shardSuffixes: Array.from({ length: shardCount }, (_, i) => shardSuffix(role, i)),
    visibilityTimeoutSeconds: VISIBILITY_FACTOR * fnTimeout,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    retentionSeconds: 4 * 24 * 3600,
    dlqRetentionSeconds: 14 * 24 * 3600,
    receiveWaitSeconds: 20,
    ...(dlqConsumerTimeout !== undefined
      ? { dlqVisibilityTimeoutSeconds: VISIBILITY_FACTOR * dlqConsumerTimeout }
      : {}),
  });
  return {
    queues: {
      submissions: queue('submissions', dispatcherTimeout),
      trials: queue('trials', workerTimeout, aggregatorTimeout, shards),
      results: queue('results', aggregatorTimeout),
    },
    worker: {
      timeoutSeconds: workerTimeout,
      memoryMb: o.workerMemoryMb ?? DEFAULT_WORKER_MEMORY_MB,
      arch: o.arch ?? 'arm64',
      batchSize: 1,
      maxConcurrency,
      queueShards: shards,
      maxConcurrencyPerShard: shards === 1 ? maxConcurrency : perShard(maxConcurrency, shards),
    },
    dispatcherTimeoutSeconds: dispatcherTimeout,
    aggregatorTimeoutSeconds: aggregatorTimeout,
    checkpointExpiryDays: o.checkpointExpiryDays ?? 7,
    logRetentionDays: o.logRetentionDays ?? 30,
  };
}

/** Environment variables every handler reads (set by the stack, or by the local runner). */
export const ENV = {
  bucket: 'SWEEP_BUCKET',
  submissionsQueueUrl: 'SUBMISSIONS_QUEUE_URL',
  /** Every trials queue shard, comma-separated, in shard order (shard 0 first; one URL for one shard). */
  trialsQueueUrls: 'TRIALS_QUEUE_URLS',
  resultsQueueUrl: 'RESULTS_QUEUE_URL',
  workerMemoryMb: 'WORKER_MEMORY_MB',
  arch: 'WORKER_ARCH',
} as const;

/** A comma-separated list of queue URLs (TRIALS_QUEUE_URLS, the TrialsQueueUrls output), blanks dropped. */
export function parseQueueUrls(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** Default CloudFormation stack name (`sweep … --backend aws` looks it up with DescribeStacks). */
export const DEFAULT_STACK_NAME = 'MlpSweepStack';

/** CloudFormation output keys of the stack (the AWS backend of the CLI reads them). */
export const STACK_OUTPUTS = {
  bucket: 'BucketName',
  submissionsQueueUrl: 'SubmissionsQueueUrl',
  /** Every trials queue shard, comma-separated, in shard order. */
  trialsQueueUrls: 'TrialsQueueUrls',
  resultsQueueUrl: 'ResultsQueueUrl',
  submissionsDlqUrl: 'SubmissionsDlqUrl',
  trialsDlqUrl: 'TrialsDlqUrl',
  resultsDlqUrl: 'ResultsDlqUrl',
} as const;
