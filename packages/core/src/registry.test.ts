import { describe, expect, it } from 'vitest';
import { Registry, type Plugin } from './registry';
import type { Teacher } from './contracts';
import { ValidationError } from './errors';

const halfPower: Plugin = {
  name: 'test-half',
  register(registry) {
    registry.add('teacher', {
      name: 'half',
      description: 'every link at pmax / 2',
      create: (options): Teacher => ({
        kind: 'half',
        options,
        solve: async (problem) => new Float64Array(problem.channels.batch * problem.channels.users).fill(problem.pmax / 2),
      }),
    });
  },
};

describe('Registry', () => {
  it('registers through a plugin, lists and resolves by kind and name', async () => {
    const registry = new Registry().use(halfPower);
    expect(registry.has('teacher', 'half')).toBe(true);
    expect(registry.list('teacher').map((e) => e.name)).toEqual(['half']);
    const teacher = registry.create('teacher', { kind: 'half' });
    const powers = await teacher.solve({ channels: { batch: 1, users: 2, gains: new Float64Array(4) }, noise: 1, pmax: 2 });
    expect([...powers]).toEqual([1, 1]);
  });

  it('an unknown kind is an error naming the field and listing the known kinds', () => {
    const registry = new Registry().use(halfPower);
    try {
      registry.create('teacher', { kind: 'wmmse' }, 'distill.teacher');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain('distill.teacher.kind');
      expect((err as Error).message).toContain('half');
      expect((err as Error).message).toContain('"wmmse"');
    }
  });

  it('keeps registries isolated and plugins idempotent', () => {
    const a = new Registry().use(halfPower).use(halfPower);
    const b = new Registry();
    expect(a.list('teacher')).toHaveLength(1);
    expect(b.has('teacher', 'half')).toBe(false);
    expect(() => a.add('teacher', { name: 'half', description: '', create: () => ({}) as Teacher })).toThrow(/already registered/);
    expect(() => a.add('teacher', { name: 'Bad Name', description: '', create: () => ({}) as Teacher })).toThrow(/lower-case/);
  });

  it('passes options without the kind and the field path to the factory', () => {
    const registry = new Registry();
    let seen: unknown;
    registry.add('channel', {
      name: 'probe',
      description: '',
      create: (options, ctx) => {
        seen = { options, field: ctx.field };
        return { kind: 'probe', options, generate: () => ({ batch: 0, users: 0, gains: new Float64Array() }) };
      },
    });
    registry.create('channel', { kind: 'probe', variance: 2 }, 'channel');
    expect(seen).toEqual({ options: { variance: 2 }, field: 'channel' });
  });
});
