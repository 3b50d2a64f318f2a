import * as tf from '@tensorflow/tfjs';
import { dense, type Activation } from './dense';
import { ValidationError } from './errors';
import type { ParamStore } from './param-store';
import type { Rng } from './random';
import { integer, parseOptions, z } from './schema';

/**
 * Weight initialisation: Glorot (Xavier) uniform U(±√(6/(fan_in+fan_out))) or He normal N(0, 2/fan_in)
 * with zero biases, or `torch`, PyTorch's nn.Linear default: W and b ~ U(±1/√fan_in), W then b per layer.
 */
export type Init = 'glorot' | 'he' | 'torch';

/** The stable names of layer l's weight and bias. */
export type LayerNames = (layer: number, last: boolean) => readonly [w: string, b: string];

/** Keras-style `dense0/kernel`, `dense0/bias`, …, `output/kernel`, `output/bias`: the names of saved MLP and critic weights. */
export const kerasNames: LayerNames = (l, last) => {
  const n = last ? 'output' : `dense${l}`;
  return [`${n}/kernel`, `${n}/bias`];
};

export interface DenseStackOptions {
  readonly inputs: number;
  /** Output width of every layer; the last one is the stack's output width. */
  readonly widths: readonly number[];
  /** After every hidden layer (default relu). */
  readonly activation?: Activation;
  /** After the last layer (default none). */
  readonly outputActivation?: Activation;
  /** Default glorot. */
  readonly init?: Init;
}

export interface DenseLayer {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly activation: Activation;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Seeded initial W [fanIn, fanOut] (row-major) and b [fanOut], drawn from `rng` in that order. */
export function initWeights(rng: Rng, fanIn: number, fanOut: number, init: Init): { w: Float32Array; b: Float32Array } {
  const w = new Float32Array(fanIn * fanOut);
  const b = new Float32Array(fanOut);
  if (init === 'glorot') rng.fillUniform(w, -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)));
  else if (init === 'he') rng.fillNormal(w, 0, Math.sqrt(2 / fanIn));
  else for (const t of [w, b]) rng.fillUniform(t, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  return { w, b };
}

/**
 * A multilayer perceptron on core's `dense` op (one fused matMul per layer, hand-written gradient):
 * layer l computes act_l(x·W_l + b_l) with W_l [in, out] (torch's Linear.weight transposed). Weights are
 * drawn from `rng` in layer order and registered in `store` as `${names}/w${l}`, `${names}/b${l}` (or
 * under a LayerNames scheme), so the same seed gives the same weights on every backend.
 */
export class DenseStack {
  readonly layers: DenseLayer[] = [];
  readonly outputWidth: number;

  constructor(store: ParamStore, names: string | LayerNames, options: DenseStackOptions, rng: Rng) {
    if (options.widths.length === 0) throw new Error(`${typeof names === 'string' ? names : 'dense stack'}: at least one layer is needed`);
    const name: LayerNames = typeof names === 'string' ? (l) => [`${names}/w${l}`, `${names}/b${l}`] : names;
    const init = options.init ?? 'glorot';
    let fanIn = options.inputs;
    options.widths.forEach((fanOut, l) => {
      const last = l === options.widths.length - 1;
      const [wName, bName] = name(l, last);
      const { w, b } = initWeights(rng, fanIn, fanOut, init);
      const activation = last ? (options.outputActivation ?? 'none') : (options.activation ?? 'relu');
      this.layers.push({ w: store.add(wName, tf.tensor2d(w, [fanIn, fanOut])), b: store.add(bName, tf.tensor1d(b)), activation, fanIn, fanOut });
      fanIn = fanOut;
    });
    this.outputWidth = fanIn;
  }

  /**
   * Layers `from`… on the last axis of x [..., width], each one matMul over all rows. `inputGrad = false`
   * marks x as data: its gradient is never needed, so the first layer skips computing it.
   */
  apply<T extends tf.Tensor>(x: T, from = 0, inputGrad = true): T {
    let y = x;
    for (let l = from; l < this.layers.length; l++) {
      const { w, b, activation } = this.layers[l];
      y = dense(y, w as tf.Tensor2D, b as tf.Tensor1D, activation, inputGrad || l > from);
    }
    return y;
  }

  /** Multiply–accumulates for one input row: Σ_l in_l·out_l. */
  macs(): number {
    return this.layers.reduce((s, l) => s + l.fanIn * l.fanOut, 0);
  }
}

/** Layer widths as an option: a list of integers >= 1 (non-empty unless `allowEmpty`). */
export const widths = (allowEmpty = false) =>
  z.array(integer(1), { error: 'a list of layer widths, e.g. [32, 32]' }).refine((a) => allowEmpty || a.length > 0, 'a non-empty list of layer widths, e.g. [32, 32]');

/**
 * core's parseOptions, with list entries named `hidden[0]` as everywhere else in rrm (parseOptions joins
 * every path segment with a dot, `hidden.0`). Belongs in schema.ts; a no-op once parseOptions does it.
 */
export function parseLayerOptions<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  try {
    return parseOptions(schema, value, field);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(e.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]'), e.expected, e.got);
  }
}
