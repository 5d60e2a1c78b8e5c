import { samplerFor } from './core/sweep/samplers/index.ts';
import { median, runSearch } from './scripts/bench/search/protocol.ts';
import { loadTable, tableSpace } from './scripts/bench/search/table.ts';
const seeds = Number(process.env.SEEDS ?? 16);
const workers = Number(process.env.WORKERS ?? 1);
for (const name of (process.env.TABLES ?? 'hpolib-naval_propulsion,hpolib-protein_structure').split(',')) {
  const t = loadTable(`/work/shared/hpo-tables/${name}.json.gz`);
  const space = tableSpace(t);
  const regrets: number[] = [];
  const r50: number[] = [];
  for (let seed = 200; seed < 200 + seeds; seed++) {
    const s = samplerFor('tpe', space, { seed, objectives: [{ goal: t.goal }] });
    const run = runSearch(t, s, { seed, trials: 200, workers });
    regrets.push(run.regret[199]!);
    r50.push(run.regret[49]!);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(process.env.TPE_EXP ?? '{}', `w${workers}`, name, 'r200 mean', mean(regrets).toPrecision(3), 'median', median(regrets).toPrecision(3), 'r50 mean', mean(r50).toPrecision(3), 'median', median(r50).toPrecision(3));
}
