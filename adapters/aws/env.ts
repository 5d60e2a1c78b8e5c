/**
 * A handler's settings, read from the environment its function is given (names in `ENV` of
 * core/service-spec.ts, set by the stack, or by the local runner) and validated once per container.
 */
import { DEFAULT_WORKER_MEMORY_MB, ENV, parseQueueUrls } from '../../core/service-spec.ts';

type Env = Record<string, string | undefined>;

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
  constructor(readonly missing: string[]) {
    super(`missing environment variable(s): ${missing.join(', ')}`);
  }
}

/** The handler's settings, read from the environment and validated once. */
export interface RuntimeEnv {
  bucket: string;
  /** Shard 0 of the trials queue (TRIALS_QUEUE_URL). */
  trialsQueueUrl: string;
  /**
   * Every trials queue shard (TRIALS_QUEUE_URLS, comma-separated, shard 0 first); undefined when the
   * variable is not set (an environment from before the shards: one queue, TRIALS_QUEUE_URL).
   */
  trialsQueueUrls?: readonly string[] | undefined;
  resultsQueueUrl: string;
  region: string | undefined;
  /** `AWS_ENDPOINT_URL` (LocalStack); when set, S3 uses path-style addressing. */
  endpoint: string | undefined;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
}

export function readEnv(env: Env = process.env): RuntimeEnv {
  const required = [ENV.bucket, ENV.trialsQueueUrl, ENV.resultsQueueUrl] as const;
  const missing = required.filter((k) => !env[k]);
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  const memory = Number(
    env[ENV.workerMemoryMb] ?? env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? DEFAULT_WORKER_MEMORY_MB,
  );
  const arch = env[ENV.arch] ?? (process.arch === 'x64' ? 'x86_64' : 'arm64');
  if (arch !== 'arm64' && arch !== 'x86_64')
    throw new Error(`${ENV.arch} must be arm64 or x86_64, got ${arch}`);
  const shards = parseQueueUrls(env[ENV.trialsQueueUrls]);
  return {
    bucket: env[ENV.bucket]!,
    trialsQueueUrl: env[ENV.trialsQueueUrl]!,
    trialsQueueUrls: shards.length > 0 ? shards : undefined,
    resultsQueueUrl: env[ENV.resultsQueueUrl]!,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    memoryMb: Number.isFinite(memory) && memory > 0 ? memory : DEFAULT_WORKER_MEMORY_MB,
    arch,
  };
}

/** The trials queue's shard URLs of these settings: TRIALS_QUEUE_URLS, else TRIALS_QUEUE_URL alone. */
export function trialShardUrls(settings: RuntimeEnv): readonly string[] {
  return settings.trialsQueueUrls ?? [settings.trialsQueueUrl];
}
