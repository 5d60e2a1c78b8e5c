/**
 * The one definition of the service's resources: used by the CDK stack (`cdk/`) and by the local
 * bootstrap that creates the same bucket and queues in LocalStack (`adapters/localstack/`), so the two
 * never drift. Pure data: no CDK or SDK imports here.
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
}

export interface WorkerSpec {
  timeoutSeconds: number;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
  /** SQS event source batch size (one trial per invocation). */
  batchSize: number;
  /** SQS event source maximum concurrency (2..1000). */
  maxConcurrency: number;
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
  arch?: 'arm64' | 'x86_64';
  checkpointExpiryDays?: number;
  logRetentionDays?: number;
}

/** SQS guidance: a source queue's visibility timeout ≥ 6 × the function timeout. */
export const VISIBILITY_FACTOR = 6;
export const DEFAULT_WORKER_MEMORY_MB = 1769; // one full vCPU
export const MAX_RECEIVE_COUNT = 3;

export function serviceSpec(o: ServiceOptions = {}): ServiceSpec {
  const workerTimeout = o.workerTimeoutSeconds ?? 900;
  const dispatcherTimeout = 300;
  const aggregatorTimeout = 120;
  const queue = (role: QueueRole, fnTimeout: number, dlqConsumerTimeout?: number): QueueSpec => ({
    role,
    suffix: role,
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
      trials: queue('trials', workerTimeout, aggregatorTimeout),
      results: queue('results', aggregatorTimeout),
    },
    worker: {
      timeoutSeconds: workerTimeout,
      memoryMb: o.workerMemoryMb ?? DEFAULT_WORKER_MEMORY_MB,
      arch: o.arch ?? 'arm64',
      batchSize: 1,
      maxConcurrency: o.workerMaxConcurrency ?? 50,
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
  trialsQueueUrl: 'TRIALS_QUEUE_URL',
  resultsQueueUrl: 'RESULTS_QUEUE_URL',
  workerMemoryMb: 'WORKER_MEMORY_MB',
  arch: 'WORKER_ARCH',
} as const;

/** Default CloudFormation stack name (`sweep … --backend aws` looks it up with DescribeStacks). */
export const DEFAULT_STACK_NAME = 'MlpSweepStack';

/** CloudFormation output keys of the stack (the AWS backend of the CLI reads them). */
export const STACK_OUTPUTS = {
  bucket: 'BucketName',
  submissionsQueueUrl: 'SubmissionsQueueUrl',
  trialsQueueUrl: 'TrialsQueueUrl',
  resultsQueueUrl: 'ResultsQueueUrl',
  submissionsDlqUrl: 'SubmissionsDlqUrl',
  trialsDlqUrl: 'TrialsDlqUrl',
  resultsDlqUrl: 'ResultsDlqUrl',
} as const;
