import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from './errors';
import type { Plugin, PluginEntry, Registry } from './registry';

/**
 * Loads plugins from local files, so users can add a β schedule, a teacher, a distance, a model or a trainer
 * without publishing a package (ARCHITECTURE.md, "Plugins"):
 *
 *   // my-beta.ts, in any folder
 *   import type { Plugin } from '@rrm/core';
 *   export const plugin: Plugin = { name: 'my-beta', register(r) { r.add('beta-schedule', { ... }) } };
 *
 *   await loadLocalPlugins(['./my-beta.ts'], registry);   // relative to the working directory
 *
 * The file may sit in any folder and be TypeScript (.ts, .mts, .cts), ESM (.mjs, .js) or CommonJS (.cjs); it
 * exports the plugin as its default export or as `plugin`. Its own imports resolve from its folder: outside
 * the workspace, type-only imports of @rrm/* work (they are erased), runtime ones need the packages
 * installed there. See `importFile` for which loader runs it. A file that tsx's `tsImport` loads gets its
 * own instances of the TypeScript modules it imports, so a ValidationError its factories throw is re-created
 * as this module's ValidationError (the CLI maps those to exit status 2). Every failure is a ValidationError
 * naming the config field and the plugin path: `plugins[0]: plugin /abs/path.ts: <what went wrong>`.
 */
const EXTENSIONS = ['.ts', '.mts', '.mjs', '.js', '.cts', '.cjs'];
const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Imports a local plugin file (once per path) and registers it with `registry`, if given. Returns the plugin. */
export async function loadLocalPlugin(path: string, registry?: Registry, opts: { cwd?: string; field?: string } = {}): Promise<Plugin> {
  const field = opts.field ?? 'plugins';
  if (typeof path !== 'string' || path.length === 0) throw new ValidationError(field, 'the path of a plugin file', path);
  const abs = isAbsolute(path) ? path : resolve(opts.cwd ?? process.cwd(), path);
  const fail = (problem: string) => Object.assign(new ValidationError(field, 'a plugin file', path), { message: `${field}: plugin ${abs}: ${problem}` });
  if (!existsSync(abs) || !statSync(abs).isFile()) throw fail('no such file');
  if (!EXTENSIONS.some((ext) => abs.endsWith(ext))) throw fail(`not a plugin file (it must end in ${EXTENSIONS.join(', ')})`);
  let mod = modules.get(abs);
  if (!mod) modules.set(abs, (mod = importFile(abs)));
  let m: Record<string, unknown>;
  try {
    m = await mod;
  } catch (err) {
    modules.delete(abs);
    const e = err as NodeJS.ErrnoException;
    const hint = /MODULE_NOT_FOUND/.test(e?.code ?? '') ? " (a plugin's imports resolve from its own folder)" : '';
    throw fail(`cannot import it: ${e?.message ?? String(err)}${hint}`);
  }
  // A CommonJS module (a .cjs file, or TypeScript in a CommonJS package scope) arrives as `default`.
  const cjs = m.default as Record<string, unknown> | undefined;
  const plugin = [m.default, m.plugin, cjs?.default, cjs?.plugin].find(isPlugin);
  if (!plugin) {
    const names = Object.keys(m);
    throw fail(`no plugin ({ name, register(registry) }) as its default export or as \`plugin\`; it exports ${names.length ? names.join(', ') : 'nothing'}`);
  }
  try {
    registry?.use({ name: plugin.name, register: (r) => plugin.register(translatingErrors(r)) });
  } catch (err) {
    throw fail((err as Error)?.message ?? String(err));
  }
  return plugin;
}

/** Loads several plugin files in order (errors name `field[i]`, default `plugins[i]`). */
export async function loadLocalPlugins(paths: readonly string[], registry: Registry, opts: { cwd?: string; field?: string } = {}): Promise<Plugin[]> {
  const out: Plugin[] = [];
  for (let i = 0; i < paths.length; i++) out.push(await loadLocalPlugin(paths[i], registry, { ...opts, field: `${opts.field ?? 'plugins'}[${i}]` }));
  return out;
}

/**
 * Through the host's own loader (tsx under the rrm CLI, vite under vitest) where the file's format is
 * unambiguous, so the plugin shares the host's module instances and its `instanceof` checks hold; through
 * tsx's `tsImport` otherwise: TypeScript or .js in a CommonJS package scope (a file in /tmp, say), which
 * the host's loader may take for CommonJS, or a host without a TypeScript loader.
 */
async function importFile(abs: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(abs).href;
  if (/\.(mjs|cjs|mts)$/.test(abs) || (!abs.endsWith('.cts') && moduleScope(abs))) {
    try {
      return await import(url);
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

/** Whether the nearest package.json above a file says "type": "module" (Node's rule for .js and .ts). */
function moduleScope(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) return /"type"\s*:\s*"module"/.test(readFileSync(pkg, 'utf8'));
    if (dirname(dir) === dir) return false;
  }
}

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin | null | undefined;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && p.name.length > 0 && typeof p.register === 'function';
}

/** The registry as the plugin sees it: factories that throw another module instance's ValidationError throw ours. */
function translatingErrors(registry: Registry): Registry {
  const add = (kind: string, entry: PluginEntry<unknown>) =>
    registry.add(kind, {
      ...entry,
      create: (options, ctx) => {
        try {
          return entry.create(options, ctx);
        } catch (err) {
          const e = err as Partial<ValidationError> | undefined;
          if (err instanceof ValidationError || e?.name !== 'ValidationError' || typeof e.field !== 'string') throw err;
          throw Object.assign(new ValidationError(e.field, e.expected ?? '', e.got), { message: e.message, stack: e.stack });
        }
      },
    });
  return Object.create(registry, { add: { value: add } }) as Registry;
}
