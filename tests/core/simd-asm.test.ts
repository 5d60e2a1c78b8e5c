/** The typed WebAssembly assembler (core/nn/simd/asm.ts): encodings, and generated code run for real. */
import { describe, expect, it } from 'vitest';
import {
  encodeModule,
  Func,
  f32,
  f32x4,
  forRange,
  get,
  i8x16,
  i32,
  i32x4,
  set,
  shuffle32,
  sleb,
  uleb,
  v128,
} from '../../core/nn/simd/asm.ts';
import { compactionTables } from '../../core/nn/simd/gen-csr.ts';
import { wasm } from '../../core/nn/simd/wasm-api.ts';

/** Instantiates funcs over a fresh 1-page shared memory; returns its exports and an i32/f32 view. */
function build(funcs: Func[]) {
  const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
  const bytes = encodeModule({ minPages: 1, maxPages: 1, shared: true }, funcs);
  expect(wasm.validate(bytes)).toBe(true);
  const { exports } = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return {
    fn: exports as Record<string, (...a: number[]) => number>,
    i32s: new Int32Array(memory.buffer),
    f32s: new Float32Array(memory.buffer),
    u8s: new Uint8Array(memory.buffer),
  };
}

describe('simd/asm.ts', () => {
  it('encodes LEB128 as the spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => uleb(-1)).toThrow(RangeError);
  });

  it('runs a loop with locals and a result: Σ i for i < n', () => {
    const f = new Func('sum', ['i32'] as const, 'i32');
    const [n] = f.params;
    const i = f.local('i32');
    const s = f.local('i32');
    f.body(forRange(i, i32.const(0), get(n), 1, set(s, i32.add(get(s), get(i))))).returns(get(s));
    expect(build([f]).fn.sum!(100)).toBe(4950);
  });

  it('f32x4 arithmetic, shuffles, bitmasks and swizzles compute what they are named after', () => {
    const mul = new Func('muladd', [] as const);
    mul.body(
      v128.store(
        i32.const(64),
        f32x4.add(f32x4.mul(v128.load(i32.const(0)), v128.load(i32.const(16))), f32x4.splat(f32.const(0.5))),
      ),
      v128.store(i32.const(80), shuffle32(v128.load(i32.const(0)), v128.load(i32.const(16)), [3, 4, 0, 7])),
    );
    const mask = new Func('mask', [] as const, 'i32');
    mask.returns(i32x4.bitmask(f32x4.ne(v128.load(i32.const(0)), f32x4.splat(f32.const(0)))));
    const swz = new Func('swz', [] as const);
    // Lanes 1 and 3 (mask 0b1010) moved to the front by the compaction table's entry 10.
    swz.body(
      v128.store(i32.const(96), i8x16.swizzle(v128.load(i32.const(0)), v128.load(i32.const(256 + 10 * 16)))),
    );
    const { fn, f32s, u8s } = build([mul, mask, swz]);
    f32s.set([1, 0, -3, 4], 0);
    f32s.set([10, 20, 30, 40], 4);
    u8s.set(compactionTables().subarray(0, 256), 256);
    fn.muladd!();
    expect(Array.from(f32s.subarray(16, 20))).toEqual([10.5, 0.5, -89.5, 160.5]);
    expect(Array.from(f32s.subarray(20, 24))).toEqual([4, 10, 1, 40]);
    expect(fn.mask!()).toBe(0b1101);
    f32s.set([0, 7, 0, 9], 0);
    fn.swz!();
    expect(Array.from(f32s.subarray(24, 26))).toEqual([7, 9]);
  });

  it('refuses what WebAssembly would reject: a wrong result type, a bad lane, a bad alignment', () => {
    const f = new Func('bad', [] as const, 'i32');
    expect(() => f.returns(f32.const(1))).toThrow(/returns i32, not f32/);
    expect(() => f32x4.extractLane(v128.zero(), 4)).toThrow(RangeError);
    expect(() => v128.load(i32.const(0), 0, 32)).toThrow(/alignment/);
    expect(() => encodeModule({ minPages: 1, shared: true }, [])).toThrow(/maxPages/);
  });
});
