/**
 * For tests that need LocalStack: `const endpoint = await ensureLocalstack()` in a beforeAll (allow a long
 * hook timeout: the first start may install the venv). Starts it if nobody has, and records that this
 * test run started it so the global teardown stops it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { localstackHealthy } from '../../adapters/localstack/clients.ts';

const REPO = join(import.meta.dirname, '..', '..');

export async function ensureLocalstack(): Promise<string> {
  const endpoint = inject('localstackEndpoint');
  if (await localstackHealthy(endpoint)) return endpoint;
  if (process.env.SWEEP_NO_LOCALSTACK_START === '1') {
    throw new Error(`LocalStack is not running at ${endpoint} and SWEEP_NO_LOCALSTACK_START=1`);
  }
  const port = new URL(endpoint).port || '4566';
  const { stderr } = await promisify(execFile)('bash', [join(REPO, 'scripts', 'localstack.sh'), 'start'], {
    env: { ...process.env, LOCALSTACK_PORT: port },
    timeout: 15 * 60_000,
  });
  if (/ready \(pid \d+\)/.test(stderr)) {
    const marker = join(REPO, '.localstack', `started-by-${inject('testRunId')}`);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, `${process.pid}\n`);
  }
  if (!(await localstackHealthy(endpoint)))
    throw new Error(`LocalStack did not become healthy at ${endpoint}`);
  return endpoint;
}
