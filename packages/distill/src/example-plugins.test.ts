import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry, loadLocalPlugin } from '@rrm/core';
import { teacherLabels } from './label-cache';
import { distillPlugin } from './plugin';
import type { TrainingProgress } from './progress';
import { rayleigh } from './test-fixtures';

// The loader itself (any folder, TypeScript/ESM/CommonJS, errors) is tested in @rrm/core (plugin-loader.test.ts).
const examples = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/plugins');
const tmp = mkdtempSync(join(tmpdir(), 'rrm-plugins-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const at = (epoch: number, step = epoch * 10): TrainingProgress => ({ epoch, epochs: 10, step, steps: 100, fraction: step / 100 });

describe('example local plugins with distillation', () => {
  it('the sqrt-decay β example (named export) runs beside the built-in schedules', async () => {
    const registry = new Registry().use(distillPlugin);
    const plugin = await loadLocalPlugin(join(examples, 'sqrt-decay-beta.ts'), registry);
    expect(plugin.name).toBe('example-sqrt-decay-beta');
    const s = registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: 2 }, 'distill.beta');
    expect(s.value(at(0))).toBe(2);
    expect(s.value(at(3))).toBeCloseTo(1, 15);
    expect(registry.create('beta-schedule', { kind: 'sqrt-decay', unit: 'step' }).value(at(1, 8))).toBeCloseTo(1 / 3, 15);
    expect(() => registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: -1 })).toThrow(/^distill\.beta\.beta0:/);
    expect(registry.list('beta-schedule').map((e) => e.name)).toEqual(['cosine', 'decreasing', 'exponential', 'fixed', 'increasing', 'sqrt-decay', 'step']);
  });

  it('the half-power teacher example (default export), by a path relative to cwd, computes cached labels', async () => {
    const registry = new Registry();
    const rel = relative(process.cwd(), join(examples, 'half-power-teacher.ts'));
    expect(rel.startsWith('/')).toBe(false);
    await loadLocalPlugin(rel, registry);
    const teacher = registry.create('teacher', { kind: 'half-power' }, 'distill.teacher');
    const labels = await teacherLabels({ teacher, problem: { channels: rayleigh(3, 2, 1), noise: 1, pmax: 4 }, cacheDir: join(tmp, 'cache') });
    expect(Array.from(labels.powers)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(() => registry.create('teacher', { kind: 'half-power', fraction: 2 }, 'distill.teacher')).toThrow(/^distill\.teacher\.fraction:/);
  });
});
