/**
 * The S3 and SQS clients of every part of the service, built in one place: the handlers (settings from
 * their environment), the CLI's `--backend aws` and LocalStack. An endpoint (`AWS_ENDPOINT_URL`,
 * LocalStack, any S3-compatible emulator) switches S3 to path-style addressing: emulators on one host
 * name cannot serve virtual-hosted bucket names.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { INITIAL_RETRY_TOKENS, StandardRetryStrategy } from '@smithy/core/retry';

/**
 * SDK attempts per call of the functions' clients (and of the local runner's event source mappings, which
 * play AWS's side). The functions run unattended: a call retried with back-off for a few more seconds
 * costs less than a failed invocation, whose message returns only after its queue's visibility timeout
 * (6 × the function's timeout: 12 min for the results queue, 30 min for submissions). The SDK's default is
 * 3; under 20 % throttling that fails 0.8 % of calls, with 8 attempts 3 in a million
 * (tests/faults/network.test.ts).
 */
export const FUNCTION_MAX_ATTEMPTS = 8;

type RetryToken = Parameters<StandardRetryStrategy['recordSuccess']>[0];
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

/** A token whose success gives back a whole quota (a success refunds its token's retry cost). */
const WHOLE_QUOTA: RetryToken = {
  getRetryCount: () => 0,
  getRetryDelay: () => 0,
  getRetryCost: () => INITIAL_RETRY_TOKENS,
};

/**
 * The functions' retries: the SDK's standard strategy — which errors are retried, FUNCTION_MAX_ATTEMPTS
 * attempts, exponential backoff with jitter, throttling's longer base delay, Retry-After hints — without
 * its retry quota (the "circuit breaker" Java's SDK turns off with `circuitBreakerEnabled(false)`; the JS
 * SDK has no switch, so the quota is filled again before each retry is decided).
 *
 * Why: the quota (500 tokens per client, 14 per retry of a transient error, 5 of a throttle) is refilled
 * only by successes, and a Lambda container keeps its clients for hours. A retry that meets its own write
 * (a conditional put whose response was lost is answered 412 on the retry) is no success, so a storm of lost
 * responses empties the quota for good: every later transient error in that container then fails its
 * invocation at once, and its message waits out the queue's visibility timeout (12 min for results). What
 * the quota guards against — retries piling onto an outage — stays bounded without it: 8 attempts per call
 * with backoff, invocations bounded by the function's timeout, and the event source mapping scaling its
 * concurrency down while invocations fail.
 */
export class FunctionRetryStrategy extends StandardRetryStrategy {
  constructor(maxAttempts = FUNCTION_MAX_ATTEMPTS) {
    super(maxAttempts);
  }

  override refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    this.recordSuccess(WHOLE_QUOTA);
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
}

export interface ClientSettings {
  /** Undefined: the SDK's own resolution (AWS_REGION, the profile's region). */
  region?: string | undefined;
  /** Undefined: the service's regional endpoint. */
  endpoint?: string | undefined;
  /** Undefined: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /**
   * SDK attempts per call (first try + retries), retried by FunctionRetryStrategy (no retry quota): the
   * functions' setting. Undefined: the SDK's defaults (3 attempts, with its quota), as for the CLI.
   */
  maxAttempts?: number | undefined;
}

export function createClients(s: ClientSettings): AwsClients {
  const common = {
    ...(s.region ? { region: s.region } : {}),
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
  };
  // One strategy per client, as the SDK gives each client its own.
  const retries = () =>
    s.maxAttempts !== undefined
      ? { maxAttempts: s.maxAttempts, retryStrategy: new FunctionRetryStrategy(s.maxAttempts) }
      : {};
  return {
    s3: new S3Client({ ...common, ...retries(), ...(s.endpoint ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient({ ...common, ...retries() }),
  };
}

type Env = Record<string, string | undefined>;

/** Region and endpoint as the SDK reads them from an environment (AWS_REGION, AWS_ENDPOINT_URL). */
export function clientSettingsFromEnv(env: Env = process.env): Pick<ClientSettings, 'region' | 'endpoint'> {
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    endpoint: env.AWS_ENDPOINT_URL || undefined,
  };
}
