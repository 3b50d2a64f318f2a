import * as tf from '@tensorflow/tfjs';
import { activate, activationGrad, customOp, dense, DenseStack, edgeMlpAgg, edgeMlpAggAvailable, matMulTN, sumGroups, type Activation, type Init, type ParamStore, type Rng } from '@rrm/core';
import { aggregate, type Aggregation, type DenseGraph } from './graph';

/**
 * z_ij = act(a_i + c_j + e_ij) for a [B, K, H] (receiver part), c [B, K, H] (sender part) and
 * e [B, K, K, H] (edge part); any of the three may be absent (null). Output [B, K, K, H].
 *
 * This is the first layer of a message MLP on the concatenation [x_i, x_j, e_ij]: with W = [W_i; W_j; W_e],
 *   [x_i, x_j, e_ij]·W + b = (x_i·W_i + b) + x_j·W_j + e_ij·W_e,
 * so the node projections are computed once per node (K rows) and broadcast over the K² edges; only the
 * edge projection runs per edge. The gradient is custom: da_i = Σ_j dz_ij and dc_j = Σ_i dz_ij as sums of
 * consecutive rows (core `sumGroups`; STACK.md: tfjs's broadcast-add gradients reduce over a middle axis,
 * slow on wasm).
 */
export function pairwise(
  a: tf.Tensor3D | null,
  c: tf.Tensor3D | null,
  e: tf.Tensor4D | null,
  activation: Activation,
): tf.Tensor4D {
  const ref = a ?? c ?? e;
  if (!ref) throw new Error('pairwise: at least one of the receiver, sender and edge parts is needed');
  const b = ref.shape[0];
  const k = ref.shape[1];
  const h = ref.shape[ref.shape.length - 1];
  const inputs = [a, c, e].filter((t): t is tf.Tensor3D | tf.Tensor4D => t !== null);
  return customOp<tf.Tensor4D>((ins, save) => {
    let n = 0;
    const ai = a ? (ins[n++] as tf.Tensor3D) : null;
    const cj = c ? (ins[n++] as tf.Tensor3D) : null;
    const eij = e ? (ins[n++] as tf.Tensor4D) : null;
    const terms: tf.Tensor[] = [];
    if (eij) terms.push(eij);
    if (ai) terms.push(tf.reshape(ai, [b, k, 1, h]));
    if (cj) terms.push(tf.reshape(cj, [b, 1, k, h]));
    // A lone node part still has to cover every (i, j) pair.
    if (terms.length === 1 && !eij) terms.push(tf.zeros([1, k, k, 1]));
    let z = terms[0];
    for (let t = 1; t < terms.length; t++) z = tf.add(z, terms[t]);
    const y = activate(z as tf.Tensor4D, activation);
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [ys]) => {
        const dz = activationGrad(dy, ys, activation);
        const grads: tf.Tensor[] = [];
        if (a) grads.push(receiverSums(dz));
        if (c) grads.push(senderSums(dz));
        if (e) grads.push(dz);
        return grads;
      },
    };
  })(...inputs);
}

/** Σ_j dz[b, i, j, :] → [B, K, H]: the K rows (b, i, ·) of dz viewed as [B·K·K, H] summed. */
function receiverSums(dz: tf.Tensor4D): tf.Tensor3D {
  const [b, k, , h] = dz.shape;
  return tf.reshape(sumGroups(tf.reshape(dz, [b * k * k, h]) as tf.Tensor2D, k), [b, k, h]);
}

/** Σ_i dz[b, i, j, :] → [B, K, H]: per sample, the K rows of dz viewed as [B·K, K·H] summed. */
function senderSums(dz: tf.Tensor4D): tf.Tensor3D {
  const [b, k, , h] = dz.shape;
  return tf.reshape(sumGroups(tf.reshape(dz, [b * k, k * h]) as tf.Tensor2D, k), [b, k, h]);
}

/**
 * Edge features that are data (functions of the channel only), held as channels e^c [B, K, K]
 * (e^c[b, i, j] = channel c of the edge j → i). Built once per forward pass and shared by all layers;
 * `values` [B, K, K, Fe], for a layer that takes e_ij as a tensor, is made on first use (and remade if a
 * tf.tidy has disposed it meanwhile).
 */
export class EdgeInput {
  readonly width: number;
  private valuesT: tf.Tensor4D | null = null;

  constructor(readonly channels: readonly tf.Tensor3D[]) {
    if (channels.length === 0) throw new Error('EdgeInput: no channels');
    this.width = channels.length;
  }

