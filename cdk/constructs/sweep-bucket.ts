/**
 * The sweep bucket (layout: core/layout.ts) and its server-access-log bucket. Public access blocked,
 * S3-managed encryption, TLS enforced by bucket policy, checkpoints (objects tagged `kind=checkpoint`)
 * expire, incomplete multipart uploads are aborted.
 *
 *   datasets/<name>/<version>/manifest.json, shard-*.bin   prepared data sets (`sweep data push`)
 *   sweeps/<id>/sweep.json, state.json, aggregate.json       one sweep
 *   sweeps/<id>/trials/<trial>/result.json, weights…, checkpoint.bin, enqueued.json, progress.json
 *   sweeps/<id>/leaderboard.json|csv|md, report.html
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SweepBucketProps {
  checkpointExpiryDays: number;
  accessLogExpiryDays: number;
  versioned: boolean;
  /** Keep the buckets when the stack is deleted. */
  retain: boolean;
}

export const CHECKPOINT_TAG = { key: 'kind', value: 'checkpoint' } as const;

export class SweepBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: SweepBucketProps) {
    super(scope, id);
    // cdk-nag's AwsSolutions-S1 (server access logs) treats a bucket that receives access logs as compliant.
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(props.accessLogExpiryDays) },
        { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'sweep-bucket/',
      removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-checkpoints',
          prefix: 'sweeps/',
          tagFilters: { [CHECKPOINT_TAG.key]: CHECKPOINT_TAG.value },
          expiration: Duration.days(props.checkpointExpiryDays),
          ...(props.versioned ? { noncurrentVersionExpiration: Duration.days(1) } : {}),
        },
        {
          id: 'abort-multipart',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          ...(props.versioned ? { noncurrentVersionExpiration: Duration.days(30) } : {}),
        },
      ],
    });
  }
}
