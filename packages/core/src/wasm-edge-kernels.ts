import * as tf from '@tensorflow/tfjs';
import { assemble, compile, instantiateWithMemory, op, type Code, type FuncDef, type WasmMemory } from './wasm-asm';

/**
 * Kernels for per-edge tensors ([B·K², F] rows of a dense graph) on the wasm backend, where tfjs's own
 * kernels are slow: aᵀ·b (RrmMatMulTN), 1ᵀ·b (RrmSumRows), sums of consecutive rows (RrmSumGroups) and the
 * masked max over neighbours with its gradient (RrmMaskedMax, RrmMaskedMaxGrad).
 *
 * aᵀ·b for tall, narrow operands — the weight gradient Σₙ xₙᵀ·dzₙ of a dense layer applied to every
 * edge of a dense graph (a [B·K², 32] or [B·K², 8] input, B·K² = 10⁵ and more rows).
 *
 * On the wasm backend tfjs runs matMul(aᵀ, b) either through a naive loop (transposeA) or through XNNPACK
 * after an explicit transpose, and XNNPACK packs the whole [n, q] operand on every call: at n = 102 400,
 * p = q = 32 that is ~21 ms plus an 11 ms transpose, and [8, 160 000]·[160 000, 16] takes 11.5 ms (≈2
 * G multiply-adds/s). This kernel streams both operands once, in chunks of rows that stay in cache,
 * accumulating 4×8 output tiles in f32x4 registers (≈8 G multiply-adds/s here). It runs in our own
 * WebAssembly module instantiated on the wasm backend's own memory (exported by its Emscripten module as
 * `asm.memory`), so no tensor data is copied. Registered as the kernel `RrmMatMulTN` for `wasm`;
 * `matMulTN` falls back to transpose + matMul on other backends and shapes. `RrmSumRows` does the same
 * for the bias gradient 1ᵀ·dz, which as a matMul would make XNNPACK pack dz (11–20 ms at 160 000 rows).
 */
export const MATMUL_TN = 'RrmMatMulTN';

/** Rows per chunk: both operands' chunk (256·(p + q)·4 bytes, 64 KiB at p = q = 32) stays in L2 while every tile sweeps it. */
const CHUNK_ROWS = 256;
/** Fewer rows than this: the explicit transpose is cheap and XNNPACK is as fast. */
const MIN_ROWS = 1024;

export const SUM_ROWS = 'RrmSumRows';
export const SUM_GROUPS = 'RrmSumGroups';
export const MASKED_MAX = 'RrmMaskedMax';
export const MASKED_MAX_GRAD = 'RrmMaskedMaxGrad';

/** Whether RrmSumRows handles b [n, q]. */
export function sumRowsSupported(n: number, q: number): boolean {
  return n >= MIN_ROWS && q % 8 === 0;
}

/** Whether the kernel handles a [n, p]ᵀ·[n, q] product (4×8 tiles, no remainder handling). */
export function matMulTNSupported(n: number, p: number, q: number): boolean {
  return n >= MIN_ROWS && p % 4 === 0 && q % 8 === 0;
}

const g = op.localGet;
const set = op.localSet;

/** A function body and a way to append code to it. */
function emitter(): { body: Code; emit: (...parts: Code[]) => void } {
  const body: Code = [];
  return { body, emit: (...parts) => parts.forEach((c) => body.push(...c)) };
}

/** The tail of a do-while loop: counter += step; continue while counter < limit (unsigned). */
function loopEnd(counter: number, step: number, limit: number): Code {
  return [...g(counter), ...op.i32Const(step), ...op.i32Add, ...op.localTee(counter), ...g(limit), ...op.i32LtU, ...op.brIf(0), ...op.end];
}

/** for (v = 0; v < limit; v += 16) { code } — over the 4-float vectors of a row of `limit` bytes (> 0). */
function forBytes(v: number, limit: number, ...code: Code[]): Code[] {
  return [op.i32Const(0), set(v), op.loop, ...code, loopEnd(v, 16, limit)];
}

