/**
 * The stack's settings, from CDK context (`cdk.json` "context", or `-c key=value` on the command line).
 * Every key is optional; defaults come from serviceSpec() in core/service-spec.ts.
 *
 *   stackName             CloudFormation stack name                       MlpSweepStack
 *   workerMemoryMb        worker Lambda memory, 128..10240 MB             1769 (one full vCPU)
 *   workerMaxConcurrency  max concurrent workers, total over the shards   50   (2..1000)
 *   trialQueueShards      trial queues, one worker event source each      4    (1..10; 1 = one queue)
 *   workerMinPollers      provisioned-mode pollers for the worker queue   off  (2..200; replaces workerMaxConcurrency)
 *   workerMaxPollers      provisioned-mode maximum pollers                200  (2..2000)
 *   workerTimeoutSeconds  worker Lambda timeout, 60..900 s                900
 *   logRetentionDays      CloudWatch Logs retention (a valid value)       30
 *   checkpointExpiryDays  days before checkpoints expire                  7
 *   accessLogExpiryDays   days before S3 server access logs expire        90
 *   bucketVersioning      keep old object versions (noncurrent expire)    false
 *   tracing               X-Ray active tracing on the three functions      false
 *   retainData            keep the bucket on `cdk destroy`                true
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_STACK_NAME, MAX_TRIAL_QUEUE_SHARDS } from '../core/service-spec.ts';
import type { SweepStackSettings } from './sweep-stack.ts';

export const CONTEXT_KEYS = [
  'stackName',
  'workerMemoryMb',
  'workerMaxConcurrency',
  'trialQueueShards',
  'workerMinPollers',
  'workerMaxPollers',
  'workerTimeoutSeconds',
  'logRetentionDays',
  'checkpointExpiryDays',
  'accessLogExpiryDays',
  'bucketVersioning',
  'tracing',
  'retainData',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class InvalidContextError extends Error {
  override readonly name = 'InvalidContextError';
}

const RETENTIONS = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0),
);

function int(key: ContextKey, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidContextError(
      `context ${key} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function bool(key: ContextKey, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new InvalidContextError(`context ${key} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Reads and validates the stack settings; `get` is `node.tryGetContext`. */
export function settingsFromContext(
  get: (key: string) => unknown,
): SweepStackSettings & { stackName: string } {
  const stackName = get('stackName');
  if (
    stackName !== undefined &&
    (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))
  ) {
    throw new InvalidContextError(
      `context stackName must match [A-Za-z][A-Za-z0-9-]*, got ${JSON.stringify(stackName)}`,
    );
  }
  const logRetentionDays = int('logRetentionDays', get('logRetentionDays'), 1, 3653);
  if (logRetentionDays !== undefined && !RETENTIONS.has(logRetentionDays)) {
    throw new InvalidContextError(
      `context logRetentionDays must be one of ${[...RETENTIONS].sort((a, b) => a - b).join(', ')}, got ${logRetentionDays}`,
    );
  }
  const s: SweepStackSettings & { stackName: string } = {
    stackName: (stackName as string | undefined) ?? DEFAULT_STACK_NAME,
    workerMemoryMb: int('workerMemoryMb', get('workerMemoryMb'), 128, 10240),
    workerMaxConcurrency: int('workerMaxConcurrency', get('workerMaxConcurrency'), 2, 1000),
    trialQueueShards: int('trialQueueShards', get('trialQueueShards'), 1, MAX_TRIAL_QUEUE_SHARDS),
    workerMinPollers: int('workerMinPollers', get('workerMinPollers'), 2, 200),
    workerMaxPollers: int('workerMaxPollers', get('workerMaxPollers'), 2, 2000),
    workerTimeoutSeconds: int('workerTimeoutSeconds', get('workerTimeoutSeconds'), 60, 900),
    logRetentionDays,
    checkpointExpiryDays: int('checkpointExpiryDays', get('checkpointExpiryDays'), 1, 3650),
    accessLogExpiryDays: int('accessLogExpiryDays', get('accessLogExpiryDays'), 1, 3650),
    bucketVersioning: bool('bucketVersioning', get('bucketVersioning')),
    tracing: bool('tracing', get('tracing')),
    retainData: bool('retainData', get('retainData')),
  };
  return s;
}
