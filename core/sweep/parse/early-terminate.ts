/**
 * `early_terminate`: ASHA and Hyperband. The block alone says which, whatever else the file holds (a W&B
 * key such as `program` must not change what it means):
 * - W&B's two hyperband forms, `{min_iter}` and `{max_iter, s}` (eta optional), are one set of bands where
 *   the top 1/eta continue — W&B's rule and our ASHA — in every file;
 * - Hyperband's several brackets need its largest budget too: `{type: hyperband, min_iter, max_iter}`
 *   (no `s`: a form W&B refuses, so no W&B file means anything else by it).
 */
import type { ProblemList } from '../problems.ts';
import { MAX_EPOCHS } from '../schema.ts';
import type { EarlyTerminate } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { checkFields, readEnum, readNumber } from './read.ts';

const FIELDS = ['type', 'min_iter', 'eta', 'max_iter', 's', 'strict'];
const ITER = { int: true, min: 1, max: MAX_EPOCHS } as const;

/** W&B: bands at max_iter/η, max_iter/η², … (s of them, each ≥ 1); the first rung is the smallest. */
function bandsFromMaxIter(
  p: ProblemList,
  raw: Record<string, unknown>,
  path: string,
  eta: number | undefined,
): { minIter: number; maxIter: number } | undefined {
  const s = readNumber(p, raw.s, `${path}.s`, { int: true, min: 1, max: 100 });
  const maxIter = readNumber(p, raw.max_iter, `${path}.max_iter`, ITER);
  if (s === undefined || maxIter === undefined || eta === undefined) return undefined;
  let band = maxIter;
  const bands: number[] = [];
  for (let i = 0; i < s; i++) {
    band /= eta;
    if (band < 1) break;
    bands.push(Math.floor(band));
  }
  if (bands.length === 0) {
    p.error(
      `${path}.s`,
      `no band ≥ 1 epoch: max_iter ${maxIter} / eta ${eta} < 1`,
      'max_iter ≥ eta',
      describe(raw.s),
    );
    return undefined;
  }
  if ('min_iter' in raw)
    p.warn(`${path}.min_iter`, 'ignored: with max_iter and s, W&B derives the bands from max_iter');
  return { minIter: Math.min(...bands), maxIter };
}

/** The `min_iter` form: first rung min_iter, last max_iter (default MAX_EPOCHS). */
function rungsFromMinIter(
  p: ProblemList,
  raw: Record<string, unknown>,
  path: string,
): { minIter: number | undefined; maxIter: number | undefined } | undefined {
  if ('s' in raw) p.warn(`${path}.s`, 'ignored without max_iter (as W&B does)');
  if (!('min_iter' in raw)) {
    p.error(
      `${path}.min_iter`,
      'early termination needs min_iter (or W&B max_iter with s)',
      'an integer ≥ 1',
      'nothing',
    );
    return undefined;
  }
  const minIter = readNumber(p, raw.min_iter, `${path}.min_iter`, ITER);
  const maxIter = 'max_iter' in raw ? readNumber(p, raw.max_iter, `${path}.max_iter`, ITER) : MAX_EPOCHS;
  return { minIter, maxIter };
}

export function parseEarlyTerminate(p: ProblemList, raw: unknown): EarlyTerminate | undefined {
  const path = '$.early_terminate';
  if (!isRecord(raw)) {
    p.error(path, 'expected an object', 'object', describe(raw));
    return undefined;
  }
  let ok = checkFields(p, raw, path, FIELDS);
  const type = readEnum(p, raw.type, `${path}.type`, ['asha', 'hyperband'] as const);
  if (!type) ok = false;
  if ('strict' in raw)
    p.warn(`${path}.strict`, 'W&B "strict" is ignored (our rule is documented in core/sweep/README.md)');
  const eta = 'eta' in raw ? readNumber(p, raw.eta, `${path}.eta`, { gt: 1, max: 100 }) : 3;
  if (eta === undefined) ok = false;
  const wandbBands = 's' in raw && 'max_iter' in raw;
  const rungs = wandbBands ? bandsFromMaxIter(p, raw, path, eta) : rungsFromMinIter(p, raw, path);
  if (!rungs) return undefined;
  const { minIter, maxIter } = rungs;
  if (!ok || minIter === undefined || maxIter === undefined || eta === undefined || !type) return undefined;
  if (minIter > maxIter) {
    p.error(
      `${path}.max_iter`,
      `max_iter must be ≥ min_iter (${minIter})`,
      `≥ ${minIter}`,
      describe(maxIter),
    );
    return undefined;
  }
  const brackets = type === 'hyperband' && !wandbBands && 'max_iter' in raw;
  if (type === 'hyperband' && !brackets)
    p.notice(
      `${path}.type`,
      `"hyperband" with ${wandbBands ? 'max_iter and s' : 'min_iter alone'} is W&B's: one set of bands where the top 1/eta continue, run as "asha" (min_iter ${minIter}, eta ${eta}, max_iter ${maxIter}); for Hyperband's several brackets give min_iter and max_iter without s`,
    );
  return { type: brackets ? 'hyperband' : 'asha', min_iter: minIter, eta, max_iter: maxIter };
}
