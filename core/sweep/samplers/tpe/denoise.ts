/**
 * Noise handling. A trial is evaluated once, and one lucky value would put a mediocre region in TPE's good
 * group (and keep the sampler there). So before the split each trial's rank is replaced by a
 * Nadaraya–Watson estimate from the trials around it: ŷᵢ = Σⱼ wᵢⱼ rⱼ / Σⱼ wᵢⱼ, with rⱼ the rank of trial j
 * (so, like TPE itself, any monotone transform of the metric gives the same result) and wᵢⱼ a Gaussian
 * product kernel on the internal axes (a categorical axis: 1 for the same choice, else 0; a conditional
 * parameter's axis: 1 when both trials left it inactive, 0 when only one did). Per axis the
 * bandwidth is Scott's rule, sd · n^(−1/(d+4)), times one scale chosen from DENOISE_SCALES by leave-one-out
 * cross-validation (the scale that best predicts each trial's rank from the others): noisy metrics get
 * more smoothing, clean ones almost none.
 */

export const DENOISE_SCALES = [0.25, 0.5, 1, 2] as const;

/**
 * `points[i][d]`: trial i's coordinate on axis d (undefined: the parameter was inactive);
 * `ranks[i]`: its rank (0 = best). Returns the smoothed ranks.
 */
export function denoiseRanks(
  points: readonly (readonly (number | undefined)[])[],
  categorical: readonly boolean[],
  ranks: readonly number[],
): number[] {
  const n = ranks.length;
  const d = categorical.length;
  const h = categorical.map((_, j) => {
    const xs = points.map((p) => p[j]).filter((x): x is number => x !== undefined);
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return Math.max(sd, 1e-9) * Math.max(1, xs.length) ** (-1 / (d + 4));
  });
  // squared scaled distances (Infinity: never neighbours)
  const q = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d && s < Number.POSITIVE_INFINITY; j++) {
        const u = points[a]![j];
        const v = points[b]![j];
        if (u === undefined && v === undefined) continue;
        if (u === undefined || v === undefined || (categorical[j] && u !== v)) s = Number.POSITIVE_INFINITY;
        else if (!categorical[j]) s += ((u - v) / h[j]!) ** 2;
      }
      q[a * n + b] = s;
      q[b * n + a] = s;
    }
  }
  const estimate = (a: number, scale: number, withSelf: boolean): number | undefined => {
    let sw = withSelf ? 1 : 0;
    let sr = withSelf ? ranks[a]! : 0;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      const w = Math.exp((-0.5 * q[a * n + b]!) / (scale * scale));
      sw += w;
      sr += w * ranks[b]!;
    }
    return sw > 1e-300 ? sr / sw : undefined;
  };
  let best: number = DENOISE_SCALES[0];
  let bestError = Number.POSITIVE_INFINITY;
  for (const scale of DENOISE_SCALES) {
    let error = 0;
    for (let a = 0; a < n; a++) {
      const e = estimate(a, scale, false);
      if (e !== undefined) error += (ranks[a]! - e) ** 2;
    }
    if (error < bestError) {
      bestError = error;
      best = scale;
    }
  }
  return ranks.map((r, a) => estimate(a, best, true) ?? r);
}
