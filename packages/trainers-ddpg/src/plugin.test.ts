import { describe, expect, it } from 'vitest';
import { Registry, type TrainRecord, type TrainerContext } from '@rrm/core';
import { DDPG_DEFAULTS, ddpgPlugin, resolveDdpgOptions } from './index';
import { mlpActorBuilder, rayleigh, testChannels } from './test-fixtures';

describe('ddpg plugin', () => {
  it('registers the ddpg trainer with resolved defaults', async () => {
    const registry = new Registry().use(ddpgPlugin);
    expect(registry.has('trainer', 'ddpg')).toBe(true);
    const trainer = registry.create('trainer', { kind: 'ddpg', steps: 6, batch: 4, trainBatch: 8, warmup: 2, logEvery: 3 }, 'trainer');
    expect(trainer.kind).toBe('ddpg');
    expect(trainer.pattern).toBe('environment');
    expect(trainer.options.gamma).toBe(0);
    expect(trainer.options.tau).toBe(DDPG_DEFAULTS.tau);
    expect((trainer.options.noise as { kind: string }).kind).toBe('gaussian');
    expect(trainer.progressKey).toBe('samples');
    const build = mlpActorBuilder([4]);
    const actor = build({ users: 2, pmax: 1, noise: 1, seed: 0 });
    const channels = testChannels(8, 2, 1);
    const records: TrainRecord[] = [];
    const ctx: TrainerContext = {
      scenario: { users: 2, noise: 1, pmax: 1 },
      seed: 0,
      trainSamples: 0,
      channel: rayleigh,
      teacher: { kind: 'none', options: {}, solve: async () => new Float64Array(0) },
      model: actor,
      buildModel: build,
      test: { channels, reference: new Float64Array(channels.batch).fill(1) },
      draw: () => channels,
      labels: async () => new Float64Array(0),
      replica: () => ({ module: '', args: null }),
      record: async (r) => void records.push(r),
      log: () => {},
      progress: () => {},
      signal: new AbortController().signal,
    };
    expect(await trainer.run(ctx)).toEqual({ status: 'completed' });
    expect(records.map((r) => r.step)).toEqual([0, 3, 6]);
    expect(records.map((r) => r.samples)).toEqual([0, 12, 24]);
    actor.dispose();
  });

  it('validates options with errors naming trainer.<field>', () => {
    const registry = new Registry().use(ddpgPlugin);
    expect(() => registry.create('trainer', { kind: 'ddpg', stpes: 5 }, 'trainer')).toThrow(/trainer\.stpes/);
    expect(() => registry.create('trainer', { kind: 'ddpg', epochs: 5 }, 'trainer')).toThrow(/trainer\.epochs.*steps/);
    expect(() => resolveDdpgOptions({ steps: -1 })).toThrow(/trainer\.steps/);
    expect(() => resolveDdpgOptions({ batch: 1.5 })).toThrow(/trainer\.batch/);
    expect(() => resolveDdpgOptions({ gamma: 1 })).toThrow(/trainer\.gamma/);
    expect(() => resolveDdpgOptions({ tau: 2 })).toThrow(/trainer\.tau/);
    expect(() => resolveDdpgOptions({ actorLr: 0 })).toThrow(/trainer\.actorLr/);
    expect(() => resolveDdpgOptions({ noise: { kind: 'ou', scale: -1 } })).toThrow(/trainer\.noise\.scale/);
    expect(() => resolveDdpgOptions({ warmup: -2 }, 'rl')).toThrow(/rl\.warmup/);
    expect(() => resolveDdpgOptions({ critic: { hidden: [0] } })).toThrow(/trainer\.critic\.hidden\[0\]/);
    const r = resolveDdpgOptions({ noise: 'ou', clipNorm: 0 });
    expect(r.noise.kind).toBe('ou');
    expect(r.clipNorm).toBe(0);
  });
});
