/**
 * The whole service as one stack: a bucket, three queues (each with a DLQ) and three Lambda functions.
 *
 *   sweep submit ─▶ submissions ─▶ dispatcher ─▶ trials ─▶ worker ─▶ results ─▶ aggregator
 *                                                  ▲  │       │ (continuation)      ▲ │ (max_concurrency)
 *                                                  └──┼───────┴─────────────────────┼─┘
 *                                                     └──▶ trials DLQ ──────────────┘ (dead ⇒ failed)
 *
 * The trials queue is sharded (`trialQueueShards`, default 4): N queues, one event source mapping each on
 * the worker, all redriving to the one trials DLQ. Lambda scales SQS polling per event source mapping, so
 * N shards reach a wide sweep's full concurrency N times as fast (see docs/aws.md, core/sim/rules.ts).
 * Senders spread trials evenly over the shards (adapters/queue/sharded.ts). Shard 0 is the queue of an
 * unsharded stack (same logical ids), so `trialQueueShards=1` is the template of before.
 */
import { CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV, perShard, type ServiceSpec, STACK_OUTPUTS, serviceSpec } from '../core/service-spec.ts';
import { grantBucketAccess } from './constructs/bucket-access.ts';
import { QueueWithDlq } from './constructs/queue-with-dlq.ts';
import { SweepBucket } from './constructs/sweep-bucket.ts';
import { SweepFunction } from './constructs/sweep-function.ts';

/** Tunables of the stack (all optional; see cdk/context.ts for the matching context keys). */
export interface SweepStackSettings {
  workerMemoryMb?: number | undefined;
  /**
   * Most concurrent workers in total (2..1000, default 50); each trial queue shard's event source mapping
   * gets max(2, ⌈workerMaxConcurrency / trialQueueShards⌉).
   */
  workerMaxConcurrency?: number | undefined;
  /**
   * Trial queue shards (1..10, default 4): one queue + one worker event source mapping each, one shared
   * DLQ. Standard-mode scaling is per mapping (5 + 300/min each), so more shards ramp up faster; each idle
   * mapping keeps polling its queue (SQS requests billed to the account).
   */
  trialQueueShards?: number | undefined;
  /**
   * Provisioned mode for the worker's SQS event source: this many event pollers kept ready (2..200), up to
   * `workerMaxPollers` (default 200). Scales ≈ 3× faster than the standard mode's 5 + 300/min ramp, so wide
   * sweeps reach full concurrency in seconds; pollers are billed while provisioned. AWS makes provisioned
   * mode and maximum concurrency mutually exclusive: with it, `workerMaxConcurrency` is not applied.
   * Both are totals for the worker: each shard's mapping gets max(2, ⌈workerMinPollers / shards⌉) minimum
   * and max(its minimum, ⌈workerMaxPollers / shards⌉) maximum pollers, so the provisioned (billed) pollers
   * stay ≈ what was asked for, whatever the shard count.
   */
  workerMinPollers?: number | undefined;
  workerMaxPollers?: number | undefined;
  workerTimeoutSeconds?: number | undefined;
  logRetentionDays?: number | undefined;
  checkpointExpiryDays?: number | undefined;
  accessLogExpiryDays?: number | undefined;
  bucketVersioning?: boolean | undefined;
  tracing?: boolean | undefined;
  retainData?: boolean | undefined;
}

export interface SweepStackProps extends StackProps, SweepStackSettings {}

const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

export const DISPATCHER_MEMORY_MB = 512;
export const AGGREGATOR_MEMORY_MB = 1024;
/** The aggregator merges by compare-and-swap, so any concurrency is correct; 2 keeps CAS retries rare. */
export const AGGREGATOR_MAX_CONCURRENCY = 2;
export const DISPATCHER_MAX_CONCURRENCY = 2;

