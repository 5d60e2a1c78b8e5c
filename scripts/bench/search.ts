/**
 * `npm run bench -- search [--table <file.json.gz | dir>]… [--json] [--trials 200] [--seeds 20] [--workers 1,8]
 *  [--samplers random,tpe]`
 *
 * Replays searches against tabular benchmarks (default: every *.json.gz in ../shared/hpo-tables) with the
 * protocol of that folder's README (search/protocol.ts), running our samplers exactly as the aggregator
 * does. One line per (table, sampler, workers): the median over seeds 0…seeds−1 of the regret after n
 * reported trials, and that ÷ the table's reference (random search's median regret at 200 with 1 worker,
 * from the README; for a table it does not list, this run's own random). Then one aggregate line per
 * (sampler, workers): the median over tables of the normalised figures, with the goal and whether it is met.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { samplerFor } from '../../core/sweep/samplers/index.ts';
import { median, runSearch } from './search/protocol.ts';
import { loadTable, type Table, tableSpace } from './search/table.ts';

const TABLES_DIR = fileURLToPath(new URL('../../../shared/hpo-tables/', import.meta.url));
const AT = [10, 25, 50, 100, 200] as const;

/** Random search's median regret at 200 (1 worker, 20 seeds), per table: ../shared/hpo-tables/README.md. */
const README_REFERENCE: Record<string, number> = {
  'hpobench/car': 0.001305,
  'hpobench/phoneme': 0.007424,
  'hpobench/segment': 0.006268,
  'hpobench/vehicle': 0.006329,
  'hpolib/naval_propulsion': 5.959e-5,
  'hpolib/protein_structure': 0.01912,
};

/** The README's aggregate figures for Optuna 5.1 TPE (the better of its two encodings, bold there). */
const OPTUNA_BEST: Record<number, { 50: number; 200: number }> = {
  1: { 50: 0.92, 200: 0.63 },
  8: { 50: 1.47, 200: 1.0 },
};

function opts(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === `--${name}` && args[i + 1] !== undefined) out.push(args[i + 1]!);
  });
  return out;
}
const one = (args: string[], name: string, dflt: string) => opts(args, name).at(-1) ?? dflt;
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const r4 = (x: number) => Number(x.toPrecision(4));

