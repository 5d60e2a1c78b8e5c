/**
 * `npm run bench -- data [--json] [--runs N] [--endpoint URL]`: how fast full MNIST gets into a worker.
 *
 * Figures (median of N runs, one JSON line each with --json):
 *   idx_read              gunzip + parse the four MNIST .gz files from ../shared/data/mnist
 *   prepare_local         write shards + manifest to a fresh local files store
 *   load_local_cold       worker load from the local store: no memo, no /tmp cache (node:crypto sha256)
 *   load_local_cold_noble the same with the pure-JS @noble/hashes sha256 (the core default) — peer
 *   load_local_tmpcache   new process on a warm Lambda: memo gone, shards in the /tmp cache
 *   load_memo             same process: module-scope memo hit
 *   load_localstack_cold  worker load from LocalStack S3 (goal ≤ 1.5 s), when LocalStack answers
 *   load_localstack_tmpcache
 * Ratios to the local cold load are reported alongside.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIdxDirectoryWithSource } from '../../adapters/data/idx-files.ts';
import { clearDatasetMemo, createDatasetLoader, nodeSha256 } from '../../adapters/data/loader.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { loadFromStore, prepareDataset } from '../../core/data/prepare.ts';
import type { DatasetRef } from '../../core/dataset.ts';
import type { BlobStore } from '../../core/ports.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MNIST_DIR = resolve(REPO, '..', 'shared', 'data', 'mnist');
const GOAL_LOCALSTACK_MS = 1500;

interface Figure {
  figure: string;
  ms: number;
  runs: number;
  [k: string]: unknown;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(
  runs: number,
  before: () => void | Promise<void>,
  fn: () => Promise<unknown>,
): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before();
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return Math.round(median(out) * 100) / 100;
}

type OpenBackend = (
  kind: 'localstack',
  opts: { endpoint?: string },
) => Promise<{ store: BlobStore; kind: string }>;

/** LocalStack's store through adapters/backend.ts's openBackend, or why not. */
async function localstackStore(
  endpoint: string,
): Promise<{ store: BlobStore; via: string } | { skipped: string }> {
  const clientsPath = '../../adapters/localstack/clients.ts';
  const { localstackHealthy } = (await import(clientsPath)) as {
    localstackHealthy: (e: string) => Promise<boolean>;
  };
  if (!(await localstackHealthy(endpoint))) {
    return { skipped: `LocalStack is not reachable at ${endpoint} (start it with npm run localstack:start)` };
  }
  const backendPath = '../../adapters/backend.ts';
  try {
    const { openBackend } = (await import(backendPath)) as { openBackend: OpenBackend };
    return { store: (await openBackend('localstack', { endpoint })).store, via: 'openBackend' };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  // Until adapters/backend.ts exists: S3BlobStore on a bench bucket in the same LocalStack.
  const { localstackClients } = (await import(clientsPath)) as {
    localstackClients: (e: string) => { s3: unknown };
  };
  const bootstrapPath = '../../adapters/localstack/bootstrap.ts';
  const s3Path = '../../adapters/store/s3.ts';
  const { ensureBucket } = (await import(bootstrapPath)) as {
    ensureBucket: (c: unknown, bucket: string) => Promise<void>;
  };
  const { S3BlobStore } = (await import(s3Path)) as {
    S3BlobStore: new (client: unknown, bucket: string) => BlobStore;
  };
  const clients = localstackClients(endpoint);
  const bucket = 'mlp-sweep-bench-data';
  await ensureBucket(clients, bucket);
  return {
    store: new S3BlobStore(clients.s3, bucket),
    via: `S3BlobStore bucket ${bucket} (no openBackend yet)`,
  };
}

export default async function (args: string[]): Promise<void> {
  const json = args.includes('--json');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1]) || 3) : 3;
  const epArg = args.indexOf('--endpoint');
  const endpoint =
    epArg >= 0 ? args[epArg + 1]! : (process.env.LOCALSTACK_ENDPOINT ?? 'http://127.0.0.1:4566');
  const figures: Figure[] = [];
  const emit = (f: Figure) => {
    figures.push(f);
    if (json) process.stdout.write(`${JSON.stringify({ suite: 'data', ...f })}\n`);
    else {
      const extra = Object.entries(f)
        .filter(([k]) => !['figure', 'ms', 'runs'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
        .join(' ');
      process.stdout.write(`${f.figure.padEnd(26)} ${String(f.ms).padStart(8)} ms  ${extra}\n`);
    }
  };
  const info = (o: Record<string, unknown>) => {
    if (json) process.stdout.write(`${JSON.stringify({ suite: 'data', ...o })}\n`);
    else process.stdout.write(`${JSON.stringify(o)}\n`);
  };

  const work = mkdtempSync(join(tmpdir(), 'bench-data-'));
  try {
    let resolved: Awaited<ReturnType<typeof loadIdxDirectoryWithSource>> | undefined;
    const idxMs = await time(
      runs,
      () => {},
      async () => {
        resolved = await loadIdxDirectoryWithSource(MNIST_DIR, { name: 'mnist' });
      },
    );
    const { dataset, source } = resolved!;
    emit({ figure: 'idx_read', ms: idxMs, runs, samples: dataset.train.count + dataset.test.count });

    let storeRoot = '';
    let ref: DatasetRef = { name: 'mnist', version: '' };
    let bytes = 0;
    const prepMs = await time(
      runs,
      () => {
        storeRoot = mkdtempSync(join(work, 'store-'));
      },
      async () => {
        const r = await prepareDataset(new FsBlobStore(storeRoot), dataset, source, { hash: nodeSha256 });
        ref = { name: r.manifest.name, version: r.manifest.version };
        bytes = [...r.manifest.train, ...r.manifest.test].reduce((s, e) => s + e.bytes, 0);
      },
    );
    emit({ figure: 'prepare_local', ms: prepMs, runs, mb: bytes / 1e6 });
    const local = new FsBlobStore(storeRoot);

    const cold = await time(
      runs,
      () => clearDatasetMemo(),
      () => createDatasetLoader(local, { tmpDir: false }).load(ref),
    );
    emit({ figure: 'load_local_cold', ms: cold, runs, mb: bytes / 1e6, mb_per_s: bytes / 1e3 / cold });
    const noble = await time(
      runs,
      () => {},
      () => loadFromStore(local, ref),
    );
    emit({ figure: 'load_local_cold_noble', ms: noble, runs, ratio_to_local_cold: noble / cold });
    const cacheDir = join(work, 'tmpcache');
    clearDatasetMemo();
    await createDatasetLoader(local, { tmpDir: cacheDir }).load(ref); // fills the /tmp cache
    const tmpCache = await time(
      runs,
      () => clearDatasetMemo(),
      () => createDatasetLoader(local, { tmpDir: cacheDir }).load(ref),
    );
    emit({ figure: 'load_local_tmpcache', ms: tmpCache, runs, ratio_to_local_cold: tmpCache / cold });
    const memo = await time(
      runs,
      () => {},
      () => createDatasetLoader(local, { tmpDir: cacheDir }).load(ref),
    );
    emit({ figure: 'load_memo', ms: memo, runs, ratio_to_local_cold: memo / cold });
    const k1 = await time(
      runs,
      () => clearDatasetMemo(),
      () => createDatasetLoader(local, { tmpDir: false }).load(ref, { trainShards: 1 }),
    );
    emit({ figure: 'load_local_cold_1_shard', ms: k1, runs, ratio_to_local_cold: k1 / cold });

    const ls = await localstackStore(endpoint);
    if ('skipped' in ls) {
      info({ figure: 'load_localstack_cold', skipped: true, reason: ls.skipped });
    } else {
      const p = await prepareDataset(ls.store, dataset, source, { hash: nodeSha256 });
      info({ figure: 'prepare_localstack', skipped_existing: p.skipped, written: p.written, via: ls.via });
      const lsCold = await time(
        runs,
        () => clearDatasetMemo(),
        () => createDatasetLoader(ls.store, { tmpDir: false }).load(ref),
      );
      emit({
        figure: 'load_localstack_cold',
        ms: lsCold,
        runs,
        goal_ms: GOAL_LOCALSTACK_MS,
        meets_goal: lsCold <= GOAL_LOCALSTACK_MS,
        ratio_to_local_cold: lsCold / cold,
        via: ls.via,
      });
      const lsDir = join(work, 'tmpcache-ls');
      clearDatasetMemo();
      await createDatasetLoader(ls.store, { tmpDir: lsDir }).load(ref); // fills the /tmp cache
      const lsCache = await time(
        runs,
        () => clearDatasetMemo(),
        () => createDatasetLoader(ls.store, { tmpDir: lsDir }).load(ref),
      );
      emit({
        figure: 'load_localstack_tmpcache',
        ms: lsCache,
        runs,
        ratio_to_localstack_cold: lsCache / lsCold,
      });
    }
  } finally {
    clearDatasetMemo();
    rmSync(work, { recursive: true, force: true });
  }
}
