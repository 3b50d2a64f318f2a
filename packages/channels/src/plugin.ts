import type { Plugin, Registry } from '@rrm/core';
import { createD2D, d2dSchema } from './d2d';
import { createRayleigh, rayleighSchema } from './rayleigh';
import { createRician, ricianSchema } from './rician';

/**
 * Registers the channel models of this package under the `channel` kind, the same way third-party
 * plugins do (ARCHITECTURE.md, "Plugins"). A config names one:
 *   channel: { kind: 'd2d', fieldSize: 500, threshold: 300, weights: 'uniform' }
 * and `registry.create('channel', spec)` validates the options with the model's schema (errors name
 * `channel.<option>`).
 */
export const channelsPlugin: Plugin = {
  name: '@rrm/channels',
  register(registry: Registry): void {
    registry.add('channel', {
      name: 'rayleigh',
      description: 'Rayleigh fading: g_ij = |h_ij|², h ~ CN(0, variance) i.i.d. (Gaussian interference channel)',
      schema: rayleighSchema,
      create: (options, ctx) => createRayleigh(options, ctx.field),
    });
    registry.add('channel', {
      name: 'rician',
      description: 'Rician fading with K-factor kFactor and mean power variance, i.i.d. per link',
      schema: ricianSchema,
      create: (options, ctx) => createRician(options, ctx.field),
    });
    registry.add('channel', {
      name: 'd2d',
      description:
        'Geometric D2D network (Cui et al. / Shen et al.): pairs in a square field, ITU-R P.1411 dual-slope or ' +
        'log-distance path loss, log-normal shadowing, Rayleigh fading; gains normalised by the noise power',
      schema: d2dSchema,
      create: (options, ctx) => createD2D(options, ctx.field),
    });
  },
};