  get values(): tf.Tensor4D {
    if (!this.valuesT || this.valuesT.isDisposed) {
      const [b, k] = this.channels[0].shape;
      const ch = this.channels;
      // Stacked on a new first axis and moved last: a last-axis concat is ~10× slower on wasm.
      this.valuesT = (
        ch.length === 1 ? tf.reshape(ch[0], [b, k, k, 1]) : tf.transpose(tf.stack(ch as tf.Tensor3D[], 0), [1, 2, 3, 0])
      ) as tf.Tensor4D;
    }
    return this.valuesT;
  }
}

/** The edge channels as one edge per row, [B·K·K, 4⌈Fe/4⌉], zero columns for core matMulTN's 4-row tiles. */
function paddedEdgeRows(channels: readonly tf.Tensor3D[]): tf.Tensor2D {
  const [b, k] = channels[0].shape;
  const width = 4 * Math.ceil(channels.length / 4);
  const zeros = Array.from({ length: width - channels.length }, () => tf.zeros([b, k, k]));
  // Stacked on a new first axis and moved last (a last-axis stack is slow on wasm), then flattened.
  return tf.reshape(tf.transpose(tf.stack([...channels, ...zeros], 0), [1, 2, 3, 0]), [b * k * k, width]) as tf.Tensor2D;
}

/**
 * The first message layer with constant edge features (`EdgeInput`):
 *   z_ij = act(a_i + c_j + Σ_c e^c_ij · W_e[c, :])
 * for a [B, K, H] (receiver part, carries the bias) and c [B, K, H] (sender part), either may be null
 * but not both. Same function as `pairwise` with the edge projection folded in, so that no [B, K, K, Fe]
 * edge tensor is multiplied per edge. Gradient: da_i = Σ_j dz_ij and dc_j = Σ_i dz_ij as in `pairwise`,
 * dW_e = Σ_ij e_ij ⊗ dz_ij = eᵀ·dz with core `matMulTN` (a streaming kernel on wasm; the edge channels
 * padded to 4 columns for its tiles).
 */
export function pairwiseConstEdges(
  a: tf.Tensor3D | null,
  c: tf.Tensor3D | null,
  edges: EdgeInput,
  we: tf.Tensor2D,
  activation: Activation,
): tf.Tensor4D {
  const ref = a ?? c;
  if (!ref) throw new Error('pairwiseConstEdges: a receiver or a sender part is needed');
  const [b, k, h] = ref.shape;
  const fe = edges.width;
  const channels = edges.channels;
  const inputs: tf.Tensor[] = [];
  if (a) inputs.push(a);
  if (c) inputs.push(c);
  inputs.push(we);
  return customOp<tf.Tensor4D>((ins, save) => {
    let n = 0;
    const ai = a ? (ins[n++] as tf.Tensor3D) : null;
    const cj = c ? (ins[n++] as tf.Tensor3D) : null;
    const w = ins[n] as tf.Tensor2D;
    let z: tf.Tensor = tf.mul(tf.reshape(channels[0], [b, k, k, 1]), tf.reshape(tf.slice(w, [0, 0], [1, h]), [h]));
    for (let ch = 1; ch < fe; ch++) {
      z = tf.add(z, tf.mul(tf.reshape(channels[ch], [b, k, k, 1]), tf.reshape(tf.slice(w, [ch, 0], [1, h]), [h])));
    }
    if (ai) z = tf.add(z, tf.reshape(ai, [b, k, 1, h]));
    if (cj) z = tf.add(z, tf.reshape(cj, [b, 1, k, h]));
    const y = activate(z as tf.Tensor4D, activation);
    // The channels are saved (shared, not copied) so the padded layout is built only when training.
    save([y, ...channels]);
    return {
      value: y,
      gradFunc: (dy, [ys, ...saved]) => {
        const padded = paddedEdgeRows(saved as tf.Tensor3D[]);
        const dz = activationGrad(dy, ys, activation);
        const grads: tf.Tensor[] = [];
        if (a) grads.push(receiverSums(dz));
        if (c) grads.push(senderSums(dz));
        grads.push(tf.slice(matMulTN(padded as tf.Tensor2D, tf.reshape(dz, [b * k * k, h]) as tf.Tensor2D), [0, 0], [fe, h]));
        return grads;
      },
    };
  })(...inputs);
}

/** What one propagation step reads. Node tensors are [B, K, ·], edge tensors [B, K, K, ·]. */
export interface PropagateInputs {
  /** x_i, the node state the update reads. */
  readonly x: tf.Tensor3D;
  /** x_j as the message reads it (default x). */
  readonly source?: tf.Tensor3D;
  /** x_i as the message reads it (default x). */
  readonly target?: tf.Tensor3D;
  /**
   * e_ij for the edge j → i: an `EdgeInput` when the features are data (the fast path), or a tensor
   * [B, K, K, F] when the model computes them (gradients flow into it).
   */
  readonly edge?: EdgeInput | tf.Tensor4D | null;
  readonly graph: DenseGraph;
}

