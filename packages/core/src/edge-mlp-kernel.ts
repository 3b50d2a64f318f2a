import * as tf from '@tensorflow/tfjs';
import { edgeMlpFunctions, type EdgeMlpConfig } from './edge-mlp-simd';
import type { WasmMemory } from './wasm-asm';

/**
 * A message-passing layer's message MLP and aggregation as one kernel on the wasm backend, forward
 * (`RrmEdgeMlpAgg`) and backward (`RrmEdgeMlpAggGrad`), for the φ of models-gnn's MlpConv with two layers
 * whose first layer is factored per node and reads constant edge channels:
 *
 *   z_ij   = a_i + c_j + Σ_c e^c_ij · W_e[c, :]          a [B, K, H] receiver part, c [B, K, H] sender part
 *   msg_ij = act2(act1(z_ij) · W_2 + b_2)                 W_e [Fe, H], W_2 [H, M], b_2 [M]
 *   m_i    = ⊕_{j: mask_ij ≠ 0} msg_ij                    max (0 without neighbours), Σ mask_ij·msg_ij, or mean
 *
 * computed edge by edge, without the [B, K, K, H] and [B, K, K, M] tensors of the unfused path (about 20
 * kernels forward and 25 backward per layer, each with wasm's fixed per-kernel cost). The backward pass
 * recomputes each edge's activations (nothing per edge is saved) and, for the max, propagates only
 * through the edges that attain it, with the same tie rule as models-gnn's maskedMax: every maximal entry
 * gets the gradient. Either node part may be absent (not both); act1, act2 ∈ {relu, none}.
 *
 * Arithmetic: float32 SIMD (f32x4) in a WebAssembly module assembled per layer configuration and run on
 * the backend's heap (edge-mlp-simd.ts), so values agree with the unfused float32 ops to summation order;
 * the forward and backward passes compute bit-identical messages, which the max's tie rule relies on.
 * H and M must be multiples of 4. Where it pays: `edgeMlpAggAvailable`. A first version in scalar
 * JavaScript loops was 3–7× slower than the unfused path (~1.7 ns per multiply-add) and was dropped.
 */
export const EDGE_MLP_AGG = 'RrmEdgeMlpAgg';
export const EDGE_MLP_AGG_GRAD = 'RrmEdgeMlpAggGrad';

export type EdgeMlpActivation = 'relu' | 'none';
export type EdgeMlpAggregation = 'max' | 'sum' | 'mean';

/**
 * When MlpConv takes the fused kernels (wasm only). Measured per message layer, forward + backward at
 * B = 64 against the unfused path (docs/performance.md): UWGNN's [8, 16] φ 1.6–2.4× faster at
 * K = 10…50; a [32, 32] φ (GNN, WCGCN) 0.65–0.75× at K = 10…30, 1.1× at K = 50 — its backward pass
 * updates the 32×32 weight gradient edge by edge, where the unfused path has one XNNPACK matMul. So by
 * default only for φ with H·M ≤ `EDGE_MLP_MAX_HM`. `RRM_FUSED_MESSAGE=on` forces it wherever the shapes allow,
 * `off` disables it.
 */
export const FUSED_MESSAGE_ENV = 'RRM_FUSED_MESSAGE';
export const EDGE_MLP_MAX_HM = 128;

