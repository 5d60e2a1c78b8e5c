/** The last check of a parse: conditions, the grid's size, then the expansion itself (every trial validated). */
import {
  compileParams,
  countGrid,
  expandChecked,
  GRID_COMPLEXITY_LIMIT,
  rememberExpansion,
} from '../expand.ts';
import type { ProblemList } from '../problems.ts';
import { MAX_TRIALS } from '../schema.ts';
import type { Sweep } from '../types.ts';
import { plural } from '../util.ts';

const count = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** True when the sweep expands to valid trials (remembered for `expandTrials`); problems go to `p`. */
export function checkExpansion(p: ProblemList, sweep: Sweep, paths: Record<string, string>): boolean {
  const compiled = compileParams(sweep, p, paths);
  if (!compiled) return false;
  if (sweep.method === 'grid') {
    const n = countGrid(compiled);
    if (n === undefined) {
      p.error(
        '$.parameters',
        'conditions make the grid too complex to count',
        `at most ${GRID_COMPLEXITY_LIMIT} condition branches`,
        'more',
      );
      return false;
    }
    if (n > MAX_TRIALS) {
      p.error(
        '$.parameters',
        `the grid has ${count(n)} trials; use method random with max_trials, or fewer values`,
        `at most ${MAX_TRIALS.toLocaleString('en-US')} trials`,
        `${count(n)} trials`,
      );
      return false;
    }
  }
  const trials = expandChecked(sweep, compiled, p, paths);
  if (!trials) return false;
  const early = sweep.early_terminate;
  if (early) {
    const maxEpochs = Math.max(...trials.map((t) => t.config.epochs));
    if (early.min_iter >= maxEpochs)
      p.warn(
        '$.early_terminate.min_iter',
        `min_iter ${early.min_iter} ≥ the longest trial (${maxEpochs} epochs): nothing is ever pruned`,
      );
  }
  if (sweep.method === 'random' && sweep.max_trials !== undefined && trials.length < sweep.max_trials)
    p.warn(
      '$.max_trials',
      `only ${plural(trials.length, 'distinct trial')} ${trials.length === 1 ? 'exists' : 'exist'} in this space (asked for ${sweep.max_trials})`,
    );
  rememberExpansion(sweep, trials);
  return true;
}