/**
 * PyTorch Geometric's MessagePassing over batched dense interference graphs:
 *   msg_ij = message(x_i, x_j, e_ij)   for every edge j → i      [B, K, K, Fm]
 *   m_i    = aggregate_j msg_ij        masked ⊕ over senders      [B, K, Fm]
 *   x'_i   = update(m_i, x_i)                                    [B, K, F']
 * A layer overrides the steps that differ; `messageAndAggregate` is PyG's fused hook for layers whose
 * aggregated message is one matMul (no [B, K, K, F] tensor).
 */
export abstract class MessagePassing<I extends PropagateInputs = PropagateInputs> {
  constructor(readonly aggregation: Aggregation) {}

  forward(inputs: I): tf.Tensor3D {
    return this.update(this.messageAndAggregate(inputs), inputs);
  }

  protected abstract message(inputs: I): tf.Tensor4D;

  /** ⊕_j over the senders j of each receiver i, respecting the mask. */
  protected aggregate(msg: tf.Tensor4D, graph: DenseGraph): tf.Tensor3D {
    return aggregate(msg, graph, this.aggregation);
  }

  protected messageAndAggregate(inputs: I): tf.Tensor3D {
    return this.aggregate(this.message(inputs), inputs.graph);
  }

  protected update(m: tf.Tensor3D, _inputs: I): tf.Tensor3D {
    return m;
  }

  /** Multiply–accumulates for one sample of `users` nodes on the complete interference graph. */
  abstract macs(users: number): number;
}

export interface MlpConvOptions {
  /** Widths of x_i, x_j and e_ij as φ reads them (0: φ ignores that part). */
  readonly targetDim: number;
  readonly sourceDim: number;
  readonly edgeDim: number;
  /** Width of x_i as ψ reads it. */
  readonly nodeDim: number;
  /** Output widths of φ's layers; the last is the message width. */
  readonly message: readonly number[];
  /** Output widths of ψ's layers; null: the new state is m_i itself. */
  readonly update: readonly number[] | null;
  readonly aggregation: Aggregation;
  /** Hidden layers' activation (default relu). */
  readonly activation?: Activation;
  /** φ's last layer (default: `activation`). */
  readonly messageActivation?: Activation;
  /** ψ's last layer (default none). */
  readonly outputActivation?: Activation;
  readonly init?: Init;
  /** Parameter-name segments of φ and ψ under the prefix (default 'msg' and 'update'). */
  readonly names?: { readonly message?: string; readonly update?: string };
}

/**
 * The generic φ/⊕/ψ layer (GNN of the AD paper, WCGCN, UWGNN), φ and ψ MLPs on concatenations:
 *   msg_ij = φ(x_i, x_j, e_ij),   x'_i = ψ(x_i, m_i).
 * φ's first layer is factored per node (see `pairwise`); its later layers run as one matMul over all
 * B·K·K edges. Parameters: `${prefix}/msg/{w,b}·`, `${prefix}/update/{w,b}·`.
 */
export class MlpConv extends MessagePassing {
  readonly phi: DenseStack;
  readonly psi: DenseStack | null;

  constructor(
    store: ParamStore,
    readonly prefix: string,
    readonly options: MlpConvOptions,
    rng: Rng,
  ) {
    super(options.aggregation);
    const { targetDim, sourceDim, edgeDim, activation = 'relu', init } = options;
    if (targetDim + sourceDim + edgeDim === 0) throw new Error(`${prefix}: the message function needs some input`);
    const messageActivation = options.messageActivation ?? activation;
    this.phi = new DenseStack(store, `${prefix}/${options.names?.message ?? 'msg'}`, { inputs: targetDim + sourceDim + edgeDim, widths: options.message, activation, outputActivation: messageActivation, init }, rng);
    this.psi = options.update
      ? new DenseStack(store, `${prefix}/${options.names?.update ?? 'update'}`, { inputs: options.nodeDim + this.phi.outputWidth, widths: options.update, activation, outputActivation: options.outputActivation, init }, rng)
      : null;
  }