/** The fused-message policy from the environment: 'on', 'off' or 'auto' (default). */
export function fusedMessagePolicy(env: NodeJS.ProcessEnv = process.env): 'on' | 'off' | 'auto' {
  const v = env[FUSED_MESSAGE_ENV];
  return v === 'on' || v === 'off' ? v : 'auto';
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface Args {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

interface Layout {
  b: number;
  k: number;
  h: number;
  m: number;
  fe: number;
  act1: EdgeMlpActivation;
  act2: EdgeMlpActivation;
  agg: EdgeMlpAggregation;
}

function layout(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): Layout {
  const { a, c, we, w2, b2, mask } = inputs as Record<string, tf.TensorInfo | undefined>;
  const fe = attrs?.fe as number;
  const act1 = attrs?.act1 as EdgeMlpActivation;
  const act2 = attrs?.act2 as EdgeMlpActivation;
  const agg = attrs?.agg as EdgeMlpAggregation;
  const node = a ?? c;
  const fail = (what: string) => new Error(`${name}: ${what}`);
  if (!node || !we || !w2 || !b2 || !mask) throw fail('expected inputs a and/or c, we, w2, b2 and mask');
  const [b, k, h] = node.shape;
  const m = w2.shape[1];
  const same = (t: tf.TensorInfo | undefined, shape: number[]) => !t || t.shape.join() === shape.join();
  const channels = Array.from({ length: fe }, (_, ch) => inputs[`e${ch}`] as tf.TensorInfo | undefined);
  const ok =
    node.shape.length === 3 &&
    h % 4 === 0 &&
    m % 4 === 0 &&
    same(a, [b, k, h]) &&
    same(c, [b, k, h]) &&
    same(we, [fe, h]) &&
    same(w2, [h, m]) &&
    same(b2, [m]) &&
    same(mask, [b, k, k]) &&
    channels.every((e) => e && same(e, [b, k, k])) &&
    [a, c, we, w2, b2, mask, ...channels].every((t) => !t || t.dtype === 'float32') &&
    ['relu', 'none'].includes(act1) &&
    ['relu', 'none'].includes(act2) &&
    ['max', 'sum', 'mean'].includes(agg);
  if (!ok) {
    const shapes = Object.entries(inputs)
      .map(([n, t]) => `${n} [${(t as tf.TensorInfo).shape.join(', ')}]`)
      .join(', ');
    throw fail(`expected float32 a/c [B, K, H % 4 = 0], we [fe = ${fe}, H], w2 [H, M % 4 = 0], b2 [M], mask and e0…e${fe - 1} [B, K, K], act1/act2 relu|none, agg max|sum|mean; got ${shapes}, ${act1}, ${act2}, ${agg}`);
  }
  return { b, k, h, m, fe, act1, act2, agg };
}

interface WasmHeap extends HeapBackend {
  wasm: { asm: { memory: WasmMemory } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

function simdConfig(L: Layout, inputs: tf.NamedTensorInfoMap): EdgeMlpConfig {
  return { h: L.h, m: L.m, fe: L.fe, relu1: L.act1 === 'relu', relu2: L.act2 === 'relu', agg: L.agg, hasA: !!inputs.a, hasC: !!inputs.c };
}

/** `RrmEdgeMlpAgg` (wasm): → m [B, K, M]. */
export function edgeMlpAggKernel({ inputs, attrs, backend }: Args): tf.TensorInfo {
  const L = layout(EDGE_MLP_AGG, inputs, attrs);
  const heap = backend as WasmHeap;
  const out = heap.makeOutput([L.b, L.k, L.m], 'float32');
  const at = (name: string) => (inputs[name] ? heap.dataIdMap.get((inputs[name] as tf.TensorInfo).dataId).memoryOffset : 0);
  const { fwd } = edgeMlpFunctions(simdConfig(L, inputs), heap.wasm.asm.memory);
  const channels = Array.from({ length: L.fe }, (_, ch) => at(`e${ch}`));
  if (L.b * L.k > 0) fwd(at('c'), at('a'), at('we'), at('w2'), at('b2'), at('mask'), heap.dataIdMap.get(out.dataId).memoryOffset, L.b * L.k, L.k, ...channels);
  return out;
}

/**
 * `RrmEdgeMlpAggGrad` (wasm): the forward inputs plus out (the forward result) and dy [B, K, M] →
 * [da (if a), dc (if c), dwe, dw2, db2].
 */
export function edgeMlpAggGradKernel({ inputs, attrs, backend }: Args): tf.TensorInfo[] {
  const L = layout(EDGE_MLP_AGG_GRAD, inputs, attrs);
  const { b: B, k: K, h: H, m: M, fe } = L;
  const heap = backend as WasmHeap;
  const outs: Record<string, tf.TensorInfo> = {};
  if (inputs.a) outs.da = heap.makeOutput([B, K, H], 'float32');
  if (inputs.c) outs.dc = heap.makeOutput([B, K, H], 'float32');
  outs.dwe = heap.makeOutput([fe, H], 'float32');
  outs.dw2 = heap.makeOutput([H, M], 'float32');
  outs.db2 = heap.makeOutput([M], 'float32');
  const w2t = heap.makeOutput([M, H], 'float32');
  // Views after every makeOutput (a growing heap detaches older views).
  for (const t of Object.values(outs)) heap.typedArrayFromHeap(t).fill(0);
  const w2 = heap.typedArrayFromHeap(inputs.w2 as tf.TensorInfo);
  const t2 = heap.typedArrayFromHeap(w2t);
  for (let t = 0; t < H; t++) for (let q = 0; q < M; q++) t2[q * H + t] = w2[t * M + q];
  const addr = (t: tf.TensorInfo | undefined) => (t ? heap.dataIdMap.get(t.dataId).memoryOffset : 0);
  const at = (name: string) => addr(inputs[name] as tf.TensorInfo | undefined);
  const { bwd } = edgeMlpFunctions(simdConfig(L, inputs), heap.wasm.asm.memory);
  const channels = Array.from({ length: fe }, (_, ch) => at(`e${ch}`));
  if (B * K > 0) {
    bwd(at('c'), at('a'), at('we'), at('w2'), addr(w2t), at('b2'), at('mask'), at('out'), at('dy'), addr(outs.da), addr(outs.dc), addr(outs.dwe), addr(outs.dw2), addr(outs.db2), B * K, K, ...channels);
  }
  heap.disposeData(w2t.dataId, true);
  return [outs.da, outs.dc, outs.dwe, outs.dw2, outs.db2].filter((t): t is tf.TensorInfo => t !== undefined);
}

/**
 * Whether the fused kernels run for a layer of `edges` = B·K² edges with hidden width h and message width
 * m on the active backend: wasm with the kernels registered (registerWasmKernels), h % 4 = m % 4 = 0, and
 * the policy (`fusedMessagePolicy`: by default h·m ≤ EDGE_MLP_MAX_HM).
 */
export function edgeMlpAggAvailable(edges: number, h: number, m: number): boolean {
  const policy = fusedMessagePolicy();
  if (policy === 'off' || (policy === 'auto' && h * m > EDGE_MLP_MAX_HM)) return false;
  return tf.getBackend() === 'wasm' && tf.getKernel(EDGE_MLP_AGG, 'wasm') !== undefined && edges > 0 && h % 4 === 0 && m % 4 === 0;
}

/**
 * m = ⊕_j act2(act1(a_i + c_j + Σ_c e^c_ij·W_e[c, :])·W_2 + b_2) as one custom op: the RrmEdgeMlpAgg kernel
 * forward and RrmEdgeMlpAggGrad backward (wasm only: check `edgeMlpAggAvailable` first). Differentiable
 * with respect to a, c, W_e, W_2 and b_2; the mask and the edge channels are data.
 */
export function edgeMlpAgg(
  a: tf.Tensor3D | null,
  c: tf.Tensor3D | null,
  channels: readonly tf.Tensor3D[],
  we: tf.Tensor2D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
  mask: tf.Tensor3D,
  act1: EdgeMlpActivation,
  act2: EdgeMlpActivation,
  agg: EdgeMlpAggregation,
): tf.Tensor3D {
  if (!a && !c) throw new Error('edgeMlpAgg: a receiver or a sender part is needed');
  const attrs = { fe: channels.length, act1, act2, agg };
  const data: tf.NamedTensorMap = { mask };
  channels.forEach((e, ch) => (data[`e${ch}`] = e));
  const names = [...(a ? ['a'] : []), ...(c ? ['c'] : []), 'we', 'w2', 'b2'];
  const inputs: tf.Tensor[] = [];
  for (const t of [a, c, we, w2, b2]) if (t) inputs.push(t);
  const run = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const ins = args.slice(0, -1) as tf.Tensor[];
    const named: tf.NamedTensorMap = { ...data };
    names.forEach((n, idx) => (named[n] = ins[idx]));
    const value = tf.engine().runKernel(EDGE_MLP_AGG, named, attrs) as tf.Tensor3D;
    save([...ins, value, mask, ...channels]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const n = names.length;
        const g: tf.NamedTensorMap = { dy, out: saved[n], mask: saved[n + 1] };
        names.forEach((name, idx) => (g[name] = saved[idx]));
        saved.slice(n + 2).forEach((e, ch) => (g[`e${ch}`] = e));
        return tf.engine().runKernel(EDGE_MLP_AGG_GRAD, g, attrs) as unknown as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return run(...inputs) as tf.Tensor3D;
}
