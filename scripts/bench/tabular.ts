/**
 * `npm run bench -- tabular [--json] [--sets breast_cancer,wine,digits,diabetes] [--seeds 0,1,2,3,4]
 *   [--engines simd] [--validation-split 0] [--epochs N] [--hidden 64] [--python path]`
 *
 * Our MLP core against scikit-learn's MLPClassifier / MLPRegressor on the small real data sets that ship
 * with scikit-learn (breast cancer, wine, digits: classification; diabetes: regression), exported to CSV
 * by scripts/bench/tabular/export_datasets.py into .cache/bench-tabular (git-ignored; made on first use,
 * as is the venv: scripts/bench/tabular/venv.sh). Both sides get the same train/test files (one 80/20
 * split, stratified for classes), the same preprocessing (ours: `sweep data prepare --from … --test …`,
 * i.e. buildTableFiles; theirs: the same steps in sklearn_peer.py), the same net (one hidden ReLU layer of
 * --hidden units), optimizer (Adam, lr 1e-3, β 0.9/0.999, ε 1e-8), batch size (32), epochs and no L2;
 * ours holds out no validation rows (validation_split 0, as scikit-learn trains on every training row)
 * unless --validation-split says otherwise. Several seeds each (ours: init and shuffles; theirs:
 * random_state). scikit-learn's regression loss is ½·MSE, ours MSE: Adam is invariant to that factor.
 *
 * One JSON line per (data set, side, seed): test accuracy (test loss), or test RMSE / MAE / R² in the
 * target's units, and the training wall time (ours: the epochs' loop; theirs: fit(), one BLAS thread).
 * Then one line per data set with both sides' means and standard deviations, the difference (accuracy
 * points, or RMSE relative to scikit-learn's) against the goal (within 1 point; within 5 %), and
 * the wall-time ratio, and the 1-minute load average.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTableFiles } from '../../adapters/data/tabular/prepare.ts';
import { type Engine, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { TableDataset } from '../../core/dataset.ts';
import { createTrainer } from '../../core/nn/index.ts';
import { isRegressionTest } from '../../core/result.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = join(REPO, '.cache', 'bench-tabular');
const HARNESS = join(REPO, 'scripts', 'bench', 'tabular');
const SETS: Record<string, { task: 'classification' | 'regression'; epochs: number }> = {
  breast_cancer: { task: 'classification', epochs: 100 },
  wine: { task: 'classification', epochs: 100 },
  digits: { task: 'classification', epochs: 50 },
  diabetes: { task: 'regression', epochs: 200 },
};
/** The goals: within 1 accuracy point of scikit-learn's mean; within 5 % of its mean test RMSE. */
const GOAL_POINTS = 1;
const GOAL_RMSE = 0.05;

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const round = (x: number, d = 4) => Number(x.toFixed(d));

