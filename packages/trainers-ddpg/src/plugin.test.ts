import { describe, expect, it } from 'vitest';
import { Registry } from '@rrm/core';
import { DDPG_DEFAULTS, ddpgPlugin, resolveDdpgOptions } from './index';
import { mlpActorBuilder, rayleigh, testChannels } from './test-fixtures';

describe('ddpg plugin', () => {
  it('registers the ddpg rl-trainer with resolved defaults', async () => {
    const registry = new Registry().use(ddpgPlugin);
    expect(registry.has('rl-trainer', 'ddpg')).toBe(true);
    const trainer = registry.create('rl-trainer', { kind: 'ddpg', steps: 6, batch: 4, trainBatch: 8, warmup: 2, logEvery: 3 }, 'trainer');
    expect(trainer.kind).toBe('ddpg');
    expect(trainer.pattern).toBe('environment');
    expect(trainer.options.gamma).toBe(0);
    expect(trainer.options.tau).toBe(DDPG_DEFAULTS.tau);
    expect(trainer.options.noise.kind).toBe('gaussian');
    const actor = mlpActorBuilder([4])({ users: 2, pmax: 1, noise: 1, seed: 0 });
    const result = await trainer.run({ actor, environment: { channel: rayleigh, users: 2, noise: 1, pmax: 1 }, test: { channels: testChannels(8, 2, 1) } });
    expect(result.log.map((r) => r.step)).toEqual([0, 3, 6]);
    result.critic.dispose();
  });

  it('validates options with errors naming trainer.<field>', () => {
    const registry = new Registry().use(ddpgPlugin);
    expect(() => registry.create('rl-trainer', { kind: 'ddpg', stpes: 5 }, 'trainer')).toThrow(/trainer\.stpes/);
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
