/**
 * The S3 and SQS clients of every part of the service, built in one place: the handlers (settings from
 * their environment), the CLI's `--backend aws` and LocalStack. An endpoint (`AWS_ENDPOINT_URL`,
 * LocalStack, any S3-compatible emulator) switches S3 to path-style addressing: emulators on one host
 * name cannot serve virtual-hosted bucket names.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK attempts per call of the functions' clients (and of the local runner's event source mappings, which
 * play AWS's side). The functions run unattended: a call retried with back-off for a few more seconds
 * costs less than a failed invocation, whose message returns only after its queue's visibility timeout
 * (6 × the function's timeout: 12 min for the results queue, 30 min for submissions). The SDK's default is
 * 3; under 20 % throttling that fails 0.8 % of calls, with 8 attempts 3 in a million
 * (tests/faults/network.test.ts).
 */
export const FUNCTION_MAX_ATTEMPTS = 8;

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
  /** SDK attempts per call (first try + retries); undefined: the SDK's default (3). */
  maxAttempts?: number | undefined;
}

export function createClients(s: ClientSettings): AwsClients {
  const common = {
    ...(s.region ? { region: s.region } : {}),
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    ...(s.maxAttempts !== undefined ? { maxAttempts: s.maxAttempts } : {}),
  };
  return {
    s3: new S3Client({ ...common, ...(s.endpoint ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient(common),
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
