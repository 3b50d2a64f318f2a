import type { Plugin, Registry } from '@rrm/core';
import { gnnBuilder, gnnSchema } from './gnn';
import { uwgnnBuilder, uwgnnSchema } from './uwgnn';
import { uwmmseBuilder, uwmmseSchema } from './uwmmse';
import { wcgcnBuilder, wcgcnSchema } from './wcgcn';

/**
 * Registers the models `gnn`, `wcgcn`, `uwgnn` and `uwmmse`, each with the schema that validates its
 * options at creation (errors name `<field>.<option>`); weights are drawn from `new Rng(ctx.seed)` when
 * the returned ModelBuilder runs.
 */
export const gnnPlugin: Plugin = {
  name: '@rrm/models-gnn',
  register(registry: Registry) {
    registry.add('model', {
      name: 'gnn',
      description: 'message-passing GNN of the AD paper, eqs. (6)-(7): m_i = ⊕_j φ(h_jj, w_j, h_ji), p_i = ψ(h_ii, w_i, m_i); any K',
      schema: gnnSchema,
      create: (options, ctx) => gnnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'wcgcn',
      description: 'WCGCN (Shen et al., JSAC 2021): max-aggregation GNN, 3 weight-shared layers; any K',
      schema: wcgcnSchema,
      create: (options, ctx) => wcgcnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'uwgnn',
      description: 'UWGNN (Yang et al.): WMMSE unrolled into message-passing layers, eqs. (13)-(17); any K',
      schema: uwgnnSchema,
      create: (options, ctx) => uwgnnBuilder(options, ctx.field),
    });
    registry.add('model', {
      name: 'uwmmse',
      description: 'UWMMSE (Chowdhury et al., TWC 2021): 4 WMMSE iterations with GCN-learned w corrections; any K',
      schema: uwmmseSchema,
      create: (options, ctx) => uwmmseBuilder(options, ctx.field),
    });
  },
};
