import * as tf from '@tensorflow/tfjs';
import { DenseStack, kerasNames, ParamStore, parseLayerOptions, Rng, strict, ValidationError, widths, z, type ModelInputs, type NamedTensor } from '@rrm/core';

/**
 * Critics V(p | h) ≈ E[r | h, p] (the action-value Q(s, a) of DDPG, Lillicrap et al. 2016; in the AD
 * paper's one-step bandit it is the expected weighted sum rate of powers p on channels h).
 *
 * - `mlp`: x = [log(1 + g_ij/σ²) (K²), log(1 + g_ij p_j/σ²) (K²), p/pmax (K), λ (K)] → hidden (ReLU) → 1.
 *   Tied to one K (pair it with an MLP actor). The received-power features g_ij p_j make the rate
 *   surface easy to represent (with gains and powers concatenated alone, the critic fitted the rewards
 *   but its action gradient kept a K = 2 actor at full power: 62 % of the optimum at σ² = 0.1).
 * - `graph`: a per-node network that works for any K (pair it with a GNN actor). Node i's features, with
 *   σ² the noise and the sums/maxima over the interference neighbours j of i (mask):
 *     log(1 + g_ii/σ²), p_i/pmax, λ_i, log(1 + g_ii p_i/σ²),
 *     log(1 + Σ_j g_ij p_j/σ²), log(1 + max_j g_ij p_j/σ²)     (interference received),
 *     log(1 + Σ_j g_ji p_i/σ²), log(1 + max_j g_ji p_i/σ²)     (interference caused),
 *   → hidden (ReLU) → 1 per node, and V = Σ_i v_i (the sum rate is a sum over links).
 *
 * Initialisation: PyTorch's nn.Linear default W, b ~ U(±1/√fan_in) from the seeded core Rng, so the same
 * seed gives the same critic on every backend. Weight names: `dense<l>/kernel|bias`, `output/kernel|bias`.
 */
export type CriticKind = 'mlp' | 'graph';
export const CRITIC_KINDS = ['auto', 'mlp', 'graph'] as const;

export interface Critic {
  readonly kind: CriticKind;
  readonly options: Readonly<Record<string, unknown>>;
  /** V(p | h) per sample, [B]; differentiable in `powers` and in `trainable`. */
  apply(inputs: ModelInputs, powers: tf.Tensor2D): tf.Tensor1D;
  readonly trainable: tf.Variable[];
  namedWeights(): NamedTensor[];
  loadWeights(weights: Record<string, tf.Tensor>): void;
  paramCount(): number;
  dispose(): void;
}

/** A bare kind names the critic with default widths. */
export const criticSchema = z.preprocess(
  (spec) => (typeof spec === 'string' ? { kind: spec } : spec),
  strict({
    kind: z.enum(CRITIC_KINDS).default('auto').describe("'auto': mlp for an MLP actor, graph otherwise"),
    hidden: widths().default([64, 64]).describe('hidden layer widths (ReLU)'),
  }),
);
export type CriticOptions = z.output<typeof criticSchema>;

export function resolveCriticOptions(spec: unknown = {}, field = 'trainer.critic'): CriticOptions {
  return parseLayerOptions(criticSchema, spec, field);
}

abstract class LayeredCritic extends ParamStore implements Critic {
  abstract readonly kind: CriticKind;
  readonly options: Readonly<Record<string, unknown>>;
  protected readonly net: DenseStack;

  constructor(
    readonly hidden: readonly number[],
    inputSize: number,
    seed: number,
  ) {
    super('critic');
    this.net = new DenseStack(this, kerasNames, { inputs: inputSize, widths: [...hidden, 1], init: 'torch' }, new Rng(seed));
    this.options = { hidden: [...hidden] };
  }

  abstract apply(inputs: ModelInputs, powers: tf.Tensor2D): tf.Tensor1D;
}

export class MlpCritic extends LayeredCritic {
  readonly kind = 'mlp' as const;
  constructor(
    readonly users: number,
    hidden: readonly number[],
    seed: number,
  ) {
    super(hidden, 2 * users * users + 2 * users, seed);
  }

