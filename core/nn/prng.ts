/**
 * The one PRNG of the training engine: **xoshiro128\*\*** (Blackman & Vigna, 2018, "Scrambled linear
 * pseudorandom number generators"; reference: https://prng.di.unimi.it/xoshiro128starstar.c), 128-bit
 * state of four u32 words, period 2^128 − 1, 32-bit outputs.
 *
 * Seeding (as the authors recommend): a SplitMix64 generator seeded with the u32 trial seed yields two
 * u64 words a, b; the state is [lo(a), hi(a), lo(b), hi(b)].
 *
 * Derived draws (all documented so another implementation can reproduce a run):
 *   nextFloat()  = next() · 2^-32                      ∈ [0, 1)
 *   below(n)     = next() mod n, rejecting next() ≥ 2^32 − (2^32 mod n)   (unbiased)
 *   normal()     = Box–Muller cos branch with u1 = (next()+1)·2^-32 ∈ (0,1], u2 = nextFloat()
 *
 * One instance drives, in this order: the validation split, weight init, and per epoch the shuffle,
 * then per batch the augmentation shifts and the dropout masks. Test vectors are in tests/core/prng.test.ts.
 */
const TWO_NEG_32 = 2 ** -32;

export class Xoshiro128ss {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number | readonly [number, number, number, number]) {
    const s = typeof seed === 'number' ? seedState(seed) : seed;
    this.s0 = s[0] >>> 0;
    this.s1 = s[1] >>> 0;
    this.s2 = s[2] >>> 0;
    this.s3 = s[3] >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0)
      throw new Error('xoshiro128** state must not be all zero');
  }

  /** Next u32 output. */
  next(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.next() * TWO_NEG_32;
  }

  /** Unbiased integer in [0, n), 1 ≤ n ≤ 2^32. */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let r = this.next();
    while (r >= limit) r = this.next();
    return r % n;
  }

  /** Standard normal (Box–Muller, one value per two draws). */
  normal(): number {
    const u1 = (this.next() + 1) * TWO_NEG_32;
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** In-place Fisher–Yates shuffle (i from n−1 down to 1, j = below(i+1)). */
  shuffle(a: Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  setState(s: readonly [number, number, number, number]): void {
    const t = new Xoshiro128ss(s);
    this.s0 = t.s0;
    this.s1 = t.s1;
    this.s2 = t.s2;
    this.s3 = t.s3;
  }

  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** SplitMix64 (Steele, Lea, Flood 2014) seeded with `seed`, two outputs split into four u32 words. */
export function seedState(seed: number): [number, number, number, number] {
  const M = (1n << 64n) - 1n;
  let x = BigInt(seed >>> 0);
  const next = (): bigint => {
    x = (x + 0x9e3779b97f4a7c15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  const a = next();
  const b = next();
  return [Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)];
}
