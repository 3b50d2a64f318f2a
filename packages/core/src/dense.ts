import * as tf from '@tensorflow/tfjs';
import { matMulTN, sumRows } from './wasm-edge-kernels';

/** Element-wise activations of the dense layers (`none` is the identity). */
export type Activation = 'relu' | 'leaky-relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'none';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky-relu', 'elu', 'selu', 'tanh', 'sigmoid', 'none'];

/** Slope of leaky-relu for negative inputs (Keras/PyTorch-style small slope). */
export const LEAKY_RELU_SLOPE = 0.01;
// SELU constants (Klambauer et al. 2017), as tf.selu uses them.
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/**
 * A custom-gradient op: `fn` gets the input tensors and tfjs's save function, returns the value and the
 * gradient of every input. Only tensors passed to `save` may be read in `gradFunc`: everything else made
 * in the forward pass is disposed when the model's `tf.tidy` ends, before back-propagation runs.
 */
export function customOp<T extends tf.Tensor>(
  fn: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[] },
): (...inputs: tf.Tensor[]) => T {
  type F = Parameters<typeof tf.customGrad<T>>[0];
  return tf.customGrad<T>(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return fn(args.slice(0, -1) as tf.Tensor[], save);
  }) as F);
}

/** act(z) as a tensor op (not fused). */
export function activate<T extends tf.Tensor>(z: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'leaky-relu':
      return tf.leakyRelu(z, LEAKY_RELU_SLOPE);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'none':
      return z;
  }
}

/**
 * dL/dz from dL/dy for y = act(z), written with the output y only (saved by the forward pass):
 * relu' = step(y), sigmoid' = y(1 − y), tanh' = 1 − y²; the piecewise ones keep the sign of z, so
 * leaky-relu' = y > 0 ? 1 : slope, elu' = y > 0 ? 1 : y + 1, selu' = y > 0 ? scale : y + scale·alpha.
 */
export function activationGrad<T extends tf.Tensor>(dy: T, y: tf.Tensor, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'leaky-relu':
      return tf.mul(dy, tf.where(tf.greater(y, 0), tf.onesLike(y), tf.fill(y.shape, LEAKY_RELU_SLOPE)));
    case 'elu':
      return tf.mul(dy, tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1)));
    case 'selu':
      return tf.mul(dy, tf.where(tf.greater(y, 0), tf.fill(y.shape, SELU_SCALE), tf.add(y, SELU_SCALE * SELU_ALPHA)));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case 'none':
      return dy;
  }
}

function fusedActivation(activation: Activation): tf.fused.Activation {
  return activation === 'relu' || activation === 'sigmoid' ? activation : 'linear';
}

/**
 * act(a·w + bias) for a [n, in], w [in, out] as one `_FusedMatMul` kernel, also while a gradient is being
 * recorded. `tf.fused.matMul` runs the fused kernel only outside gradient recording (or for a linear
 * activation): under `tf.grad` it splits into BatchMatMul + Add + the activation (three kernels, and
 * reshapes), because its own gradient needs the pre-activation. Inside `dense` the
 * gradient is ours and needs only the output, so the kernel is called directly, as `tf.fused.matMul`
 * calls it at inference: [1, n, in]·[1, in, out] (the kernel takes batched operands). Same kernel as
 * inference, so training and inference compute the same forward values.
 */
function fusedMatMul(a: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, activation: tf.fused.Activation): tf.Tensor2D {
  const [n, fanIn] = a.shape;
  const fanOut = w.shape[1];
  const inputs: tf.NamedTensorMap = { a: tf.reshape(a, [1, n, fanIn]), b: tf.reshape(w, [1, fanIn, fanOut]) };
  if (bias) inputs.bias = bias;
  const y = tf.engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation }) as tf.Tensor3D;
  return tf.reshape(y, [n, fanOut]);
}

/**
 * y = act(x·W + b) for x [..., in], W [in, out], b [out] (or none) → y [..., out], as one fused matMul
 * kernel on x flattened to [N, in].
 *
 * The gradient is written by hand (STACK.md, wasm slow paths): tfjs's own matMul gradient multiplies with
 * transposeA / transposeB, which is 3–6× slower on wasm than transposing explicitly, and reduces the bias
 * gradient with a sum over axis 0, which is slow there too. Here:
 *   dz = dy ⊙ act'(y),  dx = dz·transpose(W),  dW = xᵀ·dz (`matMulTN`: our streaming kernel on wasm for
 *   the tall inputs of per-edge layers, transpose + matMul otherwise),  db = 1ᵀ·dz (`sumRows`: a kernel
 *   on wasm for tall inputs, a matMul with a ones row otherwise; never tf.sum over axis 0, slow on wasm).
 * The reshapes to and from 2-D happen inside the op: a taped tf.reshape saves (on wasm: copies) its input.
 * `inputGrad = false` skips dx (returns zeros) for inputs that are data, not functions of parameters.
 */
export function dense<T extends tf.Tensor>(x: T, w: tf.Tensor2D, b: tf.Tensor1D | null, activation: Activation = 'none', inputGrad = true): T {
  const shape = x.shape;
  const fanIn = shape[shape.length - 1];
  const n = x.size / fanIn;
  const fanOut = w.shape[1];
  const outShape = [...shape.slice(0, -1), fanOut];
  const op = customOp<T>((inputs, save) => {
    const [xx, ww, bb] = inputs as [tf.Tensor, tf.Tensor2D, tf.Tensor1D | undefined];
    const x2 = tf.reshape(xx, [n, fanIn]) as tf.Tensor2D;
    const fused = fusedActivation(activation);
    let y = fusedMatMul(x2, ww, bb ?? null, fused);
    if (fused === 'linear' && activation !== 'none') y = activate(y, activation);
    // y is needed only for act'(·); saving copies it on wasm, so skip it for the identity.
    save(activation === 'none' ? [x2, ww] : [x2, ww, y]);
    return {
      value: tf.reshape(y, outShape) as T,
      gradFunc: (dy, saved) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D | undefined];
        const dy2 = tf.reshape(dy, [n, fanOut]) as tf.Tensor2D;
        const dz = ys ? activationGrad(dy2, ys, activation) : dy2;
        const dx = inputGrad ? tf.reshape(tf.matMul(dz, tf.transpose(ws)), shape) : tf.zeros(shape);
        const dw = matMulTN(xs, dz);
        const grads: tf.Tensor[] = [dx, dw];
        if (bb) grads.push(sumRows(dz));
        return grads;
      },
    };
  });
  return b ? op(x, w, b) : op(x, w);
}
