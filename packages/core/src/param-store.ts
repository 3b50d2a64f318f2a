import * as tf from '@tensorflow/tfjs';
import { ValidationError } from './errors';
import type { NamedTensor } from './model';

/**
 * A model's parameters under stable names (`dense0/kernel`, `layer0/msg/w1`, `layer2/mu`, …): the names
 * saved weights are stored and loaded by. tfjs names variables globally (two models with one layout could
 * not live side by side), so tfjs's own names stay generated and the stable ones live here. Models extend
 * it, as a torch module owns its parameters: `trainable`, `namedWeights`, `loadWeights`, `paramCount` and
 * `dispose` of PowerModel and of the DDPG critic come from here.
 */
export class ParamStore {
  /** The trainable variables, in registration order. */
  readonly trainable: tf.Variable[] = [];
  private readonly entries: { readonly name: string; readonly tensor: tf.Variable }[] = [];

  /** `owner` names the model in load errors. */
  constructor(readonly owner = 'model') {}

  /** Registers a variable made from `initial` (which the store takes over) under `name`. */
  add(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.entries.some((e) => e.name === name)) throw new Error(`${this.owner}: parameter '${name}' is already defined`);
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.entries.push({ name, tensor: variable });
    if (trainable) this.trainable.push(variable);
    return variable;
  }

  /** Every variable, trainable or fixed, under its name (live: dispose the owner, not these). */
  namedWeights(): NamedTensor[] {
    return [...this.entries];
  }

  /**
   * Copies `weights` into the variables (the caller keeps ownership). All names are checked before any
   * variable changes, so a bad file leaves the model as it was; names the model lacks are errors too, since
   * they mean the file belongs to another layout.
   */
  loadWeights(weights: Record<string, tf.Tensor>): void {
    const field = (name: string) => `${this.owner} weights['${name}']`;
    for (const { name, tensor } of this.entries) {
      const w = weights[name];
      const expected = `a tensor of shape [${tensor.shape.join(', ')}]`;
      if (w === undefined) throw new ValidationError(field(name), `${expected} (missing from the saved weights)`);
      if (w.shape.length !== tensor.shape.length || w.shape.some((d, i) => d !== tensor.shape[i])) {
        throw new ValidationError(field(name), expected, `shape [${w.shape.join(', ')}]`);
      }
    }
    const known = new Set(this.entries.map((e) => e.name));
    const unknown = Object.keys(weights).find((name) => !known.has(name));
    if (unknown !== undefined) throw new ValidationError(field(unknown), `one of this ${this.owner}'s weights (${[...known].join(', ')})`, unknown);
    // One tidy around every assign: the float32 casts of other dtypes (int32, …) are disposed after use.
    tf.tidy(() => {
      for (const { name, tensor } of this.entries) tensor.assign(weights[name].dtype === 'float32' ? weights[name] : tf.cast(weights[name], 'float32'));
    });
  }

  /** Trainable parameters (fixed ones such as input statistics are saved but not counted). */
  paramCount(): number {
    return this.trainable.reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    tf.dispose(this.entries.map((e) => e.tensor));
    this.entries.length = 0;
    this.trainable.length = 0;
  }
}
