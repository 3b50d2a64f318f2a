import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry, ValidationError } from '@rrm/core';
import { teacherLabels } from './label-cache';
import { loadLocalPlugin, loadLocalPlugins } from './local-plugins';
import { distillPlugin } from './plugin';
import type { TrainingProgress } from './progress';
import { rayleigh } from './test-fixtures';

const here = dirname(fileURLToPath(import.meta.url));
const examples = resolve(here, '../../../examples/plugins');
const tmp = mkdtempSync(join(tmpdir(), 'rrm-plugins-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const at = (epoch: number, step = epoch * 10): TrainingProgress => ({ epoch, epochs: 10, step, steps: 100, fraction: step / 100 });

describe('local plugins', () => {
  it('loads the sqrt-decay β example (named export) and runs it through the registry', async () => {
    const registry = new Registry().use(distillPlugin);
    const plugin = await loadLocalPlugin(join(examples, 'sqrt-decay-beta.ts'), registry);
    expect(plugin.name).toBe('example-sqrt-decay-beta');
    const s = registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: 2 }, 'distill.beta');
    expect(s.value(at(0))).toBe(2);
    expect(s.value(at(3))).toBeCloseTo(1, 15);
    expect(registry.create('beta-schedule', { kind: 'sqrt-decay', unit: 'step' }).value(at(1, 8))).toBeCloseTo(1 / 3, 15);
    expect(() => registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: -1 })).toThrow(/^distill\.beta\.beta0:/);
    // Built-in and plugin schedules are listed side by side.
    expect(registry.list('beta-schedule').map((e) => e.name)).toContain('sqrt-decay');
  });

  it('loads the half-power teacher example (default export) by a path relative to cwd and computes labels with it', async () => {
    const registry = new Registry();
    const rel = relative(process.cwd(), join(examples, 'half-power-teacher.ts'));
    expect(rel.startsWith('/')).toBe(false);
    await loadLocalPlugin(rel, registry);
    const teacher = registry.create('teacher', { kind: 'half-power' }, 'distill.teacher');
    const channels = rayleigh(3, 2, 1);
    const labels = await teacherLabels({ teacher, problem: { channels, noise: 1, pmax: 4 }, cacheDir: join(tmp, 'cache') });
    expect(Array.from(labels.powers)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(() => registry.create('teacher', { kind: 'half-power', fraction: 2 }, 'distill.teacher')).toThrow(/^distill\.teacher\.fraction:/);
    // Relative to another directory.
    const again = new Registry();
    await loadLocalPlugin('half-power-teacher.ts', again, { cwd: examples });
    expect(again.has('teacher', 'half-power')).toBe(true);
  });

  it('reports a missing file with the resolved path', async () => {
    try {
      await loadLocalPlugin('./no/such/plugin.ts', new Registry(), { cwd: tmp, field: 'plugins[0]' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain('plugins[0]');
      expect((err as Error).message).toContain(join(tmp, 'no/such/plugin.ts'));
    }
  });

  it('reports a file that exports no plugin, listing what it exports', async () => {
    const file = join(tmp, 'not-a-plugin.mjs');
    writeFileSync(file, 'export const schedule = { kind: "x" };\nexport default 42;\n');
    await expect(loadLocalPlugin(file, new Registry())).rejects.toThrow(/exports default, schedule|exports schedule, default/);
    const wrongExt = join(tmp, 'plugin.json');
    writeFileSync(wrongExt, '{}');
    await expect(loadLocalPlugin(wrongExt)).rejects.toThrow(/\.ts, \.mts, \.mjs, \.js/);
  });

  it('loads plain .mjs plugins and several files in order', async () => {
    const file = join(tmp, 'const-beta.mjs');
    writeFileSync(
      file,
      `export const plugin = { name: 'const-beta', register(r) { r.add('beta-schedule', { name: 'const', description: 'β = 0.25', create: () => ({ kind: 'const', options: {}, value: () => 0.25 }) }); } };\n`,
    );
    const registry = new Registry();
    const plugins = await loadLocalPlugins([file, join(examples, 'sqrt-decay-beta.ts')], registry);
    expect(plugins.map((p) => p.name)).toEqual(['const-beta', 'example-sqrt-decay-beta']);
    expect(registry.create('beta-schedule', 'const').value(at(0))).toBe(0.25);
    await expect(loadLocalPlugins([file, join(tmp, 'missing.ts')], new Registry())).rejects.toThrow(/plugins\[1\]/);
  });
});