/**
 * tn(a, b, out, n, p, q): out[p, q] += Σ_r a[r, :]ᵀ b[r, :], byte addresses, row-major float32, n ≥ 1,
 * p % 4 = 0, q % 8 = 0.
 */
function tnFunction(): FuncDef[] {
  const [A, B, OUT, N, P, Q, R0, REND, I0, J0, PA, PB, R, ROWA, ROWB, PO] = Array.from({ length: 16 }, (_, i) => i);
  const acc = (k: number) => 16 + k;
  const [BV0, BV1, S] = [24, 25, 26];
  const { body, emit } = emitter();
  /** Address of output row i0 + ii of the current tile: po + ii·rowB. */
  const outRow = (ii: number): Code => [...g(PO), ...g(ROWB), ...op.i32Const(ii), ...op.i32Mul, ...op.i32Add];

  emit(g(P), op.i32Const(4), op.i32Mul, set(ROWA), g(Q), op.i32Const(4), op.i32Mul, set(ROWB), op.i32Const(0), set(R0));
  emit(op.loop); // chunks of rows [r0, rEnd)
  // rEnd = min(r0 + CHUNK_ROWS, n)
  emit(g(R0), op.i32Const(CHUNK_ROWS), op.i32Add, g(N), g(R0), op.i32Const(CHUNK_ROWS), op.i32Add, g(N), op.i32LtU, op.select, set(REND));
  emit(op.i32Const(0), set(I0), op.loop); // tile rows i0 (4 at a time)
  emit(op.i32Const(0), set(J0), op.loop); // tile columns j0 (8 at a time)
  emit(g(I0), g(Q), op.i32Mul, g(J0), op.i32Add, op.i32Const(4), op.i32Mul, g(OUT), op.i32Add, set(PO));
  for (let ii = 0; ii < 4; ii++) for (let jj = 0; jj < 2; jj++) emit(outRow(ii), op.v128Load(jj * 16), set(acc(2 * ii + jj)));
  emit(g(R0), g(P), op.i32Mul, g(I0), op.i32Add, op.i32Const(4), op.i32Mul, g(A), op.i32Add, set(PA));
  emit(g(R0), g(Q), op.i32Mul, g(J0), op.i32Add, op.i32Const(4), op.i32Mul, g(B), op.i32Add, set(PB));
  emit(g(R0), set(R), op.loop); // rows of the chunk
  emit(g(PB), op.v128Load(0), set(BV0), g(PB), op.v128Load(16), set(BV1));
  for (let ii = 0; ii < 4; ii++) {
    emit(g(PA), op.f32Load(ii * 4), op.f32x4Splat, set(S));
    emit(g(acc(2 * ii)), g(S), g(BV0), op.f32x4Mul, op.f32x4Add, set(acc(2 * ii)));
    emit(g(acc(2 * ii + 1)), g(S), g(BV1), op.f32x4Mul, op.f32x4Add, set(acc(2 * ii + 1)));
  }
  emit(g(PA), g(ROWA), op.i32Add, set(PA), g(PB), g(ROWB), op.i32Add, set(PB));
  emit(loopEnd(R, 1, REND));
  for (let ii = 0; ii < 4; ii++) for (let jj = 0; jj < 2; jj++) emit(outRow(ii), g(acc(2 * ii + jj)), op.v128Store(jj * 16));
  emit(loopEnd(J0, 8, Q));
  emit(loopEnd(I0, 4, P));
  emit(g(REND), op.localTee(R0), g(N), op.i32LtU, op.brIf(0), op.end);

  return [
    {
      name: 'tn',
      params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
      results: [],
      locals: [...Array<'i32'>(10).fill('i32'), ...Array<'v128'>(11).fill('v128')],
      body,
    },
  ];
}

/**
 * colsum(b, out, n, q): out[q] += Σ_r b[r, :] (the bias gradient 1ᵀ·dz), byte addresses, n ≥ 1, q % 8 = 0;
 * chunked like tn so that b is read from memory once.
 */
