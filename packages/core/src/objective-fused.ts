import * as tf from '@tensorflow/tfjs';
import { customOp } from './dense';
import type { RateUnit } from './objective';
import { sumRateTensor } from './objective-tensor';

/**
 * The unsupervised loss −(1/B) Σ_b Σ_i λ_bi log(1 + SINR_bi) of objective-tensor.ts as two kernels on the
 * wasm backend: `RrmSumRateLoss` (forward, → a scalar) and `RrmSumRateLossGrad` (→ dℓ/dp [B, K]).
 *
 * Unfused, the loss is ~15 kernels forward (eye, masking, a batched matMul, add, mul, div, log1p, the
 * unit, the weights, sum, mean, neg) and ~20 backward, each with wasm's fixed per-kernel cost; the work
 * itself is O(B·K²). Here both passes are one plain loop over the wasm heap each, in float64, with the
 * same equations as objective-tensor.ts:
 *   I_i = Σ_{j≠i} g_ij p_j + σ²,   s_i = d_i p_i,   t_i = I_i + s_i,   R = Σ_i λ_i log(1 + s_i / I_i),
 *   ∂R/∂p_k = λ_k d_k / t_k − Σ_{i≠k} g_ik · λ_i s_i / (I_i t_i).
 * The interference is summed over j ≠ i directly, never as a full sum minus the direct term (see
 * objective-tensor.ts: float32 would lose it when direct gains dwarf it).
 *
 * Only `powers` is differentiated: gains, direct gains and weights are data (a channel batch). Use
 * `sumRateTensor` where a gradient with respect to the channel is needed. On every other backend (and
 * for non-float32 inputs) `sumRateLoss` is exactly tf.neg(tf.mean(sumRateTensor(…))).
 */
export const SUM_RATE_LOSS = 'RrmSumRateLoss';
export const SUM_RATE_LOSS_GRAD = 'RrmSumRateLossGrad';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface SumRateArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

function checkShapes(name: string, inputs: tf.NamedTensorInfoMap): [number, number] {
  const { gains, direct, powers, weights } = inputs as Record<string, tf.TensorInfo | undefined>;
  if (!gains || !direct || !powers) throw new Error(`${name}: expected inputs gains, direct and powers`);
  const [b, k] = powers.shape;
  const ok =
    powers.shape.length === 2 &&
    gains.shape.join() === [b, k, k].join() &&
    direct.shape.join() === [b, k].join() &&
    (!weights || weights.shape.join() === [b, k].join()) &&
    [gains, direct, powers, weights].every((t) => !t || t.dtype === 'float32');
  if (!ok) {
    const shapes = [gains, direct, powers, weights].map((t) => (t ? `[${t.shape.join(', ')}] ${t.dtype}` : 'none')).join(', ');
    throw new Error(`${name}: expected float32 gains [B, K, K], direct [B, K], powers [B, K] and weights [B, K] or none, got ${shapes}`);
  }
  return [b, k];
}

/** Per sample b: I_i (into `interf`) for the K links, from row-major gains at offset `g0` and powers at `p0`. */
function interference(gains: Float32Array, powers: Float32Array, g0: number, p0: number, k: number, noise: number, interf: Float64Array): void {
  for (let i = 0; i < k; i++) {
    const row = g0 + i * k;
    let acc = 0;
    for (let j = 0; j < k; j++) if (j !== i) acc += gains[row + j] * powers[p0 + j];
    interf[i] = acc + noise;
  }
}

/** `RrmSumRateLoss` (wasm): inputs gains, direct, powers, weights? → scale · Σ_b Σ_i λ_bi ln(1 + SINR_bi), a scalar. */
export function sumRateLossKernel({ inputs, attrs, backend }: SumRateArgs): tf.TensorInfo {
  const [b, k] = checkShapes(SUM_RATE_LOSS, inputs);
  const noise = attrs?.noise as number;
  const scale = attrs?.scale as number;
  const heap = backend as HeapBackend;
  const out = heap.makeOutput([], 'float32');
  // Views after makeOutput: a growing heap would detach earlier ones.
  const view = (name: string) => (inputs[name] ? heap.typedArrayFromHeap(inputs[name] as tf.TensorInfo) : undefined);
  const [gains, direct, powers, weights] = [view('gains')!, view('direct')!, view('powers')!, view('weights')];
  const interf = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < b; s++) {
    const p0 = s * k;
    interference(gains, powers, p0 * k, p0, k, noise, interf);
    for (let i = 0; i < k; i++) {
      const r = Math.log1p((direct[p0 + i] * powers[p0 + i]) / interf[i]);
      total += weights ? weights[p0 + i] * r : r;
    }
  }
  heap.typedArrayFromHeap(out)[0] = scale * total;
  return out;
}

