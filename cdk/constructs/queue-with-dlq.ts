/**
 * One of the service's queues (spec from cdk/resources.ts) with its own dead-letter queue. Both are
 * encrypted with SQS-managed keys and deny any request not made over TLS.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../resources.ts';

export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;

  constructor(scope: Construct, id: string, spec: QueueSpec) {
    super(scope, id);
    this.dlq = new Queue(this, 'Dlq', {
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