function colsumFunction(): FuncDef {
  const [B, OUT, N, Q, R0, REND, J0, PB, R, ROWB, PO] = Array.from({ length: 11 }, (_, i) => i);
  const [ACC0, ACC1] = [11, 12];
  const { body, emit } = emitter();
  emit(g(Q), op.i32Const(4), op.i32Mul, set(ROWB), op.i32Const(0), set(R0));
  emit(op.loop);
  emit(g(R0), op.i32Const(CHUNK_ROWS), op.i32Add, g(N), g(R0), op.i32Const(CHUNK_ROWS), op.i32Add, g(N), op.i32LtU, op.select, set(REND));
  emit(op.i32Const(0), set(J0), op.loop);
  emit(g(J0), op.i32Const(4), op.i32Mul, g(OUT), op.i32Add, set(PO));
  emit(g(PO), op.v128Load(0), set(ACC0), g(PO), op.v128Load(16), set(ACC1));
  emit(g(R0), g(Q), op.i32Mul, g(J0), op.i32Add, op.i32Const(4), op.i32Mul, g(B), op.i32Add, set(PB));
  emit(g(R0), set(R), op.loop);
  emit(g(ACC0), g(PB), op.v128Load(0), op.f32x4Add, set(ACC0), g(ACC1), g(PB), op.v128Load(16), op.f32x4Add, set(ACC1));
  emit(g(PB), g(ROWB), op.i32Add, set(PB));
  emit(loopEnd(R, 1, REND));
  emit(g(PO), g(ACC0), op.v128Store(0), g(PO), g(ACC1), op.v128Store(16));
  emit(loopEnd(J0, 8, Q));
  emit(g(REND), op.localTee(R0), g(N), op.i32LtU, op.brIf(0), op.end);
  return { name: 'colsum', params: ['i32', 'i32', 'i32', 'i32'], results: [], locals: [...Array<'i32'>(7).fill('i32'), 'v128', 'v128'], body };
}

/**
 * groupsum(x, out, groups, k, q): out[g, :] += Σ_{t<k} x[g·k + t, :] (q % 4 = 0, k ≥ 1, groups ≥ 1): the
 * gradient of a broadcast over a middle axis (Σ_j dz_ij per receiver, Σ_i dz_ij per sender). The output
 * row stays in L1 while the group's rows stream through it.
 */
function groupsumFunction(): FuncDef {
  const [X, OUT, G, K, Q, GI, T, V, PX, PO, ROW] = Array.from({ length: 11 }, (_, i) => i);
  const { body, emit } = emitter();
  emit(g(Q), op.i32Const(4), op.i32Mul, set(ROW), g(X), set(PX), g(OUT), set(PO), op.i32Const(0), set(GI));
  emit(op.loop); // groups
  emit(op.i32Const(0), set(T), op.loop); // rows of the group
  emit(op.i32Const(0), set(V), op.loop); // 4-float vectors of the row
  emit(g(PO), g(V), op.i32Add, g(PO), g(V), op.i32Add, op.v128Load(0), g(PX), g(V), op.i32Add, op.v128Load(0), op.f32x4Add, op.v128Store(0));
  emit(loopEnd(V, 16, ROW));
  emit(g(PX), g(ROW), op.i32Add, set(PX));
  emit(loopEnd(T, 1, K));
  emit(g(PO), g(ROW), op.i32Add, set(PO));
  emit(loopEnd(GI, 1, G));
  return { name: 'groupsum', params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [], locals: Array<'i32'>(6).fill('i32'), body };
}

/**
 * maskedmax(msg, mask, out, rows, k, f): for every receiver row r = (b, i),
 *   out[r, :] = max_{j: mask[r, j] ≠ 0} msg[r, j, :],  or 0 when no j qualifies (f % 4 = 0).
 * The output row is the accumulator (it stays in L1); absent edges are skipped, not shifted.
 */
