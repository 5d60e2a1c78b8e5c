/**
 * Generator of the optimizer updates: the formulas of optimizers.ts's scalarUpdate over vectors, in the
 * engine's element type (the scalar engine computes in float64 and rounds once per store, so the two
 * differ in the last bits), plus Σ g² of the data-loss gradient in f64 (returned, as sumSquares sums).
 * Params: w, g, m, v (addresses; m / v unused by some rules), len, coef (address of the COEF block, f64).
 */
import { COEF, type UpdateRule } from '../optimizers.ts';
import { Func, f64, get, type I32, i32, type Local, type Stmt, set, type V128, v128 } from './asm.ts';
import { addSquares, addTailSquares, horizontal, overElements, type VectorStore } from './gen-elementwise.ts';
import type { FloatType, Num } from './num.ts';

type Slot = keyof typeof COEF;

export function optimizerUpdate<T extends FloatType>(
  num: Num<T>,
  name: string,
  rule: UpdateRule,
  decay: boolean,
): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const, 'f64');
  const [w, g, m, v, len, coef] = f.params;
  const slots = Object.keys(COEF) as Slot[];
  const c = Object.fromEntries(slots.map((s) => [s, f.local('v128')])) as Record<Slot, Local<'v128'>>;
  const K = (s: Slot): V128 => get(c[s]);
  const wv = f.local('v128');
  const gv = f.local('v128');
  const gi = f.local('v128');
  const mv = f.local('v128');
  const vv = f.local('v128');
  const acc = Array.from({ length: num.lanes / 2 }, () => f.local('v128'));
  const tail = f.local('f64');
  const e = f.local('f64');
  const at = (base: Local<'i32'>, o: Local<'i32'>): I32 => i32.add(get(base), get(o));
  const load = (base: Local<'i32'>, o: Local<'i32'>): V128 => v128.load(at(base, o), 0, 16);
  const step = (o: Local<'i32'>, store: VectorStore, rem: Local<'i32'> | null): Stmt[] => {
    const out: Stmt[] = [
      set(wv, load(w, o)),
      set(gv, load(g, o)),
      ...(rem ? addTailSquares(num, tail, e, gv, rem) : addSquares(num, acc, get(gv))),
      set(gi, num.vadd(get(gv), num.vmul(K('l2'), get(wv)))),
    ];
    let next: V128;
    switch (rule) {
      case 'sgd':
        next = num.vsub(get(wv), num.vmul(K('lr'), get(gi)));
        break;
      case 'momentum':
      case 'nesterov':
        out.push(set(mv, num.vadd(num.vmul(K('b1'), load(m, o)), get(gi))), store(at(m, o), get(mv)));
        next = num.vsub(
          get(wv),
          num.vmul(K('lr'), rule === 'nesterov' ? num.vadd(get(gi), num.vmul(K('b1'), get(mv))) : get(mv)),
        );
        break;
      case 'adam':
        out.push(
          set(mv, num.vadd(num.vmul(K('b1'), load(m, o)), num.vmul(K('c1'), get(gi)))),
          set(vv, num.vadd(num.vmul(K('b2'), load(v, o)), num.vmul(num.vmul(K('c2'), get(gi)), get(gi)))),
          store(at(m, o), get(mv)),
          store(at(v, o), get(vv)),
        );
        next = num.vsub(
          get(wv),
          num.vdiv(num.vmul(K('a'), get(mv)), num.vadd(num.vmul(num.vsqrt(get(vv)), K('sc')), K('eps'))),
        );
        break;
      case 'rmsprop':
        out.push(
          set(vv, num.vadd(num.vmul(K('b1'), load(v, o)), num.vmul(num.vmul(K('c1'), get(gi)), get(gi)))),
          store(at(v, o), get(vv)),
        );
        next = num.vsub(
          get(wv),
          num.vdiv(num.vmul(K('lr'), get(gi)), num.vadd(num.vsqrt(get(vv)), K('eps'))),
        );
        break;
    }
    out.push(set(wv, next));
    if (decay) out.push(set(wv, num.vsub(get(wv), num.vmul(K('decay'), get(wv)))));
    out.push(store(at(w, o), get(wv)));
    return out;
  };
  return f
    .body(
      ...slots.map((s) => set(c[s], num.splat(num.fromF64(f64.load(get(coef), 8 * COEF[s]))))),
      overElements(f, num, len, step),
    )
    .returns(horizontal(acc, get(tail)));
}
