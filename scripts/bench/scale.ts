/**
 * `npm run bench -- scale [--json] [--trials 1000] [--concurrency 1000] [--trial-seconds s] [--s3-mbps 90]`
 *
 * Projects a 1000-trial sweep at concurrency 1000 on Lambda with the scale model (core/sim) from figures
 * measured in the same run:
 *  - trial: one quickstart trial (the first config of sweeps/quickstart.json) trained and tested on full
 *    MNIST (/work/shared/data/mnist, else mnist-mini with a notice) with createTrainer — or --trial-seconds;
 *  - module init: a fresh Node process importing the worker's Lambda bundle, built here with esbuild with
 *    the stack's options (BUNDLE_OPTIONS: ESM, minified, everything bundled), median of 3;
 *  - data load: the worker's DatasetLoader reading the prepared shards (sha256-verified, decoded) from an
 *    in-memory store, plus the S3 transfer of those bytes at --s3-mbps (an assumption: default 90 MB/s,
 *    a single-stream in-region GET; not measurable here).
 * Cold start = module init + data load. Peers side by side: the standard SQS event source on one trials
 * queue, the same on the stack's default trial queue shards (one event source mapping each, each ramping
 * on its own — core/service-spec.ts DEFAULT_TRIAL_QUEUE_SHARDS), and provisioned mode with 100 minimum pollers
 * on one queue; the goal is wall ≤ one trial + 60 s, and each line reports wall/goal. Also the
 * 60-per-minute rule of before Nov 2023 (one queue), for reference.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { loadIdxDirectory } from '../../adapters/data/idx-files.ts';
import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { BUNDLE_OPTIONS } from '../../cdk/constructs/sweep-function.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import type { Dataset } from '../../core/dataset.ts';
import { createTrainer } from '../../core/nn/index.ts';
import { DEFAULT_TRIAL_QUEUE_SHARDS } from '../../core/service-spec.ts';
import { type SimOptions, type SimResult, simulate, uniformTrials } from '../../core/sim/index.ts';
import { expandTrials, parseSweep } from '../../core/sweep/index.ts';
import { coldImportMs } from './bundles.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MNIST_DIR = fileURLToPath(new URL('../../../shared/data/mnist/', import.meta.url));

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function loadData(): Promise<{ data: Dataset; source: string; full: boolean }> {
  if (existsSync(MNIST_DIR)) {
    const data = await loadIdxDirectory(MNIST_DIR, { name: 'mnist' });
    return { data, source: `mnist ${data.train.count}/${data.test.count}`, full: true };
  }
  return {
    data: loadMnistMini(),
    source: 'mnist-mini (NOTICE: full MNIST not found; trial time is not a full-MNIST figure)',
    full: false,
  };
}

/** Median ms to import the worker's Lambda bundle (built with the stack's options) in a fresh process. */
async function moduleInitMs(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  try {
    const out = join(dir, 'worker.mjs');
    await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      banner: { js: BUNDLE_OPTIONS.banner },
      entryPoints: [join(ROOT, 'lambdas/worker.ts')],
      bundle: true,
      outfile: out,
      logLevel: 'error',
    });
    return coldImportMs(pathToFileURL(out).href, [], 3, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds for a fresh DatasetLoader to load the prepared set from a store, and the bytes it read. */
async function dataLoad(data: Dataset): Promise<{ seconds: number; bytes: number }> {
  const store = new MemoryBlobStore();
  const { manifest } = await prepareDataset(store, data, []);
  let bytes = 0;
  for (const k of await store.list('')) bytes += (await store.get(k))?.body.byteLength ?? 0;
  const loader = createDatasetLoader(store, { tmpDir: false });
  const t = performance.now();
  await loader.load({ name: manifest.name, version: manifest.version });
  return { seconds: (performance.now() - t) / 1000, bytes };
}

function quickstartTrialSeconds(data: Dataset): {
  seconds: number;
  epochs: number;
  net: string;
  acc: number;
} {
  const p = parseSweep(readFileSync(join(ROOT, 'sweeps/quickstart.json'), 'utf8'), {
    filename: 'quickstart.json',
  });
  if (!p.ok) throw new Error('sweeps/quickstart.json does not parse');
  const config = expandTrials(p.value)[0]!.config;
  const t0 = performance.now();
  const trainer = createTrainer(config, data);
  while (trainer.status === 'running') trainer.runEpoch();
  const test = trainer.evaluateTest(10);
  return {
    seconds: (performance.now() - t0) / 1000,
    epochs: config.epochs,
    net: config.layers.join('-'),
    acc: test.accuracy,
  };
}

export default async function scale(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const trials = Number(opt(args, 'trials') ?? '1000');
  const concurrency = Number(opt(args, 'concurrency') ?? '1000');
  const s3Mbps = Number(opt(args, 's3-mbps') ?? '90');
  const emit = (o: Record<string, unknown>, text: string) =>
    console.log(json ? JSON.stringify({ suite: 'scale', ...o }) : text);

  const { data, source, full } = await loadData();
  const initMs = await moduleInitMs();
  emit(
    {
      figure: 'module_init_ms',
      value: Math.round(initMs),
      how: 'fresh node importing the esbuild worker bundle, median of 3',
    },
    `module init: ${initMs.toFixed(0)} ms (worker bundle, median of 3)`,
  );
  const load = await dataLoad(data);
  const transferS = load.bytes / (s3Mbps * 1e6);
  emit(
    {
      figure: 'data_load_s',
      value: r3(load.seconds),
      bytes: load.bytes,
      s3_transfer_s: r3(transferS),
      s3_mbps_assumed: s3Mbps,
      source,
    },
    `data load:   ${load.seconds.toFixed(2)} s verify+decode of ${(load.bytes / 1e6).toFixed(1)} MB + ${transferS.toFixed(2)} s S3 transfer at an assumed ${s3Mbps} MB/s`,
  );
  const coldStartS = initMs / 1000 + load.seconds + transferS;

  let trialS: number;
  let epochs: number;
  const given = opt(args, 'trial-seconds');
  if (given !== undefined) {
    trialS = Number(given);
    epochs = Math.max(1, Math.ceil(trialS / 60));
    emit({ figure: 'trial_s', value: trialS, measured: false }, `trial:       ${trialS} s (given)`);
  } else {
    const q = quickstartTrialSeconds(data);
    trialS = q.seconds;
    epochs = q.epochs;
    emit(
      {
        figure: 'trial_s',
        value: r3(q.seconds),
        measured: true,
        net: q.net,
        epochs: q.epochs,
        test_accuracy: q.acc,
        data: source,
        full_mnist: full,
      },
      `trial:       ${q.seconds.toFixed(1)} s (quickstart ${q.net}, ${q.epochs} epochs + test, ${source}; test acc ${q.acc.toFixed(4)})`,
    );
  }

  const base: SimOptions = { concurrency, coldStartS, shards: 1 };
  const peers: [string, SimOptions][] = [
    ['standard', base],
    [`standard-${DEFAULT_TRIAL_QUEUE_SHARDS}-shards`, { ...base, shards: DEFAULT_TRIAL_QUEUE_SHARDS }],
    ['provisioned-100-pollers', { ...base, mode: 'provisioned', minPollers: 100 }],
    ['standard-pre-2023-60-per-min', { ...base, scaling: { addPerMinute: 60 } }],
  ];
  const results: Record<string, SimResult> = {};
  for (const [name, o] of peers) {
    const r = simulate(uniformTrials(trials, trialS, epochs), o);
    results[name] = r;
    emit(
      {
        figure: 'projection',
        model: name,
        trials,
        concurrency,
        shards: r.shards,
        trial_s: r3(trialS),
        cold_start_s: r3(coldStartS),
        wall_s: r3(r.wall_s),
        goal_s: r3(r.goal_s),
        ratio_to_goal: r3(r.ratio_to_goal),
        meets_goal: r.meets_goal,
        full_concurrency_s: r.full_concurrency_s === null ? null : r3(r.full_concurrency_s),
        peak_running: r.peak_running,
        cold_starts: r.cold_starts,
        cost_usd: r3(r.cost_usd),
        ratio_wall_vs_standard: r3(r.wall_s / results.standard!.wall_s),
      },
      `${name.padEnd(30)} wall ${r.wall_s.toFixed(1)} s vs goal ${r.goal_s.toFixed(1)} s (ratio ${r.ratio_to_goal.toFixed(2)}, ${r.meets_goal ? 'met' : 'missed'}), peak ${r.peak_running}, $${r.cost_usd.toFixed(3)}`,
    );
  }
}