function maskedmaxFunction(): FuncDef {
  const [MSG, MASK, OUT, ROWS, K, F, R, J, V, PM, PK, PO, ROW, ANY] = Array.from({ length: 14 }, (_, i) => i);
  const { body, emit } = emitter();
  /** for (v = 0; v < row; v += 16) { ...code } */
  emit(g(F), op.i32Const(4), op.i32Mul, set(ROW), g(MSG), set(PM), g(MASK), set(PK), g(OUT), set(PO), op.i32Const(0), set(R));
  emit(op.loop); // receivers
  emit(...forBytes(V, ROW, g(PO), g(V), op.i32Add, op.f32Const(-Infinity), op.f32x4Splat, op.v128Store(0)));
  emit(op.i32Const(0), set(ANY), op.i32Const(0), set(J), op.loop); // senders
  emit(g(PK), op.f32Load(0), op.f32Const(0), op.f32Ne, op.if, op.i32Const(1), set(ANY));
  emit(...forBytes(V, ROW, g(PO), g(V), op.i32Add, g(PO), g(V), op.i32Add, op.v128Load(0), g(PM), g(V), op.i32Add, op.v128Load(0), op.f32x4Max, op.v128Store(0)));
  emit(op.end);
  emit(g(PM), g(ROW), op.i32Add, set(PM), g(PK), op.i32Const(4), op.i32Add, set(PK));
  emit(loopEnd(J, 1, K));
  emit(g(ANY), op.i32Const(0), op.i32Eq, op.if, ...forBytes(V, ROW, g(PO), g(V), op.i32Add, op.f32Const(0), op.f32x4Splat, op.v128Store(0)), op.end);
  emit(g(PO), g(ROW), op.i32Add, set(PO));
  emit(loopEnd(R, 1, ROWS));
  return { name: 'maskedmax', params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], results: [], locals: Array<'i32'>(8).fill('i32'), body };
}

/**
 * maskedmaxgrad(msg, mask, out, dy, dmsg, rows, k, f): dmsg[r, j, :] = [msg[r, j, :] = out[r, :]] · dy[r, :]
 * where mask[r, j] ≠ 0, else 0 — the gradient of maskedmax, every maximal entry getting dy (as tf.max).
 */
function maskedmaxGradFunction(): FuncDef {
  const [MSG, MASK, OUT, DY, DM, ROWS, K, F, R, J, V, PM, PK, PO, PY, PD, ROW] = Array.from({ length: 17 }, (_, i) => i);
  const { body, emit } = emitter();
  emit(g(F), op.i32Const(4), op.i32Mul, set(ROW), g(MSG), set(PM), g(MASK), set(PK), g(OUT), set(PO), g(DY), set(PY), g(DM), set(PD), op.i32Const(0), set(R));
  emit(op.loop); // receivers
  emit(op.i32Const(0), set(J), op.loop); // senders
  emit(g(PK), op.f32Load(0), op.f32Const(0), op.f32Ne, op.if);
  emit(
    ...forBytes(V, ROW, 
      g(PD), g(V), op.i32Add,
      g(PM), g(V), op.i32Add, op.v128Load(0), g(PO), g(V), op.i32Add, op.v128Load(0), op.f32x4Eq,
      g(PY), g(V), op.i32Add, op.v128Load(0), op.v128And,
      op.v128Store(0),
    ),
  );
  emit(op.else, ...forBytes(V, ROW, g(PD), g(V), op.i32Add, op.f32Const(0), op.f32x4Splat, op.v128Store(0)), op.end);
  emit(g(PM), g(ROW), op.i32Add, set(PM), g(PD), g(ROW), op.i32Add, set(PD), g(PK), op.i32Const(4), op.i32Add, set(PK));
  emit(loopEnd(J, 1, K));
  emit(g(PO), g(ROW), op.i32Add, set(PO), g(PY), g(ROW), op.i32Add, set(PY));
  emit(loopEnd(R, 1, ROWS));
  return { name: 'maskedmaxgrad', params: Array<'i32'>(8).fill('i32'), results: [], locals: Array<'i32'>(9).fill('i32'), body };
}

