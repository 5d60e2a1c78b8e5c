import { samplerFor } from './core/sweep/samplers/index.ts';
import { runSearch } from './scripts/bench/search/protocol.ts';
import { loadTable, tableSpace } from './scripts/bench/search/table.ts';
const name = process.argv[2] ?? 'phoneme';
const t = loadTable(`/work/shared/hpo-tables/hpobench-${name}.json.gz`);
const space = tableSpace(t);
const truths = [...t.rows.values()].map((r) => r.truth).sort((a, b) => b - a);
const band = truths[453]!; // top 454
for (let seed = 100; seed < 108; seed++) {
  const s = samplerFor('tpe', space, { seed, objectives: [{ goal: 'maximize' }] });
  const run = runSearch(t, s, { seed, trials: 200, workers: 1 });
  const inBand = (a: number, b: number) => run.reported.slice(a, b).filter((r) => t.rows.get(r.trial_id)!.truth >= band).length;
  const best = run.reported.reduce((a, r) => (r.value > a.value ? r : a));
  const bestTruth = Math.max(...run.reported.map((r) => t.rows.get(r.trial_id)!.truth));
  console.log(seed, 'inband 0-50', inBand(0, 50), '50-100', inBand(50, 100), '100-200', inBand(100, 200), 'regret', run.regret[199]!.toFixed(4), 'inc', best.trial_id, best.value.toFixed(3), 'truth', t.rows.get(best.trial_id)!.truth.toFixed(4), 'best visited truth regret', (t.optimum - bestTruth).toFixed(4));
}
