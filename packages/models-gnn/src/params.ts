import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from '@rrm/core';

/**
 * The parameters of one model under stable names (`layer0/msg/w0`, `shared/update/b1`, `layer2/mu`, …).
 * tfjs variables get auto-generated (globally unique) names, so two models with the same layout can live
 * side by side; the stable names live here.
 */
export class ParamStore {
  private readonly entries: { name: string; variable: tf.Variable }[] = [];
  private readonly names = new Set<string>();

  /** Registers a trainable variable made from `initial` (which this store takes over) under `name`. */
  add(name: string, initial: tf.Tensor): tf.Variable {
    if (this.names.has(name)) throw new Error(`parameter '${name}' is already defined`);
    const variable = tf.variable(initial, true);
    initial.dispose();
    this.names.add(name);
    this.entries.push({ name, variable });
    return variable;
  }

  get variables(): tf.Variable[] {
    return this.entries.map((e) => e.variable);
  }

  /** The live variables under their names (do not dispose them; `dispose()` the model instead). */
  named(): NamedTensor[] {
    return this.entries.map((e) => ({ name: e.name, tensor: e.variable }));
  }

  /** Assigns every parameter from `weights`; a missing name or a wrong shape is an error naming it. */
  load(weights: Record<string, tf.Tensor>, kind: string): void {
    for (const { name, variable } of this.entries) {
      const t = weights[name];
      if (!t) throw new Error(`${kind}: weight '${name}' is missing`);
      if (t.shape.length !== variable.shape.length || t.shape.some((d, i) => d !== variable.shape[i])) {
        throw new Error(`${kind}: weight '${name}' has shape [${t.shape}], expected [${variable.shape}]`);
      }
    }
    // One tidy around every assign: the float32 casts of other dtypes (int32, …) are disposed after use.
    tf.tidy(() => {
      for (const { name, variable } of this.entries) {
        const t = weights[name];
        variable.assign(t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
      }
    });
  }

  count(): number {
    return this.entries.reduce((s, e) => s + e.variable.size, 0);
  }

  dispose(): void {
    for (const e of this.entries) e.variable.dispose();
    this.entries.length = 0;
    this.names.clear();
  }
}