export class SweepStack extends Stack {
  readonly spec: ServiceSpec;
  readonly data: SweepBucket;
  /** `trials` is shard 0 (it owns the shared trials DLQ). */
  readonly queues: { submissions: QueueWithDlq; trials: QueueWithDlq; results: QueueWithDlq };
  /** Every trials queue shard in order: shard 0 is `queues.trials.queue`. */
  readonly trialShards: Queue[];
  readonly dispatcher: SweepFunction;
  readonly worker: SweepFunction;
  readonly aggregator: SweepFunction;

  constructor(scope: Construct, id: string, props: SweepStackProps = {}) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy (not the legacy LogDeliveryWrite ACL, which
    // needs ACL-enabled object ownership): the stack does not depend on cdk.json carrying this flag.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    const spec = serviceSpec({
      ...(props.workerTimeoutSeconds !== undefined
        ? { workerTimeoutSeconds: props.workerTimeoutSeconds }
        : {}),
      ...(props.workerMemoryMb !== undefined ? { workerMemoryMb: props.workerMemoryMb } : {}),
      ...(props.workerMaxConcurrency !== undefined
        ? { workerMaxConcurrency: props.workerMaxConcurrency }
        : {}),
      ...(props.trialQueueShards !== undefined ? { trialQueueShards: props.trialQueueShards } : {}),
      ...(props.checkpointExpiryDays !== undefined
        ? { checkpointExpiryDays: props.checkpointExpiryDays }
        : {}),
      ...(props.logRetentionDays !== undefined ? { logRetentionDays: props.logRetentionDays } : {}),
      arch: 'arm64',
    });
    this.spec = spec;

    this.data = new SweepBucket(this, 'Data', {
      checkpointExpiryDays: spec.checkpointExpiryDays,
      accessLogExpiryDays: props.accessLogExpiryDays ?? 90,
      versioned: props.bucketVersioning ?? false,
      retain: props.retainData ?? true,
    });
    const bucket = this.data.bucket;

    this.queues = {
      submissions: new QueueWithDlq(this, 'Submissions', spec.queues.submissions),
      trials: new QueueWithDlq(this, 'Trials', spec.queues.trials),
      results: new QueueWithDlq(this, 'Results', spec.queues.results),
    };
    const { submissions, trials, results } = this.queues;
    // Shards 1..N-1: same settings, redriving to shard 0's DLQ (the one the aggregator drains).
    this.trialShards = [
      trials.queue,
      ...spec.queues.trials.shardSuffixes
        .slice(1)
        .map(
          (_, i) => new QueueWithDlq(this, `Trials${i + 1}`, spec.queues.trials, { dlq: trials.dlq }).queue,
        ),
    ];
    const shards = this.trialShards;
    const trialsQueueUrls = Fn.join(
      ',',
      shards.map((q) => q.queueUrl),
    );

    const environment: Record<string, string> = {
      [ENV.bucket]: bucket.bucketName,
      [ENV.submissionsQueueUrl]: submissions.queue.queueUrl,
      [ENV.trialsQueueUrls]: trialsQueueUrls,
      [ENV.resultsQueueUrl]: results.queue.queueUrl,
      [ENV.workerMemoryMb]: String(spec.worker.memoryMb),
      [ENV.arch]: spec.worker.arch,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const architecture = spec.worker.arch === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64;
    const common = {
      architecture,
      environment,
      logRetention: spec.logRetentionDays as RetentionDays,
      tracing: props.tracing ?? false,
    };

    // dispatcher: reads the submitted sweep (and its state, data set manifests), writes the sweep's
    // state and enqueue markers, sends trials.
    this.dispatcher = new SweepFunction(this, 'Dispatcher', {
      ...common,
      handler: 'dispatcher',
      description: 'Expands a submitted sweep into trial messages',
      memoryMb: DISPATCHER_MEMORY_MB,
      timeoutSeconds: spec.dispatcherTimeoutSeconds,
    });
    grantBucketAccess(this.dispatcher.role, bucket, {
      read: ['sweeps/*', 'datasets/*/manifest.json'],
      write: ['sweeps/*'],
    });
    for (const q of shards) q.grantSendMessages(this.dispatcher.fn);
    this.dispatcher.fn.addEventSource(
      new SqsEventSource(submissions.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: DISPATCHER_MAX_CONCURRENCY,
      }),
    );

    // worker: reads data sets and its sweep, writes only under sweeps/ (never deletes: checkpoints
    // expire by lifecycle rule), sends its own continuation and its result.
    this.worker = new SweepFunction(this, 'Worker', {
      ...common,
      handler: 'worker',
      description: 'Trains one MLP trial (checkpoints and continues before the timeout)',
      memoryMb: spec.worker.memoryMb,
      timeoutSeconds: spec.worker.timeoutSeconds,
    });
    grantBucketAccess(this.worker.role, bucket, { read: ['datasets/*', 'sweeps/*'], write: ['sweeps/*'] });
    for (const q of shards) q.grantSendMessages(this.worker.fn);
    results.queue.grantSendMessages(this.worker.fn);
    // One event source mapping per shard (each grants the worker consume rights on its queue). Totals are
    // split over the shards: MaximumConcurrency, or the provisioned min/max pollers.
    const n = spec.worker.queueShards;
    const minPollers = props.workerMinPollers !== undefined ? perShard(props.workerMinPollers, n) : undefined;
    const scaling =
      minPollers !== undefined
        ? {
            provisionedPollerConfig: {
              minimumPollers: minPollers,
              maximumPollers: Math.max(minPollers, perShard(props.workerMaxPollers ?? 200, n)),
            },
          }
        : { maxConcurrency: spec.worker.maxConcurrencyPerShard };
    for (const q of shards) {
      this.worker.fn.addEventSource(
        new SqsEventSource(q, {
          batchSize: spec.worker.batchSize,
          reportBatchItemFailures: true,
          ...scaling,
        }),
      );
    }

    // aggregator: merges results into the sweep's aggregate/leaderboard/report (with the data set's
    // manifest preview), tops up the trials queue when the sweep limits its concurrency, and turns dead
    // letters of the trials queue into `failed` results.
    this.aggregator = new SweepFunction(this, 'Aggregator', {
      ...common,
      handler: 'aggregator',
      description: 'Folds finished trials into the leaderboard and report',
      memoryMb: AGGREGATOR_MEMORY_MB,
      timeoutSeconds: spec.aggregatorTimeoutSeconds,
    });
    grantBucketAccess(this.aggregator.role, bucket, {
      read: ['sweeps/*', 'datasets/*/manifest.json'],
      write: ['sweeps/*'],
    });
    for (const q of shards) q.grantSendMessages(this.aggregator.fn);
    this.aggregator.fn.addEventSource(
      new SqsEventSource(results.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: AGGREGATOR_MAX_CONCURRENCY,
      }),
    );
    this.aggregator.fn.addEventSource(
      new SqsEventSource(trials.dlq, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: AGGREGATOR_MAX_CONCURRENCY,
      }),
    );

    const out = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    out(STACK_OUTPUTS.bucket, bucket.bucketName, 'Sweep bucket (datasets/, sweeps/)');
    out(STACK_OUTPUTS.submissionsQueueUrl, submissions.queue.queueUrl, 'Submissions queue URL');
    out(
      STACK_OUTPUTS.trialsQueueUrls,
      trialsQueueUrls,
      `Trials queue shard URLs, comma-separated (${shards.length})`,
    );
    out(STACK_OUTPUTS.resultsQueueUrl, results.queue.queueUrl, 'Results queue URL');
    out(STACK_OUTPUTS.submissionsDlqUrl, submissions.dlq.queueUrl, 'Submissions dead-letter queue URL');
    out(STACK_OUTPUTS.trialsDlqUrl, trials.dlq.queueUrl, 'Trials dead-letter queue URL');
    out(STACK_OUTPUTS.resultsDlqUrl, results.dlq.queueUrl, 'Results dead-letter queue URL');
  }
}
