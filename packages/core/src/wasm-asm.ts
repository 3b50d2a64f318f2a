/**
 * A minimal WebAssembly binary encoder, enough to emit small SIMD kernels at run time (no toolchain, no
 * committed binaries): the WMMSE/FP teachers' float64 kernels and the float32 weight-gradient kernel that
 * runs on the wasm tfjs backend's heap (wasm-edge-kernels.ts). Only what the kernels use is here: one imported memory
 * (`env.memory`), functions with i32/f64/v128 params and locals, exports, and the opcodes below.
 *
 * Encoding reference: the WebAssembly core specification, "Binary format" (sections, LEB128 integers,
 * instruction opcodes) and the fixed-width SIMD proposal (0xFD-prefixed opcodes, standardised in 2.0).
 *
 * Why WebAssembly at all: the two K×K matrix–vector products per WMMSE iteration are the whole cost.
 * Scalar JS loops reach ≈1 ns per multiply-add here (≈2.5× slower than NumPy's batched float64); the same
 * loops on f64x2 lanes with 4-row register blocking run at ≈0.2 ns, so a batch of 1000 samples at
 * K = 20 costs about what NumPy/OpenBLAS costs. The arithmetic is IEEE float64 either way.
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';
export type Code = number[];

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export interface FuncDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  /** Locals after the params, in index order. */
  readonly locals: readonly ValType[];
  readonly body: Code;
}

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

