/**
 * vitest globalSetup: makes LocalStack available to the tests that need it, and never leaves it running.
 *
 * LocalStack is started lazily, by the first test file that calls `ensureLocalstack()` (tests/setup/
 * localstack-env.ts), through `scripts/localstack.sh start` (which installs the venv if missing and is
 * flock-guarded against parallel workers). A run of tests that need no LocalStack never starts it.
 * Teardown stops it if this run started it (a marker file named after the run id), and leaves alone a
 * LocalStack that was already running before (a developer's `npm run localstack:start`).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LOCALSTACK_DEFAULT_ENDPOINT } from '../../adapters/localstack/clients.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localstackEndpoint: string;
    testRunId: string;
  }
}

const REPO = join(import.meta.dirname, '..', '..');

export function startedMarker(runId: string): string {
  return join(REPO, '.localstack', `started-by-${runId}`);
}

export default function setup(project: TestProject): () => void {
  const endpoint = process.env.LOCALSTACK_ENDPOINT ?? LOCALSTACK_DEFAULT_ENDPOINT;
  const runId = randomUUID();
  project.provide('localstackEndpoint', endpoint);
  project.provide('testRunId', runId);
  process.env.LOCALSTACK_ENDPOINT = endpoint; // for code under test that reads the environment
  let stopped = false;
  const stopIfOurs = () => {
    if (stopped) return;
    stopped = true;
    const marker = startedMarker(runId);
    if (!existsSync(marker)) return;
    rmSync(marker, { force: true });
    execFileSync('bash', [join(REPO, 'scripts', 'localstack.sh'), 'stop'], { stdio: 'inherit' });
  };
  // Also when the run is cut short (Ctrl-C, a crash): never leave LocalStack running.
  process.once('exit', stopIfOurs);
  return stopIfOurs;
}
