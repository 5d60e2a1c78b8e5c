/** SDK clients for LocalStack on the host: path-style S3, dummy credentials, us-east-1. */
import { type AwsClients, createClients, FUNCTION_MAX_ATTEMPTS } from '../aws/clients.ts';

export const LOCALSTACK_DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';
export const LOCALSTACK_REGION = 'us-east-1';
export const LOCALSTACK_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalstackClients extends AwsClients {
  endpoint: string;
  region: string;
}

export function localstackClients(
  endpoint: string = process.env.LOCALSTACK_ENDPOINT ?? LOCALSTACK_DEFAULT_ENDPOINT,
  region: string = LOCALSTACK_REGION,
): LocalstackClients {
  return {
    endpoint,
    region,
    // The local runner's event source mappings use these clients: they retry as the functions do.
    ...createClients({
      endpoint,
      region,
      credentials: LOCALSTACK_CREDENTIALS,
      maxAttempts: FUNCTION_MAX_ATTEMPTS,
    }),
  };
}

/** True when LocalStack answers its health endpoint with S3 and SQS up. */
export async function localstackHealthy(endpoint: string = LOCALSTACK_DEFAULT_ENDPOINT): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return false;
    const body = (await res.json()) as { services?: Record<string, string> };
    const ok = (s: string | undefined) => s === 'running' || s === 'available';
    return ok(body.services?.s3) && ok(body.services?.sqs);
  } catch {
    return false;
  }
}
