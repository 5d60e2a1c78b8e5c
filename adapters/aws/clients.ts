/**
 * The S3 and SQS clients of every part of the service, built in one place: the handlers (settings from
 * their environment), the CLI's `--backend aws` and LocalStack. An endpoint (`AWS_ENDPOINT_URL`,
 * LocalStack, any S3-compatible emulator) switches S3 to path-style addressing: emulators on one host
 * name cannot serve virtual-hosted bucket names.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

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
