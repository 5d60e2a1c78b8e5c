/**
 * Where a sweep's store and queues live, by backend kind:
 *
 * - `local`: FsBlobStore under `.sweep/store` (or `storeDir`); queues are in-process (created by the
 *   embedded runner that owns them, so none are returned here).
 * - `localstack`: S3 + SQS in LocalStack on 127.0.0.1:4566 (path-style, credentials `test`/`test`,
 *   us-east-1), after an idempotent bootstrap of the bucket and queues from `serviceSpec()`.
 * - `aws`: the deployed stack's resources, from the CloudFormation outputs of `MlpSweepStack`
 *   (adapters/aws/stack.ts); default credential chain; the region from --region, else the SDK's (a
 *   missing one is an error that says how to set it); AWS_ENDPOINT_URL honoured as the handlers do.
 *
 * The trials queue is a ShardedQueue over its shards (LocalStack and AWS alike), so trials spread evenly
 * over the shards' event source mappings; `env` carries every shard in TRIALS_QUEUE_URLS.
 *
 * `env` is a function's whole environment: what the stack sets (names in `ENV`) and the runtime's AWS_*
 * (region; for LocalStack the endpoint and its credentials), so the local runner can run the handler modules
 * in child processes exactly as Lambda would.
 */
import type { BlobStore, Queues } from '../core/ports.ts';
import { DEFAULT_STACK_NAME, ENV } from '../core/service-spec.ts';
import { createClients } from './aws/clients.ts';
import { readStack, resolveRegion, type StackResources } from './aws/stack.ts';
import {
  bootstrapLocalstack,
  DEFAULT_LOCAL_PREFIX,
  LOCAL_WORKER_TIMEOUT_SECONDS,
} from './localstack/bootstrap.ts';
import {
  LOCALSTACK_CREDENTIALS,
  LOCALSTACK_DEFAULT_ENDPOINT,
  LOCALSTACK_REGION,
  localstackClients,
  localstackHealthy,
} from './localstack/clients.ts';
import { SqsQueue, shardedSqsQueue, sqsQueueAt } from './queue/sqs.ts';
import { FsBlobStore } from './store/fs.ts';
import { S3BlobStore } from './store/s3.ts';

export type BackendKind = 'local' | 'localstack' | 'aws';
export const BACKEND_KINDS: readonly BackendKind[] = ['local', 'localstack', 'aws'];
export const DEFAULT_STORE_DIR = '.sweep/store';
export { DEFAULT_STACK_NAME };

export interface BackendOptions {
  storeDir?: string;
  stackName?: string;
  endpoint?: string;
  region?: string;
  /** LocalStack: resource name prefix (tests use their own) and the worker timeout the queues follow. */
  prefix?: string;
  workerTimeoutSeconds?: number;
  /** LocalStack: trial queue shards to create and use (default: the stack's default). */
  trialQueueShards?: number;
}

export interface Backend {
  kind: BackendKind;
  store: BlobStore;
  queues?: Queues;
  /** Handler environment (ENV names + AWS_* for LocalStack). */
  env?: Record<string, string>;
  /** The trials dead-letter queue (the aggregator turns its messages into failed results). */
  trialsDlq?: SqsQueue;
  /** Human-readable location, for messages. */
  where: string;
}

/** The backend cannot be reached or is not set up (a runtime failure, with a hint). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

export function isBackendKind(s: string): s is BackendKind {
  return (BACKEND_KINDS as readonly string[]).includes(s);
}

export async function openBackend(kind: BackendKind, opts: BackendOptions = {}): Promise<Backend> {
  if (kind === 'local') {
    const dir = opts.storeDir ?? DEFAULT_STORE_DIR;
    return { kind, store: new FsBlobStore(dir), where: `files under ${dir}` };
  }
  if (kind === 'localstack') {
    const endpoint = opts.endpoint ?? process.env.LOCALSTACK_ENDPOINT ?? LOCALSTACK_DEFAULT_ENDPOINT;
    if (!(await localstackHealthy(endpoint))) {
      throw new BackendUnavailableError(
        `LocalStack is not running at ${endpoint} (start it with: npm run localstack:start)`,
      );
    }
    const c = localstackClients(endpoint, opts.region ?? LOCALSTACK_REGION);
    const r = await bootstrapLocalstack(c, {
      prefix: opts.prefix ?? DEFAULT_LOCAL_PREFIX,
      workerTimeoutSeconds: opts.workerTimeoutSeconds ?? LOCAL_WORKER_TIMEOUT_SECONDS,
      ...(opts.trialQueueShards !== undefined ? { trialQueueShards: opts.trialQueueShards } : {}),
    });
    const queues: Queues = {
      submissions: new SqsQueue(c.sqs, r.queueUrls.submissions, r.queueNames.submissions),
      trials: shardedSqsQueue(c.sqs, r.shardUrls.trials),
      results: new SqsQueue(c.sqs, r.queueUrls.results, r.queueNames.results),
    };
    const env: Record<string, string> = {
      [ENV.bucket]: r.bucket,
      [ENV.submissionsQueueUrl]: r.queueUrls.submissions,
      [ENV.trialsQueueUrls]: r.shardUrls.trials.join(','),
      [ENV.resultsQueueUrl]: r.queueUrls.results,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.region,
      AWS_ACCESS_KEY_ID: LOCALSTACK_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCALSTACK_CREDENTIALS.secretAccessKey,
    };
    return {
      kind,
      store: new S3BlobStore(c.s3, r.bucket),
      queues,
      env,
      trialsDlq: new SqsQueue(c.sqs, r.dlqUrls.trials, `${r.queueNames.trials}-dlq`),
      where: `LocalStack at ${endpoint} (bucket ${r.bucket})`,
    };
  }
  const stackName = opts.stackName ?? DEFAULT_STACK_NAME;
  const region = await resolveRegion(opts.region);
  const endpoint = process.env.AWS_ENDPOINT_URL || undefined;
  return awsBackend(stackName, await readStack(stackName, region, endpoint), region);
}

/**
 * The aws backend on a stack's resources. With AWS_ENDPOINT_URL set (the stack deployed into an emulator)
 * the clients go there, S3 path-style, as the handlers' do (adapters/aws/clients.ts).
 */
export function awsBackend(
  stackName: string,
  r: StackResources,
  region: string,
  env: Record<string, string | undefined> = process.env,
): Backend {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const { s3, sqs } = createClients({ region, endpoint });
  return {
    kind: 'aws',
    store: new S3BlobStore(s3, r.bucket),
    queues: {
      submissions: sqsQueueAt(sqs, r.submissionsQueueUrl),
      trials: shardedSqsQueue(sqs, r.trialsQueueUrls),
      results: sqsQueueAt(sqs, r.resultsQueueUrl),
    },
    env: {
      [ENV.bucket]: r.bucket,
      [ENV.submissionsQueueUrl]: r.submissionsQueueUrl,
      [ENV.trialsQueueUrls]: r.trialsQueueUrls.join(','),
      [ENV.resultsQueueUrl]: r.resultsQueueUrl,
      AWS_REGION: region,
      ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
    },
    ...(r.trialsDlqUrl ? { trialsDlq: sqsQueueAt(sqs, r.trialsDlqUrl) } : {}),
    where: `AWS stack ${stackName} in ${region} (bucket ${r.bucket}${endpoint ? ` at ${endpoint}` : ''})`,
  };
}
