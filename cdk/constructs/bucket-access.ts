/**
 * Least-privilege S3 access by key pattern, with explicit actions only (the `grantRead`/`grantWrite`
 * helpers would add wildcard actions such as `s3:GetObject*` and `s3:List*`).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';

export interface BucketAccess {
  /** Key patterns readable with GetObject, e.g. `sweeps/*`. */
  read?: string[];
  /** Key patterns writable with PutObject (+ PutObjectTagging for object tags). Never DeleteObject. */
  write?: string[];
}

/**
 * Grants `access` on `bucket` to `role`, plus `s3:ListBucket` on the bucket: the
 * store lists prefixes, and S3 answers a GET of a missing key with 404 (read by the store as "absent")
 * only to callers that may list the bucket; without it the answer is 403.
 *
 * Key patterns end in `*` (ids are only known at run time), which cdk-nag's AwsSolutions-IAM5 reports:
 * each such resource is acknowledged here, finding by finding, with the reason.
 */
export function grantBucketAccess(role: Role, bucket: Bucket, access: BucketAccess): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  const read = access.read ?? [];
  const write = access.write ?? [];
  if (read.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: read.map((k) => bucket.arnForObjects(k)) }),
    );
  }
  if (write.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: write.map((k) => bucket.arnForObjects(k)),
      }),
    );
  }
  const stack = Stack.of(bucket);
  const bucketLogicalId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket)) as string;
  for (const pattern of new Set([...read, ...write])) {
    if (!pattern.includes('*')) continue;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${pattern}]`,
      reason: `Object access is limited to the key pattern ${pattern} of the one sweep bucket; sweep, trial and data set ids are only known at run time.`,
    });
  }
}