/** Encodes a module: type, import (memory `env.memory`, at least `minPages` pages), function, export, code. */
export function assemble(funcs: readonly FuncDef[], minPages = 1): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vector(f.params.map((p) => [VALTYPE[p]])), ...vector(f.results.map((r) => [VALTYPE[r]]))]);
  const imports = vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages)]]);
  const functions = vector(funcs.map((_, i) => uleb(i)));
  const exports = vector(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const codes = vector(
    funcs.map((f) => {
      // Run-length encode the locals' types.
      const groups: number[][] = [];
      for (let i = 0; i < f.locals.length; ) {
        let j = i;
        while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
        groups.push([...uleb(j - i), VALTYPE[f.locals[i]]]);
        i = j;
      }
      const body = [...vector(groups), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}

const simd = (opcode: number): Code => [0xfd, ...uleb(opcode)];
const f64bytes = (x: number): number[] => [...new Uint8Array(new Float64Array([x]).buffer)];

/** Opcodes (core spec §5.4, SIMD §5.4.8). Memory accesses take a constant byte offset (memarg). */
export const op = {
  localGet: (i: number): Code => [0x20, ...uleb(i)],
  localSet: (i: number): Code => [0x21, ...uleb(i)],
  localTee: (i: number): Code => [0x22, ...uleb(i)],
  i32Const: (n: number): Code => [0x41, ...sleb(n)],
  f64Const: (x: number): Code => [0x44, ...f64bytes(x)],
  i32Add: [0x6a] as Code,
  i32Mul: [0x6c] as Code,
  i32LtU: [0x49] as Code,
  i32Eq: [0x46] as Code,
  i32Sub: [0x6b] as Code,
  i32RemU: [0x70] as Code,
  f32Add: [0x92] as Code,
  f32Mul: [0x94] as Code,
  f32Div: [0x95] as Code,
  f32Max: [0x97] as Code,
  f32Eq: [0x5b] as Code,
  f64Add: [0xa0] as Code,
  f64Sqrt: [0x9f] as Code,
  block: [0x02, 0x40] as Code,
  loop: [0x03, 0x40] as Code,
  end: [0x0b] as Code,
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  f64Store: (offset: number): Code => [0x39, 3, ...uleb(offset)],
  f32Load: (offset: number): Code => [0x2a, 2, ...uleb(offset)],
  f32Const: (x: number): Code => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)],
  f32Ne: [0x5c] as Code,
  /** `if` with no result (pops an i32 condition); close with `end`, optionally after `else`. */
  if: [0x04, 0x40] as Code,
  else: [0x05] as Code,
  /** select(a, b, c) = c ? a : b (operands pushed in that order). */
  select: [0x1b] as Code,
  v128Load: (offset: number): Code => [...simd(0x00), 4, ...uleb(offset)],
  v128Store: (offset: number): Code => [...simd(0x0b), 4, ...uleb(offset)],
  f64x2Splat: simd(0x14),
  f32x4Splat: simd(0x13),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  f32x4Eq: simd(0x41),
  f32x4Gt: simd(0x44),
  f32x4ExtractLane: (lane: number): Code => [...simd(0x1f), lane],
  v128AnyTrue: simd(0x53),
  v128And: simd(0x4e),
  f64x2ExtractLane: (lane: number): Code => [...simd(0x21), lane],
  v128Or: simd(0x50),
  v128Bitselect: simd(0x52),
  f64x2Gt: simd(0x4a),
  f64x2Sqrt: simd(0xef),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  /** pmin(a, b) = b < a ? b : a (IEEE "pseudo-minimum": a NaN in `a` survives). */
  f64x2Pmin: simd(0xf6),
  /** pmax(a, b) = a < b ? b : a. */
  f64x2Pmax: simd(0xf7),
};

/**
 * Builds code for element-wise f64x2 loops: every vector expression addresses lane pair k of a
 * vector stored at a constant byte address, with `k` (a byte offset, step 16) in local `kLocal`.
 * Expressions are code sequences that leave one v128 on the stack.
 */
export class VecBuilder {
  constructor(readonly kLocal: number) {}

  /** The lane pair at byte address `base + k`. */
  load(base: number): Code {
    return [...op.localGet(this.kLocal), ...op.v128Load(base)];
  }

  store(base: number, value: Code): Code {
    return [...op.localGet(this.kLocal), ...value, ...op.v128Store(base)];
  }

  /** Both lanes set to a scalar f64 held in a local (e.g. a function parameter). */
  splatLocal(local: number): Code {
    return [...op.localGet(local), ...op.f64x2Splat];
  }

  splat(value: number): Code {
    return [...op.f64Const(value), ...op.f64x2Splat];
  }

  get(local: number): Code {
    return op.localGet(local);
  }

  /** Evaluates `value` into a v128 local (a statement). */
  set(local: number, value: Code): Code {
    return [...value, ...op.localSet(local)];
  }

  add(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Add];
  }

  sub(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Sub];
  }

  mul(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Mul];
  }

  div(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Div];
  }

  sqrt(a: Code): Code {
    return [...a, ...op.f64x2Sqrt];
  }

  /** b < a ? b : a, lane-wise. */
  pmin(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Pmin];
  }

  /** a < b ? b : a, lane-wise. */
  pmax(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Pmax];
  }

  /** All-ones lanes where a > b. */
  gt(a: Code, b: Code): Code {
    return [...a, ...b, ...op.f64x2Gt];
  }

  or(a: Code, b: Code): Code {
    return [...a, ...b, ...op.v128Or];
  }

  /** mask ? a : b, lane-wise (mask lanes all-ones or all-zeros). */
  select(mask: Code, a: Code, b: Code): Code {
    return [...a, ...b, ...mask, ...op.v128Bitselect];
  }

  /** `for (k = 0; k < bytes; k += 16) { body }` (bytes > 0, a multiple of 16). */
  loop(bytes: number, body: Code): Code {
    const k = this.kLocal;
    return [
      ...op.i32Const(0), ...op.localSet(k),
      ...op.loop,
      ...body,
      ...op.localGet(k), ...op.i32Const(16), ...op.i32Add, ...op.localTee(k),
      ...op.i32Const(bytes), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
    ];
  }
}

/** The slice of the WebAssembly JS API used here (the compile target's lib has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error('WebAssembly is not available in this JavaScript runtime');
  return api;
}

/** Compiles a module (compile once, instantiate many: V8 tiers hot code up per compiled module). */
export function compile(bytes: Uint8Array): object {
  const api = wasmApi();
  if (!api.validate(bytes)) throw new Error('internal error: emitted WebAssembly module does not validate');
  return new api.Module(bytes);
}

/** Instantiates a compiled module against a fresh memory of `pages` 64 KiB pages. */
export function instantiate(module: object, pages: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const api = wasmApi();
  const memory = new api.Memory({ initial: pages });
  const instance = new api.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports };
}

/** Instantiates a compiled module against an existing memory (e.g. another module's exported heap). */
export function instantiateWithMemory(module: object, memory: WasmMemory): Record<string, unknown> {
  return new (wasmApi().Instance)(module, { env: { memory } }).exports;
}
