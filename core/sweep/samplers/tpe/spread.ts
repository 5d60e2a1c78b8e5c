/**
 * The start-up design: of several draws, the one farthest from its nearest trial already observed or
 * running (maximin), so the start covers the space and parallel start-up trials do not bunch up. Distance:
 * Euclidean over the parameters' axes, each numeric axis scaled by its width, a categorical axis 0 (same
 * choice) or 1, a conditional axis 1 when only one of the two trials has it active.
 */
import type { Dim } from './dims.ts';

type Axes = readonly (number | undefined)[];

function distance(dims: readonly Dim[], a: Axes, b: Axes): number {
  let s = 0;
  dims.forEach((d, j) => {
    const u = a[j];
    const v = b[j];
    if (u === undefined && v === undefined) return;
    if (u === undefined || v === undefined) s += 1;
    else if (d.kind === 'categorical') s += u === v ? 0 : 1;
    else s += ((u - v) / d.width) ** 2;
  });
  return s;
}

/** Index of the candidate farthest from its nearest seen trial (ties: the first; nothing seen: 0). */
export function farthest(dims: readonly Dim[], candidates: readonly Axes[], seen: readonly Axes[]): number {
  let best = 0;
  let bestDistance = -1;
  candidates.forEach((c, i) => {
    const nearest = seen.reduce((m, o) => Math.min(m, distance(dims, c, o)), Number.POSITIVE_INFINITY);
    if (nearest > bestDistance) {
      bestDistance = nearest;
      best = i;
    }
  });
  return best;
}