/** `RrmSumRateLossGrad` (wasm): the inputs of RrmSumRateLoss and dy (a scalar) → d loss / d powers [B, K]. */
export function sumRateLossGradKernel({ inputs, attrs, backend }: SumRateArgs): tf.TensorInfo {
  const [b, k] = checkShapes(SUM_RATE_LOSS_GRAD, inputs);
  const noise = attrs?.noise as number;
  const scale = attrs?.scale as number;
  const heap = backend as HeapBackend;
  const out = heap.makeOutput([b, k], 'float32');
  const view = (name: string) => (inputs[name] ? heap.typedArrayFromHeap(inputs[name] as tf.TensorInfo) : undefined);
  const [gains, direct, powers, weights, dy, dp] = [view('gains')!, view('direct')!, view('powers')!, view('weights'), view('dy')!, heap.typedArrayFromHeap(out)];
  const c = scale * dy[0];
  const interf = new Float64Array(k);
  const total = new Float64Array(k);
  const cross = new Float64Array(k);
  for (let s = 0; s < b; s++) {
    const p0 = s * k;
    const g0 = p0 * k;
    interference(gains, powers, g0, p0, k, noise, interf);
    for (let i = 0; i < k; i++) {
      const lam = weights ? weights[p0 + i] : 1;
      const signal = direct[p0 + i] * powers[p0 + i];
      total[i] = interf[i] + signal;
      // λ_i s_i / (I_i t_i): how much rate i loses per unit of interference.
      cross[i] = (lam * signal) / (interf[i] * total[i]);
    }
    for (let q = 0; q < k; q++) {
      const lam = weights ? weights[p0 + q] : 1;
      let acc = 0;
      for (let i = 0; i < k; i++) if (i !== q) acc += gains[g0 + i * k + q] * cross[i];
      dp[p0 + q] = c * ((lam * direct[p0 + q]) / total[q] - acc);
    }
  }
  return out;
}

/** Whether the fused loss kernels run here (the wasm backend with them registered, registerWasmKernels). */
export function sumRateLossFused(): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(SUM_RATE_LOSS, 'wasm') !== undefined;
}

/**
 * ℓ = −(1/B) Σ_b Σ_i λ_bi log(1 + SINR_bi), the unsupervised loss, differentiable with respect to `powers`
 * [B, K] (gains [B, K, K], direct [B, K], weights [B, K] are data). One kernel forward and one backward
 * on wasm; tf.neg(tf.mean(sumRateTensor(…))) elsewhere.
 */
export function sumRateLoss(
  gains: tf.Tensor3D,
  direct: tf.Tensor2D,
  powers: tf.Tensor2D,
  noise: number,
  weights?: tf.Tensor2D,
  unit: RateUnit = 'bits',
): tf.Scalar {
  const all = [gains, direct, powers, weights];
  if (!sumRateLossFused() || powers.shape[0] === 0 || all.some((t) => t && t.dtype !== 'float32')) {
    return tf.tidy(() => tf.neg(tf.mean(sumRateTensor(gains, direct, powers, noise, weights, unit))) as tf.Scalar);
  }
  const attrs = { noise, scale: -1 / (powers.shape[0] * (unit === 'bits' ? Math.LN2 : 1)) };
  return customOp<tf.Scalar>(([p], save) => {
    const data = { gains, direct, ...(weights ? { weights } : {}) };
    const value = tf.engine().runKernel(SUM_RATE_LOSS, { ...data, powers: p }, attrs) as tf.Scalar;
    save(weights ? [p, gains, direct, weights] : [p, gains, direct]);
    return {
      value,
      gradFunc: (dy, [ps, gs, ds, ws]) => {
        const saved: tf.NamedTensorMap = { gains: gs, direct: ds, powers: ps, dy };
        if (ws) saved.weights = ws;
        return [tf.engine().runKernel(SUM_RATE_LOSS_GRAD, saved, attrs) as tf.Tensor2D];
      },
    };
  })(powers);
}
