import { describe, expect, it } from 'vitest';
import { Registry, ValidationError, streams, type ChannelModel } from '@rrm/core';
import { channelsPlugin } from './plugin';
import * as api from './index';

describe('channelsPlugin', () => {
  const registry = new Registry().use(channelsPlugin);

  it('registers rayleigh, rician and d2d under the channel kind', () => {
    expect(registry.usedPlugins()).toEqual(['@rrm/channels']);
    expect(registry.kinds()).toContain('channel');
    expect(registry.list('channel').map((e) => e.name)).toEqual(['d2d', 'rayleigh', 'rician']);
    for (const e of registry.list('channel')) expect(e.description.length).toBeGreaterThan(10);
    // registering twice through use() is a no-op
    expect(() => registry.use(channelsPlugin)).not.toThrow();
  });

  it('creates each kind from a config spec with resolved options and generates batches', () => {
    const specs = [
      { kind: 'rayleigh', variance: 2 },
      { kind: 'rician', kFactor: 3, weights: 'uniform' },
      { kind: 'd2d', fieldSize: 500, threshold: 200, etaLc: 0.1 },
    ];
    for (const spec of specs) {
      const model = registry.create('channel', spec) as ChannelModel;
      expect(model.kind).toBe(spec.kind);
      for (const [k, v] of Object.entries(spec)) if (k !== 'kind') expect(model.options[k]).toEqual(v);
      const out = model.generate({ batch: 2, users: 5, rng: streams(1).get(spec.kind) });
      expect(out.gains.length).toBe(50);
      expect(out.weights !== undefined).toBe(spec.weights === 'uniform');
      expect(out.geometry !== undefined).toBe(spec.kind === 'd2d');
    }
    expect((registry.create('channel', 'rayleigh') as ChannelModel).options).toEqual({ variance: 1, etaLc: 0, weights: 'ones', gain: 'power' });
  });

  it('reports bad options with the config path of the field', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ kind: 'rayleigh', variance: -1 }, 'channel', 'channel.variance'],
      [{ kind: 'rayleigh', sigma: 1 }, 'channel', 'channel.sigma'],
      [{ kind: 'rician', kFactor: 'high' }, 'data.channel', 'data.channel.kFactor'],
      [{ kind: 'd2d', fading: 1 }, 'channel', 'channel.fading'],
      [{ kind: 'd2d', etaLc: 2 }, 'channel', 'channel.etaLc'],
      [{ kind: 'd2d', weights: 'random' }, 'channel', 'channel.weights'],
      [{ kind: 'rayleigh', threshold: 10 }, 'channel', 'channel.threshold'],
      [{ kind: 'fancy' }, 'channel', 'channel.kind'],
    ];
    for (const [spec, field, expected] of cases) {
      let err: unknown;
      try {
        registry.create('channel', spec as { kind: string }, field);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(spec)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(expected);
    }
  });

  it('exports the public API from the entry point', () => {
    for (const name of [
      'createRayleigh', 'createRician', 'createD2D', 'generateRayleigh', 'generateRician', 'generateD2D',
      'd2dLayout', 'pathLossDb', 'pathGain', 'generateWeights', 'distanceThresholdMask', 'applyMask', 'removeLinks',
      'edgeList', 'batchedEdgeList', 'moveReceivers', 'mobilityTrajectory', 'toGraph', 'fromGraph',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof api.channelsPlugin.register).toBe('function');
    expect(api.plugin).toBe(api.channelsPlugin); // the conventional name (STYLE.md)
  });
});