function kernelModule(): Uint8Array {
  return assemble([...tnFunction(), colsumFunction(), groupsumFunction(), maskedmaxFunction(), maskedmaxGradFunction()]);
}

interface WasmBackendHeap {
  wasm: { asm: { memory: WasmMemory } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** Byte address of a tensor's data in the backend's heap. */
function heapOffset(backend: WasmBackendHeap, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Whether the active backend is wasm with our kernel `name` registered (registerWasmKernels). */
function onWasm(name: string): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(name, 'wasm') !== undefined;
}

let compiled: object | undefined;
let bound:
  | {
      memory: WasmMemory;
      tn: (a: number, b: number, out: number, n: number, p: number, q: number) => void;
      colsum: (b: number, out: number, n: number, q: number) => void;
      groupsum: (x: number, out: number, groups: number, k: number, q: number) => void;
      maskedmax: (msg: number, mask: number, out: number, rows: number, k: number, f: number) => void;
      maskedmaxgrad: (msg: number, mask: number, out: number, dy: number, dmsg: number, rows: number, k: number, f: number) => void;
    }
  | undefined;

/** Our module, instantiated on the backend's heap (again if the backend was re-created). */
function kernels(backend: WasmBackendHeap): NonNullable<typeof bound> {
  const memory = backend.wasm.asm.memory;
  if (!bound || bound.memory !== memory) {
    compiled ??= compile(kernelModule());
    const exports = instantiateWithMemory(compiled, memory);
    const b = exports as unknown as Omit<NonNullable<typeof bound>, 'memory'>;
    bound = { memory, tn: b.tn, colsum: b.colsum, groupsum: b.groupsum, maskedmax: b.maskedmax, maskedmaxgrad: b.maskedmaxgrad };
  }
  return bound;
}

/** The `RrmMatMulTN` kernel for the wasm backend: inputs a [n, p], b [n, q] → [p, q]. */
export function matMulTNKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [n, p] = a.shape;
  const q = b.shape[1];
  if (a.shape.length !== 2 || b.shape.length !== 2 || b.shape[0] !== n || !matMulTNSupported(n, p, q)) {
    throw new Error(`${MATMUL_TN}: expected a [n ≥ ${MIN_ROWS}, p % 4 = 0] and b [n, q % 8 = 0], got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const backend = args.backend as WasmBackendHeap;
  const { tn } = kernels(backend);
  const out = backend.makeOutput([p, q], 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  tn(at(a), at(b), at(out), n, p, q);
  return out;
}

/** The `RrmSumRows` kernel for the wasm backend: input b [n, q] → Σ_r b[r, :], [q]. */
export function sumRowsKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const b = args.inputs.b as tf.TensorInfo;
  const [n, q] = b.shape;
  if (b.shape.length !== 2 || !sumRowsSupported(n, q)) throw new Error(`${SUM_ROWS}: expected b [n ≥ ${MIN_ROWS}, q % 8 = 0], got [${b.shape.join(', ')}]`);
  const backend = args.backend as WasmBackendHeap;
  const { colsum } = kernels(backend);
  const out = backend.makeOutput([q], 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  colsum(heapOffset(backend, b), heapOffset(backend, out), n, q);
  return out;
}

/** aᵀ·b for a [n, p] and b [n, q]: the RrmMatMulTN kernel where it applies, else transpose + matMul. */
export function matMulTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [n, p] = a.shape;
  const q = b.shape[1];
  if (onWasm(MATMUL_TN) && a.dtype === 'float32' && b.dtype === 'float32' && matMulTNSupported(n, p, q)) {
    return tf.engine().runKernel(MATMUL_TN, { a, b }) as tf.Tensor2D;
  }
  return tf.tidy(() => tf.matMul(tf.transpose(a), b));
}

/** Σ_r b[r, :] for b [n, q] (a bias gradient): the RrmSumRows kernel where it applies, else 1ᵀ·b as a matMul. */
export function sumRows(b: tf.Tensor2D): tf.Tensor1D {
  const [n, q] = b.shape;
  if (onWasm(SUM_ROWS) && b.dtype === 'float32' && sumRowsSupported(n, q)) {
    return tf.engine().runKernel(SUM_ROWS, { b }) as tf.Tensor1D;
  }
  // A matMul with a ones row, not tf.sum over axis 0 (slow on wasm).
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, n]), b), [q]) as tf.Tensor1D);
}

/** The `RrmSumGroups` kernel for the wasm backend: x [G·k, q] (attr k) → [G, q], sums of k consecutive rows. */
export function sumGroupsKernel(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const k = args.attrs?.k as number;
  const [rows, q] = x.shape;
  if (x.shape.length !== 2 || !(k >= 1) || rows % k !== 0 || q % 4 !== 0 || rows === 0) {
    throw new Error(`${SUM_GROUPS}: expected x [G·k, q % 4 = 0] with k = ${k} dividing the rows, got [${x.shape.join(', ')}]`);
  }
  const backend = args.backend as WasmBackendHeap;
  const { groupsum } = kernels(backend);
  const out = backend.makeOutput([rows / k, q], 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  groupsum(heapOffset(backend, x), heapOffset(backend, out), rows / k, k, q);
  return out;
}

/**
 * Sums of k consecutive rows, x [G·k, q] → [G, q] (a reduction over a middle axis: [G, k, q] → [G, q]).
 * The RrmSumGroups kernel on wasm when q % 4 = 0; tf.sum over the middle axis otherwise.
 */
export function sumGroups(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const [rows, q] = x.shape;
  if (onWasm(SUM_GROUPS) && x.dtype === 'float32' && q % 4 === 0 && rows > 0 && rows % k === 0) {
    return tf.engine().runKernel(SUM_GROUPS, { x }, { k }) as tf.Tensor2D;
  }
  return tf.tidy(() => tf.sum(tf.reshape(x, [rows / k, k, q]), 1) as tf.Tensor2D);
}

/** The `RrmMaskedMax` kernel for wasm: msg [B, K, K, F], mask [B, K, K] → [B, K, F] (see maskedmax). */
export function maskedMaxKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const msg = args.inputs.msg as tf.TensorInfo;
  const mask = args.inputs.mask as tf.TensorInfo;
  const [b, k, k2, f] = msg.shape;
  if (msg.shape.length !== 4 || k !== k2 || f % 4 !== 0 || mask.shape.join() !== [b, k, k].join()) {
    throw new Error(`${MASKED_MAX}: expected msg [B, K, K, F % 4 = 0] and mask [B, K, K], got [${msg.shape.join(', ')}] and [${mask.shape.join(', ')}]`);
  }
  const backend = args.backend as WasmBackendHeap;
  const { maskedmax } = kernels(backend);
  const out = backend.makeOutput([b, k, f], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (b * k > 0) maskedmax(at(msg), at(mask), at(out), b * k, k, f);
  return out;
}

/** The `RrmMaskedMaxGrad` kernel for wasm: msg, mask, out = maskedmax(msg, mask), dy [B, K, F] → d msg. */
export function maskedMaxGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { msg, mask, out, dy } = args.inputs as Record<string, tf.TensorInfo>;
  const [b, k, , f] = msg.shape;
  const backend = args.backend as WasmBackendHeap;
  const { maskedmaxgrad } = kernels(backend);
  const dmsg = backend.makeOutput([b, k, k, f], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (b * k > 0) maskedmaxgrad(at(msg), at(mask), at(out), at(dy), at(dmsg), b * k, k, f);
  return dmsg;
}

/** Whether the RrmMaskedMax kernels run here for messages of width f. */
export function maskedMaxKernelAvailable(f: number): boolean {
  return onWasm(MASKED_MAX) && f % 4 === 0;
}