  /**
   * φ's first layer split by the parts of its input: the node projections (receiver part with the bias,
   * sender part) and W_e, the rows of W that read e_ij.
   */
  private firstLayerParts(inputs: PropagateInputs): { target: tf.Tensor3D | null; source: tf.Tensor3D | null; we: tf.Tensor2D; bias: tf.Tensor1D } {
    const { targetDim, sourceDim } = this.options;
    const first = this.phi.layers[0];
    // x·W = Σ_p x_p·W_p for the concatenation x = [x_i, x_j, e_ij]: slices of the variable (their
    // gradient is a pad), so each part is projected on its own and never concatenated per edge.
    const rows = [0, targetDim, targetDim + sourceDim, first.fanIn];
    const [wt, ws, we] = [0, 1, 2].map((p) => tf.slice(first.w, [rows[p], 0], [rows[p + 1] - rows[p], first.fanOut]) as tf.Tensor2D);
    const bias = first.b as tf.Tensor1D;
    // The bias goes with the first part present (added once per node, then broadcast).
    const target = targetDim > 0 ? dense(inputs.target ?? inputs.x, wt, bias) : null;
    const source = sourceDim > 0 ? dense(inputs.source ?? inputs.x, ws, target ? null : bias) : null;
    return { target, source, we, bias };
  }

  /**
   * On wasm, where it pays (core `edgeMlpAggAvailable`: by default φ of hidden × message width ≤ 128, as
   * UWGNN's [8, 16]; RRM_FUSED_MESSAGE=on|off overrides): φ (two layers, the first on node parts and
   * constant edge channels, relu or identity activations, widths multiples of 4) and the aggregation as
   * one SIMD kernel forward and one backward (core `edgeMlpAgg`: no [B, K, K, ·] tensor, ~40 fewer
   * kernels per layer and step). Otherwise, and for subclasses that override `message` or `aggregate`,
   * the unfused path; same values up to float32 summation order (fused-message.test.ts compares the two
   * on wasm and cpu).
   */
  protected override messageAndAggregate(inputs: PropagateInputs): tf.Tensor3D {
    const fusable = (a: Activation): a is 'relu' | 'none' => a === 'relu' || a === 'none';
    const [first, second] = this.phi.layers;
    const e = inputs.edge;
    const { batch, users } = inputs.graph;
    if (
      this.phi.layers.length === 2 &&
      this.options.targetDim + this.options.sourceDim > 0 &&
      e instanceof EdgeInput &&
      e.width === this.options.edgeDim &&
      fusable(first.activation) &&
      fusable(second.activation) &&
      // A subclass that replaces a step keeps it.
      this.message === MlpConv.prototype.message &&
      this.aggregate === MlpConv.prototype.aggregate &&
      edgeMlpAggAvailable(batch * users * users, first.fanOut, second.fanOut)
    ) {
      const { target, source, we } = this.firstLayerParts(inputs);
      return edgeMlpAgg(target, source, e.channels, we, second.w as tf.Tensor2D, second.b as tf.Tensor1D, inputs.graph.mask, first.activation, second.activation, this.aggregation);
    }
    return super.messageAndAggregate(inputs);
  }

  /** φ for every ordered pair (i, j); absent edges are dropped by the aggregation. */
  protected message(inputs: PropagateInputs): tf.Tensor4D {
    const { edgeDim } = this.options;
    const first = this.phi.layers[0];
    const { target, source, we, bias } = this.firstLayerParts(inputs);
    const e = inputs.edge;
    let z: tf.Tensor4D;
    if (edgeDim === 0) z = pairwise(target, source, null, first.activation);
    else {
      const width = e instanceof EdgeInput ? e.width : e?.shape[3];
      if (!e || width !== edgeDim) throw new Error(`${this.prefix}: expected edge features [B, K, K, ${edgeDim}], got ${e ? width : 'none'}`);
      if (e instanceof EdgeInput && (target || source)) z = pairwiseConstEdges(target, source, e, we, first.activation);
      else z = pairwise(target, source, dense(e instanceof EdgeInput ? e.values : e, we, target || source ? null : bias, 'none', !(e instanceof EdgeInput)), first.activation);
    }
    return this.phi.layers.length === 1 ? z : this.phi.apply(z, 1);
  }

  /** ψ(x_i, m_i) on the concatenation [x_i, m_i]; without ψ the new state is m_i. */
  protected override update(m: tf.Tensor3D, { x }: PropagateInputs): tf.Tensor3D {
    if (!this.psi) return m;
    return this.psi.apply(this.options.nodeDim > 0 ? tf.concat([x, m], 2) : m);
  }

  /** φ once per directed edge, K(K−1), ψ once per node, as the equations count them (the factored φ needs fewer). */
  macs(users: number): number {
    return users * (users - 1) * this.phi.macs() + users * (this.psi?.macs() ?? 0);
  }
}
