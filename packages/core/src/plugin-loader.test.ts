import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { loadLocalPlugin, loadLocalPlugins } from './plugin-loader';
import { Registry } from './registry';

const examples = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../examples/plugins');
const tmp = mkdtempSync(join(tmpdir(), 'rrm-plugins-')); // outside the repository: no package.json, no node_modules
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => (writeFileSync(join(tmp, name), text), join(tmp, name));
const entry = (name: string, value: number) =>
  `{ name: '${name}', description: 'test', create: () => ({ kind: '${name}', options: {}, value: () => ${value} }) }`;
/** β of a registered beta-schedule (a kind @rrm/distill declares) at epoch `epoch`. */
const beta = (r: Registry, spec: string | { kind: string; [k: string]: unknown }, epoch = 0) =>
  (r.create('beta-schedule', spec) as { value(p: object): number }).value({ epoch, epochs: 10, step: 0, steps: 10, fraction: 0 });
/** The ValidationError a load fails with. */
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable(), (e: Error) => (expect(e).toBeInstanceOf(ValidationError), e.message));

describe('loadLocalPlugin', () => {
  it('loads a TypeScript plugin from a temporary folder outside the repository', async () => {
    file(
      'typed-beta.ts',
      `import type { Plugin, Registry } from '@rrm/core';
interface Options { readonly beta?: number }
const beta = (o: Options): number => o.beta ?? 0.25;
export const plugin: Plugin = { name: 'typed-beta', register(r: Registry): void { r.add('beta-schedule', { name: 'typed', description: 'test', create: (o) => ({ kind: 'typed', options: {}, value: () => beta(o as Options) }) }); } };
`,
    );
    const registry = new Registry();
    expect((await loadLocalPlugin('typed-beta.ts', registry, { cwd: tmp })).name).toBe('typed-beta');
    expect(beta(registry, { kind: 'typed', beta: 0.5 })).toBe(0.5);
    file('default.mts', `const plugin: { name: string; register(): void } = { name: 'default-mts', register() {} };\nexport default plugin;\n`);
    expect((await loadLocalPlugin(join(tmp, 'default.mts'))).name).toBe('default-mts');
  });

  it('loads ESM (.mjs, .js) and CommonJS (.cjs) plugins, several files in order, each file once', async () => {
    const mjs = file('const.mjs', `globalThis.rrmLoads = (globalThis.rrmLoads ?? 0) + 1;\nexport const plugin = { name: 'const-mjs', register(r) { r.add('beta-schedule', ${entry('const', 0.25)}); } };\n`);
    const js = file('esm.js', `export default { name: 'esm-js', register(r) { r.add('beta-schedule', ${entry('esm', 0.5)}); } };\n`);
    const cjs = file('common.cjs', `module.exports = { plugin: { name: 'common-cjs', register(r) { r.add('beta-schedule', ${entry('common', 0.75)}); } } };\n`);
    const registry = new Registry();
    expect((await loadLocalPlugins([mjs, js, cjs], registry)).map((p) => p.name)).toEqual(['const-mjs', 'esm-js', 'common-cjs']);
    expect(['const', 'esm', 'common'].map((kind) => beta(registry, kind))).toEqual([0.25, 0.5, 0.75]);
    await loadLocalPlugin(mjs, new Registry());
    expect((globalThis as { rrmLoads?: number }).rrmLoads).toBe(1);
  });

  it('loads the shipped examples by a path relative to cwd; their option errors are ValidationErrors naming the field', async () => {
    const registry = new Registry();
    await loadLocalPlugins([join(examples, 'sqrt-decay-beta.ts'), 'half-power-teacher.ts'], registry, { cwd: examples });
    expect(beta(registry, { kind: 'sqrt-decay', beta0: 2 }, 3)).toBeCloseTo(1, 15);
    const teacher = registry.create('teacher', { kind: 'half-power' }, 'distill.teacher');
    expect(Array.from(await teacher.solve({ channels: { batch: 1, users: 2, gains: new Float64Array(4).fill(1) }, noise: 1, pmax: 4 }))).toEqual([2, 2]);
    expect(() => registry.create('teacher', { kind: 'half-power', fraction: 2 }, 'distill.teacher')).toThrow(ValidationError);
    expect(() => registry.create('teacher', { kind: 'half-power', fraction: 2 }, 'distill.teacher')).toThrow(/^distill\.teacher\.fraction:/);
  });

  it("under the rrm CLI's loader (tsx), loads TypeScript in a CommonJS scope through tsImport; foreign ValidationErrors become ours", () => {
    const plugin = file(
      'cli.ts',
      `const err = (): Error => Object.assign(new Error('teacher.x: expected y'), { name: 'ValidationError', field: 'teacher.x', expected: 'y' });
export default { name: 'cli-ts', register(r: { add(kind: string, entry: object): void }): void { r.add('teacher', { name: 'cli', description: 'test', create: () => { throw err(); } }); } };
`,
    );
    const script = `import { register } from 'tsx/esm/api'; register();
const { Registry, ValidationError, loadLocalPlugin } = await import('@rrm/core');
const registry = new Registry();
console.log((await loadLocalPlugin(${JSON.stringify(plugin)}, registry)).name);
try { registry.create('teacher', 'cli'); } catch (e) { console.log(e instanceof ValidationError, e.message); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    // console.log colours booleans when the runner forces colour (FORCE_COLOR under Nx).
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toBe('cli-ts\ntrue teacher.x: expected y\n');
  });

  it('fails with a ValidationError naming the field and the plugin path', async () => {
    const missing = await failure(loadLocalPlugin('./no/such/plugin.ts', new Registry(), { cwd: tmp, field: 'plugins[0]' }));
    expect(missing).toBe(`plugins[0]: plugin ${join(tmp, 'no/such/plugin.ts')}: no such file`);
    expect(await failure(loadLocalPlugin(file('plugin.json', '{}')))).toMatch(/plugin\.json: not a plugin file .*\.ts, \.mts, \.mjs, \.js/);
    const none = file('none.mjs', 'export const schedule = { kind: "x" };\nexport default 42;\n');
    expect(await failure(loadLocalPlugin(none))).toMatch(new RegExp(`plugin ${none}: no plugin .*exports (default, schedule|schedule, default)`));
    const wrong = file('wrong.ts', `export const plugin = { name: 'wrong', register: 1 };\n`);
    expect(await failure(loadLocalPlugin(wrong))).toMatch(/exports (default, )?plugin$/); // TypeScript in a CommonJS scope also has `default`
    const syntax = file('syntax.ts', `export const plugin = { name: 'bad', register( { };\n`);
    expect(await failure(loadLocalPlugin(syntax, new Registry(), { field: 'plugins[2]' }))).toMatch(new RegExp(`^plugins\\[2\\]: plugin ${syntax}: cannot import it: `));
    const throws = file('throws.ts', `export const plugin = { name: 'throws', register(): void { throw new Error('boom'); } };\n`);
    expect(await failure(loadLocalPlugin(throws, new Registry()))).toBe(`plugins: plugin ${throws}: boom`);
    const ok = file('ok.mjs', `export const plugin = { name: 'ok', register() {} };\n`);
    expect(await failure(loadLocalPlugins([ok, join(tmp, 'missing.ts')], new Registry()))).toMatch(/^plugins\[1\]: .*missing\.ts: no such file/);
  });
});
