import { samplerFor } from './core/sweep/samplers/index.ts';
import { median, runSearch } from './scripts/bench/search/protocol.ts';
import { loadTable, tableSpace } from './scripts/bench/search/table.ts';
const seeds = Number(process.env.SEEDS ?? 16);
const workers = Number(process.env.WORKERS ?? 1);
for (const name of ['phoneme', 'segment', 'vehicle']) {
  const t = loadTable(`/work/shared/hpo-tables/hpobench-${name}.json.gz`);
  const space = tableSpace(t);
  const truths = [...t.rows.values()].map((r) => r.truth).sort((a, b) => b - a);
  const band = truths[453]!;
  const regrets: number[] = [];
  const r50: number[] = [];
  let late = 0;
  for (let seed = 200; seed < 200 + seeds; seed++) {
    const s = samplerFor('tpe', space, { seed, objectives: [{ goal: 'maximize' }] });
    const run = runSearch(t, s, { seed, trials: 200, workers });
    late += run.reported.slice(100).filter((r) => t.rows.get(r.trial_id)!.truth >= band).length / 100;
    regrets.push(run.regret[199]!);
    r50.push(run.regret[49]!);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(process.env.TPE_EXP ?? '{}', name, 'band(100-200)', (late / seeds).toFixed(2), 'regret200 mean', mean(regrets).toFixed(4), 'median', median(regrets).toFixed(4), 'r50 mean', mean(r50).toFixed(4));
}
