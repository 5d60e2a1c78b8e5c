/**
 * One of the service's queues (spec from core/service-spec.ts) with its dead-letter queue: its own, or — for
 * the shards of a sharded queue — one it shares with the other shards (`opts.dlq`). Both are encrypted
 * with SQS-managed keys and deny any request not made over TLS.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../../core/service-spec.ts';

export interface QueueWithDlqOptions {
  /** An existing dead-letter queue to redrive to (shared by the shards); default: a new one. */
  dlq?: Queue;
}

export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  /** True when `dlq` was created here (false: shared with another QueueWithDlq). */
  readonly ownsDlq: boolean;

  constructor(scope: Construct, id: string, spec: QueueSpec, opts: QueueWithDlqOptions = {}) {
    super(scope, id);
    this.ownsDlq = opts.dlq === undefined;
    this.dlq =
      opts.dlq ??
      new Queue(this, 'Dlq', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.seconds(spec.dlqRetentionSeconds),
        ...(spec.dlqVisibilityTimeoutSeconds !== undefined
          ? { visibilityTimeout: Duration.seconds(spec.dlqVisibilityTimeoutSeconds) }
          : {}),
      });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(spec.retentionSeconds),
      receiveMessageWaitTime: Duration.seconds(spec.receiveWaitSeconds),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: spec.maxReceiveCount },
    });
  }
}