  apply(inputs: ModelInputs, powers: tf.Tensor2D): tf.Tensor1D {
    const [b, k] = inputs.direct.shape;
    if (k !== this.users) {
      throw new ValidationError('critic', `inputs with K = ${this.users} users (an MLP critic is tied to one K)`, `K = ${k}`);
    }
    return tf.tidy(() => {
      const g = tf.log1p(tf.div(inputs.gains.reshape([b, k * k]), inputs.noise)) as tf.Tensor2D;
      // Received powers g_ij p_j on every link (in log scale): the rate is a function of these.
      const gp = tf.log1p(tf.div(tf.mul(inputs.gains, powers.reshape([b, 1, k])), inputs.noise)).reshape([b, k * k]) as tf.Tensor2D;
      const x = tf.concat([g, gp, tf.div(powers, inputs.pmax), inputs.weights], 1) as tf.Tensor2D;
      return this.net.apply(x).reshape([b]) as tf.Tensor1D;
    });
  }
}

export const GRAPH_CRITIC_FEATURES = 8;

export class GraphCritic extends LayeredCritic {
  readonly kind = 'graph' as const;
  constructor(hidden: readonly number[], seed: number) {
    super(hidden, GRAPH_CRITIC_FEATURES, seed);
  }

  /** Node features [B, K, F] (see the module comment). */
  features(inputs: ModelInputs, powers: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, k] = inputs.direct.shape;
      const s2 = inputs.noise;
      const gm = tf.mul(inputs.gains, inputs.mask) as tf.Tensor3D; // interference links only
      // gp[b, i, j] = g_ij p_j: summed/maxed over j (axis 2) it is what receiver i hears; read down
      // column i (axis 1) it is what transmitter i causes at the other receivers, g_ji p_i.
      const gp = tf.mul(gm, powers.reshape([b, 1, k]));
      const received = gp;
      const caused = gp;
      const feats = [
        tf.log1p(tf.div(inputs.direct, s2)),
        tf.div(powers, inputs.pmax),
        inputs.weights,
        tf.log1p(tf.div(tf.mul(inputs.direct, powers), s2)),
        tf.log1p(tf.div(tf.sum(received, 2), s2)),
        tf.log1p(tf.div(tf.max(received, 2), s2)),
        tf.log1p(tf.div(tf.sum(caused, 1), s2)),
        tf.log1p(tf.div(tf.max(caused, 1), s2)),
      ];
      return tf.stack(feats, 2) as tf.Tensor3D;
    });
  }

  apply(inputs: ModelInputs, powers: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const [b, k] = inputs.direct.shape;
      const x = this.features(inputs, powers).reshape([b * k, GRAPH_CRITIC_FEATURES]) as tf.Tensor2D;
      return tf.sum(this.net.apply(x).reshape([b, k]), 1) as tf.Tensor1D;
    });
  }
}

/** Builds a critic: `auto` picks `mlp` for an MLP actor (kind 'mlp') and `graph` otherwise. */
export function createCritic(options: CriticOptions, ctx: { users: number; seed: number; actorKind?: string }): Critic {
  const kind: CriticKind = options.kind === 'auto' ? (ctx.actorKind === 'mlp' ? 'mlp' : 'graph') : options.kind;
  return kind === 'mlp' ? new MlpCritic(ctx.users, options.hidden, ctx.seed) : new GraphCritic(options.hidden, ctx.seed);
}

/**
 * A fresh critic of the same kind and shape as `critic` (its own hidden widths, and its K for an MLP
 * critic), initialised from `seed`: the target network V' of a prebuilt critic, whatever the config's
 * `critic` options say. A critic of another class is rebuilt by `createCritic` from its `kind` and
 * `options.hidden`.
 */
export function criticLike(critic: Critic, ctx: { users: number; seed: number }): Critic {
  if (critic instanceof MlpCritic) return new MlpCritic(critic.users, critic.hidden, ctx.seed);
  if (critic instanceof GraphCritic) return new GraphCritic(critic.hidden, ctx.seed);
  const hidden = critic.options.hidden;
  if (!Array.isArray(hidden) || !hidden.every((h) => Number.isInteger(h) && h >= 1)) {
    throw new ValidationError('criticModel.options.hidden', 'the hidden widths of the prebuilt critic (its target network is built from them when gamma > 0)', hidden);
  }
  return createCritic({ kind: critic.kind, hidden }, ctx);
}
