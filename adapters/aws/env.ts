/**
 * A handler's settings, read from the environment its function is given (names in `ENV` of
 * core/service-spec.ts, set by the stack, or by the local runner) and validated once per container.
 */
import { DEFAULT_WORKER_MEMORY_MB, ENV, parseQueueUrls } from '../../core/service-spec.ts';

type Env = Record<string, string | undefined>;

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
  constructor(readonly missing: string[]) {
    super(
      `missing environment variable(s): ${missing.join(', ')} (the stack sets them on every function; ` +
        'a local runner passes the backend’s)',
    );
  }
}

export class InvalidEnvironmentError extends Error {
  override readonly name = 'InvalidEnvironmentError';
}

export interface RuntimeEnv {
  bucket: string;
  /** Every trials queue shard (TRIALS_QUEUE_URLS, comma-separated, shard 0 first; one for one shard). */
  trialsQueueUrls: readonly string[];
  resultsQueueUrl: string;
  region: string | undefined;
  /** `AWS_ENDPOINT_URL` (LocalStack); when set, S3 uses path-style addressing. */
  endpoint: string | undefined;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
}

export function readEnv(env: Env = process.env): RuntimeEnv {
  const required = [ENV.bucket, ENV.trialsQueueUrls, ENV.resultsQueueUrl] as const;
  const missing = required.filter((k) => !env[k]);
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  const memory = Number(
    env[ENV.workerMemoryMb] ?? env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? DEFAULT_WORKER_MEMORY_MB,
  );
  const arch = env[ENV.arch] ?? (process.arch === 'x64' ? 'x86_64' : 'arm64');
  if (arch !== 'arm64' && arch !== 'x86_64') {
    throw new InvalidEnvironmentError(
      `${ENV.arch} must be arm64 or x86_64, got ${JSON.stringify(arch)} (set it to the functions' architecture)`,
    );
  }
  const shards = parseQueueUrls(env[ENV.trialsQueueUrls]);
  if (shards.length === 0) {
    throw new InvalidEnvironmentError(
      `${ENV.trialsQueueUrls} must list at least one queue URL (comma-separated), got ${JSON.stringify(env[ENV.trialsQueueUrls])}`,
    );
  }
  return {
    bucket: env[ENV.bucket]!,
    trialsQueueUrls: shards,
    resultsQueueUrl: env[ENV.resultsQueueUrl]!,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    memoryMb: Number.isFinite(memory) && memory > 0 ? memory : DEFAULT_WORKER_MEMORY_MB,
    arch,
  };
}
