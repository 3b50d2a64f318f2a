import * as tf from '@tensorflow/tfjs';
import { dense, type Activation, type Rng } from '@rrm/core';
import type { ParamStore } from './params';

/** Weight initialisation: Glorot (Xavier) uniform U(±√(6/(fan_in+fan_out))) or He normal N(0, 2/fan_in). */
export type Init = 'glorot' | 'he';
export const INITS: readonly Init[] = ['glorot', 'he'];

export interface MlpConfig {
  /**
   * Input width, or the widths of the input parts whose concatenation feeds the first layer (e.g.
   * [x_i, x_j, e_ij] for a message function). Parts let a caller apply the first layer part by part
   * (see `firstLayerParts`) without building the concatenation.
   */
  readonly inputs: number | readonly number[];
  /** Output width of every layer; the last one is the MLP's output width. */
  readonly widths: readonly number[];
  /** Activation after every hidden layer (default relu). */
  readonly activation?: Activation;
  /** Activation after the last layer (default none). */
  readonly outputActivation?: Activation;
  readonly init?: Init;
  /** Biases on every layer (default true). */
  readonly bias?: boolean;
}

export interface DenseLayer {
  readonly w: tf.Variable;
  readonly b: tf.Variable | null;
  readonly activation: Activation;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Seeded initial weights [fanIn, fanOut] drawn from `rng` (row-major, float32). */
export function initWeights(rng: Rng, fanIn: number, fanOut: number, init: Init): tf.Tensor2D {
  const values = new Float32Array(fanIn * fanOut);
  if (init === 'glorot') {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    rng.fillUniform(values, -limit, limit);
  } else {
    rng.fillNormal(values, 0, Math.sqrt(2 / fanIn));
  }
  return tf.tensor2d(values, [fanIn, fanOut]);
}

/**
 * A multilayer perceptron as tf.Variables: layer l computes act_l(x·W_l + b_l) with one fused kernel and
 * a hand-written gradient (dense.ts). Parameters are registered in a ParamStore as `${prefix}/w${l}` and
 * `${prefix}/b${l}`; W_l is [in, out] (PyTorch's Linear.weight transposed).
 */
export class Mlp {
  readonly layers: DenseLayer[] = [];
  readonly inputParts: readonly number[];
  readonly inputWidth: number;
  readonly outputWidth: number;

  constructor(store: ParamStore, readonly prefix: string, options: MlpConfig, rng: Rng) {
    this.inputParts = typeof options.inputs === 'number' ? [options.inputs] : [...options.inputs];
    this.inputWidth = this.inputParts.reduce((s, n) => s + n, 0);
    if (options.widths.length === 0) throw new Error(`${prefix}: an MLP needs at least one layer`);
    const init = options.init ?? 'glorot';
    const bias = options.bias ?? true;
    let fanIn = this.inputWidth;
    options.widths.forEach((fanOut, l) => {
      const last = l === options.widths.length - 1;
      const w = store.add(`${prefix}/w${l}`, initWeights(rng, fanIn, fanOut, init));
      const b = bias ? store.add(`${prefix}/b${l}`, tf.zeros([fanOut])) : null;
      const activation = last ? (options.outputActivation ?? 'none') : (options.activation ?? 'relu');
      this.layers.push({ w, b, activation, fanIn, fanOut });
      fanIn = fanOut;
    });
    this.outputWidth = fanIn;
  }

  /**
   * Applies layers `from`… to the last axis of x [..., width]; each layer is one matMul over all rows.
   * `inputGrad = false` marks x as data (no gradient to it is needed).
   */
  apply<T extends tf.Tensor>(x: T, from = 0, inputGrad = true): T {
    let y = x;
    for (let l = from; l < this.layers.length; l++) {
      const { w, b, activation } = this.layers[l];
      y = dense(y, w as tf.Tensor2D, b as tf.Tensor1D | null, activation, inputGrad || l > from);
    }
    return y;
  }

  /** Same as `apply` (kept for readability at call sites with N-D inputs). */
  applyNd<T extends tf.Tensor>(x: T, inputGrad = true): T {
    return this.apply(x, 0, inputGrad);
  }

  /**
   * The first layer's weight split by input part: x·W = Σ_p x_p·W_p for the concatenation x = [x_1, …].
   * Slices of a variable (their gradient is a pad) so the split stays differentiable.
   */
  firstLayerParts(): tf.Tensor2D[] {
    const w = this.layers[0].w as tf.Tensor2D;
    if (this.inputParts.length === 1) return [w];
    const out: tf.Tensor2D[] = [];
    let row = 0;
    for (const n of this.inputParts) {
      out.push(tf.slice(w, [row, 0], [n, w.shape[1]]));
      row += n;
    }
    return out;
  }

  paramCount(): number {
    return this.layers.reduce((s, l) => s + l.fanIn * l.fanOut + (l.b ? l.fanOut : 0), 0);
  }

  /** Multiply–accumulates for one input row: Σ_l in_l·out_l. */
  macs(): number {
    return this.layers.reduce((s, l) => s + l.fanIn * l.fanOut, 0);
  }
}