function tableFiles(args: string[]): string[] {
  const given = opts(args, 'table');
  const roots = given.length > 0 ? given : existsSync(TABLES_DIR) ? [TABLES_DIR] : [];
  if (roots.length === 0) throw new Error(`no --table given and ${TABLES_DIR} does not exist`);
  return roots.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.json.gz'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

interface Cell {
  table: string;
  sampler: string;
  workers: number;
  median: Record<number, number>;
  suggestMs: number;
  suggestMsAt200: number | undefined;
}

function runCell(
  table: Table,
  sampler: string,
  workers: number,
  seeds: { first: number; count: number },
  trials: number,
): Cell {
  const space = tableSpace(table);
  const regrets: number[][] = [];
  const ms: number[] = [];
  const msLate: number[] = [];
  for (let seed = seeds.first; seed < seeds.first + seeds.count; seed++) {
    const s = samplerFor(sampler as 'random' | 'tpe', space, {
      seed,
      objectives: [{ goal: table.goal }],
      trials,
    });
    const run = runSearch(table, s, { seed, trials, workers });
    regrets.push(run.regret);
    for (const x of run.suggestions) {
      ms.push(x.ms);
      if (x.observations >= trials - 10) msLate.push(x.ms);
    }
  }
  const med: Record<number, number> = {};
  for (const n of AT) if (n <= trials) med[n] = median(regrets.map((r) => r[Math.min(n, r.length) - 1]!));
  return {
    table: table.name,
    sampler,
    workers,
    median: med,
    suggestMs: median(ms),
    suggestMsAt200: msLate.length ? median(msLate) : undefined,
  };
}

const mapAt = (m: Record<number, number>, f: (n: number, v: number) => number) =>
  Object.fromEntries(Object.entries(m).map(([n, v]) => [n, r4(f(Number(n), v))]));

export default async function search(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const trials = Number(one(args, 'trials', '200'));
  const seeds = { first: Number(one(args, 'first-seed', '0')), count: Number(one(args, 'seeds', '20')) };
  const workersList = list(one(args, 'workers', '1,8')).map(Number);
  const samplers = list(one(args, 'samplers', 'random,tpe'));
  const bad = samplers.find((s) => s !== 'random' && s !== 'tpe');
  const badWorkers = workersList.find((w) => !Number.isInteger(w) || w < 1);
  if (bad !== undefined || badWorkers !== undefined || !(trials >= AT[0]) || !(seeds.count >= 1)) {
    console.error(
      bad !== undefined
        ? `--samplers: expected random and/or tpe, found ${bad}`
        : `--workers, --seeds: expected positive integers, --trials at least ${AT[0]}; found ${badWorkers ?? `${trials} / ${seeds.count}`}`,
    );
    process.exit(2);
  }
  const print = (o: Record<string, unknown>) =>
    console.log(json ? JSON.stringify({ suite: 'search', ...o }) : o);

  const normalized: Map<string, Record<number, number>[]> = new Map();
  for (const file of tableFiles(args)) {
    const table = loadTable(file);
    const t0 = performance.now();
    let reference = README_REFERENCE[table.name];
    const source = reference !== undefined ? 'README' : "this run's random (1 worker)";
    const cells: Cell[] = [];
    if (reference === undefined) {
      const own = runCell(table, 'random', 1, seeds, trials);
      // random's median regret at 200, or at its last figure when the run has fewer trials
      reference = own.median[Math.max(...Object.keys(own.median).map(Number))]!;
      if (samplers.includes('random') && workersList.includes(1)) cells.push(own);
    }
    for (const workers of workersList)
      for (const sampler of samplers)
        if (!cells.some((c) => c.sampler === sampler && c.workers === workers))
          cells.push(runCell(table, sampler, workers, seeds, trials));
    for (const c of cells) {
      const norm = mapAt(c.median, (_n, v) => (reference! > 0 ? v / reference! : Number.NaN));
      const key = `${c.sampler}/${c.workers}`;
      normalized.set(key, [...(normalized.get(key) ?? []), norm]);
      print({
        table: c.table,
        sampler: c.sampler,
        workers: c.workers,
        seeds: seeds.count,
        ...(seeds.first ? { first_seed: seeds.first } : {}),
        trials,
        median_regret_at: mapAt(c.median, (_n, v) => v),
        normalized_at: norm,
        reference: r4(reference),
        reference_source: source,
        ms_per_suggestion: r4(c.suggestMs),
        ...(c.suggestMsAt200 !== undefined ? { ms_per_suggestion_last10: r4(c.suggestMsAt200) } : {}),
      });
    }
    if (!json) console.log(`${table.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  for (const workers of workersList) {
    const agg = (sampler: string) => {
      const rows = normalized.get(`${sampler}/${workers}`) ?? [];
      const out: Record<number, number> = {};
      for (const n of AT)
        if (rows.every((r) => r[n] !== undefined) && rows.length) out[n] = r4(median(rows.map((r) => r[n]!)));
      return out;
    };
    const random = agg('random');
    for (const sampler of samplers) {
      const mine = agg(sampler);
      const tables = normalized.get(`${sampler}/${workers}`)?.length ?? 0;
      const line: Record<string, unknown> = {
        aggregate: true,
        sampler,
        workers,
        tables,
        seeds: seeds.count,
        ...(seeds.first ? { first_seed: seeds.first } : {}),
        normalized_at: mine,
        load_avg_1m: r4(loadavg()[0]!),
      };
      if (sampler === 'tpe') {
        const optuna = OPTUNA_BEST[workers];
        const vsOptuna = optuna ? (['50', '200'] as const).every((n) => mine[n]! <= optuna[n]) : undefined;
        const vsRandom = samplers.includes('random')
          ? AT.filter((n) => n >= 25 && mine[n] !== undefined).every((n) => mine[n]! < random[n]!)
          : undefined;
        Object.assign(line, {
          random_normalized_at: random,
          goal: `≤ Optuna's better encoding at n=50 and 200 (${optuna ? `${optuna[50]} / ${optuna[200]}` : 'n/a'}) and below random at every n ≥ 25`,
          beats_optuna: vsOptuna,
          below_random: vsRandom,
          met: vsOptuna === true && vsRandom === true,
        });
      }
      print(line);
    }
  }
}
