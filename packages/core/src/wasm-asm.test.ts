import { describe, expect, it } from 'vitest';
import { assemble, compile, instantiate, op, sleb, uleb, VecBuilder } from './wasm-asm';

describe('WebAssembly encoder', () => {
  it('encodes LEB128 as in the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('emits a valid SIMD module whose element-wise loop computes what it says', () => {
    // f(x): z = select(x > 0, min(sqrt(x) * y, 2), y) over 4 lanes, from memory [x(4) | y(4) | z(4)].
    const e = new VecBuilder(1);
    const X = 0;
    const Y = 32;
    const Z = 64;
    const body = e.loop(32, [
      ...e.store(Z, e.select(e.gt(e.load(X), e.splat(0)), e.pmin(e.mul(e.sqrt(e.load(X)), e.load(Y)), e.splatLocal(0)), e.load(Y))),
    ]);
    const bytes = assemble([{ name: 'f', params: ['f64'], results: [], locals: ['i32'], body }]);
    const { memory, exports } = instantiate(compile(bytes), 1);
    const mem = new Float64Array(memory.buffer, 0, 12);
    mem.set([4, 0, -1, 100, 0.5, 3, 7, 0.5], 0);
    (exports.f as (cap: number) => void)(2);
    expect(Array.from(mem.subarray(8, 12))).toEqual([1, 3, 7, 2]);
    expect(op.i32Const(-1)).toEqual([0x41, 0x7f]);
  });
});
