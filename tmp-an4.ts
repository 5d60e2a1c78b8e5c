import { samplerFor } from './core/sweep/samplers/index.ts';
import { median, runSearch } from './scripts/bench/search/protocol.ts';
import { loadTable, tableSpace } from './scripts/bench/search/table.ts';
const seeds = Number(process.env.SEEDS ?? 24);
const workers = Number(process.env.WORKERS ?? 1);
const opts = JSON.parse(process.env.OPTS ?? '{}');
const sampler = process.env.SAMPLER ?? 'tpe';
const REF: Record<string, number> = { 'hpobench/car': 0.001305, 'hpobench/phoneme': 0.007424, 'hpobench/segment': 0.006268, 'hpobench/vehicle': 0.006329, 'hpolib/naval_propulsion': 5.959e-5, 'hpolib/protein_structure': 0.01912 };
const agg: Record<number, number[]> = { 25: [], 50: [], 200: [] };
for (const name of (process.env.TABLES ?? 'hpobench-phoneme,hpobench-segment,hpobench-vehicle,hpolib-naval_propulsion,hpolib-protein_structure,hpobench-car').split(',')) {
  const t = loadTable(`/work/shared/hpo-tables/${name}.json.gz`);
  const space = tableSpace(t);
  const r: Record<number, number[]> = { 25: [], 50: [], 200: [] };
  for (let seed = 300; seed < 300 + seeds; seed++) {
    const s = samplerFor(sampler as 'tpe', space, { seed, objectives: [{ goal: t.goal }], trials: 200, ...opts });
    const run = runSearch(t, s, { seed, trials: 200, workers });
    for (const n of [25, 50, 200]) r[n]!.push(run.regret[n - 1]!);
  }
  const line = [25, 50, 200].map((n) => (median(r[n]!) / REF[t.name]!).toFixed(2));
  for (const n of [25, 50, 200]) agg[n]!.push(median(r[n]!) / REF[t.name]!);
  console.log(sampler, JSON.stringify(opts), `w${workers}`, t.name.padEnd(26), line.join(' '));
}
console.log(sampler, JSON.stringify(opts), `w${workers}`, 'AGG'.padEnd(26), [25, 50, 200].map((n) => median(agg[n]!).toFixed(2)).join(' '));
