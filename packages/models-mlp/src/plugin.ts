import type { Plugin, Registry } from '@rrm/core';
import { mlpBuilder, mlpSchema } from './mlp';

/** Registers the model `mlp` (options: mlpSchema). */
export const mlpPlugin: Plugin = {
  name: '@rrm/models-mlp',
  register(registry: Registry) {
    registry.add('model', {
      name: 'mlp',
      description: 'multilayer perceptron over the flattened gains (p = pmax·sigmoid(MLP(x))); tied to one K',
      schema: mlpSchema,
      create: (options, ctx) => mlpBuilder(options, ctx.field),
    });
  },
};
