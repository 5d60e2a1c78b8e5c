/** `--backend` and friends, shared by submit/status/leaderboard/report/run. */
import type { Command } from 'commander';
import {
  BACKEND_KINDS,
  type Backend,
  type BackendKind,
  DEFAULT_STORE_DIR,
  isBackendKind,
  openBackend,
} from '../../adapters/backend.ts';
import { UsageError } from './errors.ts';

export interface BackendFlags {
  backend?: string;
  storeDir?: string;
  endpoint?: string;
  stackName?: string;
  region?: string;
}

export function addBackendOptions(
  cmd: Command,
  kinds: readonly BackendKind[] = BACKEND_KINDS,
  def = 'local',
): Command {
  return cmd
    .option('--backend <kind>', `where the sweep lives: ${kinds.join('|')}`, def)
    .option('--store-dir <dir>', 'local backend: store directory', DEFAULT_STORE_DIR)
    .option('--endpoint <url>', 'localstack backend: endpoint (default http://127.0.0.1:4566)')
    .option('--stack-name <name>', 'aws backend: CloudFormation stack (default MlpSweepStack)')
    .option('--region <region>', 'aws backend: region (default from the environment or your AWS profile)');
}

export function backendKind(flags: BackendFlags, kinds: readonly BackendKind[] = BACKEND_KINDS): BackendKind {
  const k = flags.backend ?? 'local';
  if (!isBackendKind(k) || !kinds.includes(k)) {
    throw new UsageError(`--backend must be one of ${kinds.join(', ')}, got ${JSON.stringify(k)}`);
  }
  return k;
}

export function openFromFlags(
  flags: BackendFlags,
  kinds: readonly BackendKind[] = BACKEND_KINDS,
  extra: { workerTimeoutSeconds?: number } = {},
): Promise<Backend> {
  const kind = backendKind(flags, kinds);
  return openBackend(kind, {
    ...(flags.storeDir ? { storeDir: flags.storeDir } : {}),
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    ...(flags.stackName ? { stackName: flags.stackName } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...extra,
  });
}
