import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError, type Plugin, type Registry } from '@rrm/core';

/**
 * Loads a plugin from a local file, so users can add a β schedule, a teacher, a distance or a model
 * without publishing a package:
 *
 *   // my-beta.ts
 *   import type { Plugin } from '@rrm/core';
 *   export const plugin: Plugin = { name: 'my-beta', register(r) { r.add('beta-schedule', { ... }) } };
 *
 *   await loadLocalPlugin('./my-beta.ts', registry);   // relative to the working directory
 *
 * The file may be .ts/.mts (when running under a TypeScript loader such as tsx, which the rrm CLI uses,
 * or vitest), or .mjs/.js (plain ESM). It exports the plugin as its default export or as `plugin`.
 */
export const PLUGIN_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'] as const;

export function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plugin).name === 'string' &&
    (value as Plugin).name.length > 0 &&
    typeof (value as Plugin).register === 'function'
  );
}

export interface LoadLocalPluginOptions {
  /** Directory relative paths are resolved against (default process.cwd()). */
  readonly cwd?: string;
  /** Config path for error messages (default 'plugins'). */
  readonly field?: string;
}

/** Imports a local plugin file and registers it (when a registry is given). Returns the plugin. */
export async function loadLocalPlugin(path: string, registry?: Registry, opts: LoadLocalPluginOptions = {}): Promise<Plugin> {
  const field = opts.field ?? 'plugins';
  if (typeof path !== 'string' || path.length === 0) throw new ValidationError(field, 'the path of a plugin file', path);
  const cwd = opts.cwd ?? process.cwd();
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new ValidationError(field, `an existing plugin file (${path} resolves to ${abs}, which does not exist)`, path);
  }
  if (!PLUGIN_EXTENSIONS.some((ext) => abs.endsWith(ext))) {
    throw new ValidationError(field, `a plugin file ending in ${PLUGIN_EXTENSIONS.join(', ')}`, path);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (a .ts plugin needs a TypeScript loader: run through tsx, as the rrm CLI does, or compile it to .mjs)'
        : '';
    throw new Error(`cannot load plugin file ${abs}: ${(err as Error).message}${hint}`, { cause: err });
  }
  const candidates = [mod.default, mod.plugin];
  const plugin = candidates.find(isPlugin);
  if (!plugin) {
    const names = Object.keys(mod);
    throw new ValidationError(
      field,
      `a file exporting a plugin ({ name, register(registry) }) as its default export or as \`plugin\`; ${abs} exports ${
        names.length ? names.join(', ') : 'nothing'
      }`,
      path,
    );
  }
  registry?.use(plugin);
  return plugin;
}

/** Loads several plugin files in order (errors name `field[i]`). */
export async function loadLocalPlugins(paths: readonly string[], registry: Registry, opts: LoadLocalPluginOptions = {}): Promise<Plugin[]> {
  const out: Plugin[] = [];
  for (let i = 0; i < paths.length; i++) out.push(await loadLocalPlugin(paths[i], registry, { ...opts, field: `${opts.field ?? 'plugins'}[${i}]` }));
  return out;
}
