/**
 * Multi-objective helpers, on loss vectors (every objective minimised: maximised ones are negated first):
 * non-dominated ranks, exact hypervolume, and the greedy hypervolume subset selection that breaks ties
 * inside the last rank of MOTPE's good group (as Optuna does).
 */

/** a dominates b: no worse in every objective and better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/** Non-domination rank of each point (0 = the Pareto front), by repeatedly peeling the front. */
export function nonDominatedRanks(points: readonly (readonly number[])[]): number[] {
  const rank = points.map(() => -1);
  let left = points.map((_, i) => i);
  for (let r = 0; left.length > 0; r++) {
    const front = left.filter((i) => !left.some((j) => j !== i && dominates(points[j]!, points[i]!)));
    for (const i of front) rank[i] = r;
    left = left.filter((i) => rank[i] === -1);
  }
  return rank;
}

/** Hypervolume dominated by `points` and bounded by `ref` (points not below ref in every objective add 0). */
export function hypervolume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, i) => v < ref[i]!));
  if (inside.length === 0) return 0;
  const d = ref.length;
  if (d === 1) return ref[0]! - Math.min(...inside.map((p) => p[0]!));
  // slice along the last objective: between consecutive values, the (d−1)-volume of the points below
  const sorted = [...inside].sort((a, b) => a[d - 1]! - b[d - 1]!);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1]![d - 1]! : ref[d - 1]!;
    const height = top - sorted[i]![d - 1]!;
    if (height <= 0) continue;
    volume +=
      height *
      hypervolume(
        sorted.slice(0, i + 1).map((p) => p.slice(0, d - 1)),
        ref.slice(0, d - 1),
      );
  }
  return volume;
}

/** Optuna's reference point: 1.1 × the worst value of each objective (0.9 × when negative; EPS for 0). */
export function referencePoint(points: readonly (readonly number[])[]): number[] {
  const d = points[0]?.length ?? 0;
  return Array.from({ length: d }, (_, i) => {
    const worst = Math.max(...points.map((p) => p[i]!));
    const r = Math.max(1.1 * worst, 0.9 * worst);
    return r === 0 ? 1e-12 : r;
  });
}

/** Indexes of `size` points chosen greedily for the largest hypervolume (ties: the lower index). */
export function selectByHypervolume(
  points: readonly (readonly number[])[],
  size: number,
  ref: readonly number[],
): number[] {
  const chosen: number[] = [];
  let base = 0;
  while (chosen.length < size && chosen.length < points.length) {
    let best = -1;
    let bestGain = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < points.length; i++) {
      if (chosen.includes(i)) continue;
      const gain =
        hypervolume(
          [...chosen, i].map((j) => points[j]!),
          ref,
        ) - base;
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    }
    chosen.push(best);
    base += bestGain;
  }
  return chosen;
}
