/** One draw from a parameter spec's distribution, with W&B's semantics (core/sweep/README.md). */
import type { ParamSpec } from '../types.ts';
import { quantize } from '../util.ts';
import type { Rng } from './rng.ts';

/** One draw from a parameter's distribution, with W&B's semantics (see README.md). */
export function sample(s: ParamSpec, rng: Rng): unknown {
  const U = (lo: number, hi: number) => lo + rng.uniform() * (hi - lo);
  switch (s.distribution) {
    case 'constant':
      return s.value;
    case 'categorical':
      return s.values[Math.floor(rng.uniform() * s.values.length)];
    case 'categorical_w_probabilities': {
      const u = rng.uniform();
      let acc = 0;
      for (let i = 0; i < s.values.length; i++) {
        acc += s.probabilities[i]!;
        if (u < acc) return s.values[i];
      }
      return s.values[s.values.length - 1];
    }
    case 'int_uniform':
      return s.min + Math.floor(rng.uniform() * (s.max - s.min + 1));
    case 'uniform':
      return U(s.min, s.max);
    case 'q_uniform':
      return quantize(U(s.min, s.max), s.q);
    case 'log_uniform':
      return Math.exp(U(s.min, s.max));
    case 'log_uniform_values':
      return Math.exp(U(Math.log(s.min), Math.log(s.max)));
    case 'q_log_uniform':
      return quantize(Math.exp(U(s.min, s.max)), s.q);
    case 'q_log_uniform_values':
      return quantize(Math.exp(U(Math.log(s.min), Math.log(s.max))), s.q);
    case 'inv_log_uniform':
      return Math.exp(-U(s.min, s.max));
    case 'inv_log_uniform_values':
      return Math.exp(-U(-Math.log(s.max), -Math.log(s.min)));
    case 'normal':
      return s.mu + s.sigma * rng.normal();
    case 'q_normal':
      return quantize(s.mu + s.sigma * rng.normal(), s.q);
    case 'log_normal':
      return Math.exp(s.mu + s.sigma * rng.normal());
    case 'q_log_normal':
      return quantize(Math.exp(s.mu + s.sigma * rng.normal()), s.q);
    case 'beta':
    case 'q_beta': {
      const x = rng.gamma(s.a);
      const y = rng.gamma(s.b);
      const v = x / (x + y);
      return s.distribution === 'q_beta' ? quantize(v, s.q) : v;
    }
  }
}