/** The venv's python (made by venv.sh when missing) and the exported CSVs (made when missing). */
function peerPython(given: string | undefined): string {
  const python = given ?? join(REPO, '.venv', 'tabular', 'bin', 'python');
  if (!existsSync(python))
    execFileSync('bash', [join(HARNESS, 'venv.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(DATA, 'diabetes.test.csv')))
    execFileSync(python, [join(HARNESS, 'export_datasets.py'), '--out', DATA], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  return python;
}

interface Line {
  [k: string]: unknown;
}

/** Our side: prepare the CSVs as `data prepare` does, then train and test one config per seed. */
async function ours(
  set: string,
  base: Record<string, unknown>,
  hidden: number,
  seeds: number[],
  engines: Engine[],
) {
  const { prepared } = await buildTableFiles({
    name: set,
    from: join(DATA, `${set}.train.csv`),
    test: join(DATA, `${set}.test.csv`),
    label: 'target',
    task: SETS[set]!.task,
    workerMemoryMb: 1769,
  });
  const data: TableDataset = prepared.dataset;
  const outputs = data.task === 'classification' ? data.classes : 1;
  const layers = [data.inputs, hidden, outputs];
  const lines: Line[] = [];
  for (const engine of engines)
    for (const seed of seeds) {
      const p = parseTrialConfig({ ...base, layers, engine, seed });
      if (!p.ok) throw new Error(JSON.stringify(p.problems));
      const c: TrialConfig = p.value;
      const t = createTrainer(c, data);
      const t0 = performance.now();
      while (t.status === 'running') t.runEpoch();
      const fit_s = (performance.now() - t0) / 1000;
      const test = t.evaluateTest(0);
      const common = { suite: 'tabular', dataset: set, impl: 'ours', engine, seed, layers: layers.join('-') };
      const figures = isRegressionTest(test)
        ? { test_rmse: round(test.rmse), test_mae: round(test.mae), test_r2: round(test.r2) }
        : { test_accuracy: round(test.accuracy), test_loss: round(test.loss) };
      lines.push({
        ...common,
        status: t.status,
        ...figures,
        fit_s: round(fit_s, 3),
        train: data.train.count,
        test: data.test.count,
      });
    }
  return { lines, layers, inputs: data.inputs };
}

/** scikit-learn's side: sklearn_peer.py with the same config, one line per seed. */
function theirs(python: string, set: string, config: Record<string, unknown>, seeds: number[]): Line[] {
  const out = execFileSync(
    python,
    [
      join(HARNESS, 'sklearn_peer.py'),
      '--train',
      join(DATA, `${set}.train.csv`),
      '--test',
      join(DATA, `${set}.test.csv`),
      '--label',
      'target',
      '--task',
      SETS[set]!.task,
      '--seeds',
      seeds.join(','),
      '--config',
      JSON.stringify(config),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.seed !== undefined)
    .map(({ dataset: _file, peer: _peer, ...l }) => ({
      suite: 'tabular',
      dataset: set,
      impl: 'scikit-learn',
      ...l,
    }));
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const sets = opt(args, 'sets', Object.keys(SETS).join(',')).split(',');
  const seeds = opt(args, 'seeds', '0,1,2,3,4').split(',').map(Number);
  const engines = opt(args, 'engines', 'simd').split(',') as Engine[];
  const hidden = Number(opt(args, 'hidden', '64'));
  const validation = Number(opt(args, 'validation-split', '0'));
  const python = peerPython(args.includes('--python') ? opt(args, 'python', '') : undefined);
  const print = (l: Line) =>
    console.log(
      json
        ? JSON.stringify(l)
        : Object.entries(l)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
    );
  for (const set of sets) {
    const spec = SETS[set];
    if (!spec) throw new Error(`--sets: unknown data set ${set}; known: ${Object.keys(SETS).join(', ')}`);
    const epochs = Number(opt(args, 'epochs', String(spec.epochs)));
    const base = {
      activation: 'relu',
      optimizer: 'adam',
      learning_rate: 0.001,
      batch_size: 32,
      epochs,
      l2: 0,
      validation_split: validation,
      ...(spec.task === 'regression' ? { loss: 'mse' } : {}),
    };
    const mine = await ours(set, base, hidden, seeds, engines);
    const peer = theirs(python, set, { ...base, layers: mine.layers }, seeds);
    for (const l of [...mine.lines, ...peer]) print(l);
    const metric = spec.task === 'regression' ? 'test_rmse' : 'test_accuracy';
    const ref = peer.map((l) => Number(l[metric]));
    for (const engine of engines) {
      const us = mine.lines.filter((l) => l.engine === engine).map((l) => Number(l[metric]));
      const ourWall = mean(mine.lines.filter((l) => l.engine === engine).map((l) => Number(l.fit_s)));
      const theirWall = mean(peer.map((l) => Number(l.fit_s)));
      const diff = spec.task === 'regression' ? mean(us) / mean(ref) - 1 : 100 * (mean(us) - mean(ref));
      print({
        suite: 'tabular',
        dataset: set,
        summary: true,
        engine,
        task: spec.task,
        layers: mine.layers.join('-'),
        epochs,
        seeds: seeds.length,
        validation_split: validation,
        metric,
        ours_mean: round(mean(us)),
        ours_std: round(std(us)),
        sklearn_mean: round(mean(ref)),
        sklearn_std: round(std(ref)),
        ...(spec.task === 'regression'
          ? { rmse_vs_sklearn: round(diff), goal: `≤ +${GOAL_RMSE * 100}%`, goal_met: diff <= GOAL_RMSE }
          : {
              points_vs_sklearn: round(diff, 2),
              goal: `≥ −${GOAL_POINTS} point`,
              goal_met: diff >= -GOAL_POINTS,
            }),
        ours_fit_s: round(ourWall, 3),
        sklearn_fit_s: round(theirWall, 3),
        wall_ratio_vs_sklearn: round(ourWall / theirWall, 3),
        load_avg: round(loadavg()[0]!, 2),
      });
    }
  }
}
