import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError, integer, parseOptions, positive, strict, z, type PluginSpec } from '@rrm/core';

/**
 * A pipeline config: plain data (JSON or YAML), dotted `--set` overrides on top, validated before any work
 * by one schema (types, defaults, unknown keys rejected with the field path; docs/config-reference.md is
 * generated from it). Plugin sections (`channel`, `teacher`, `reference`, `model`, `trainer`,
 * `distill.beta`) are `{ kind, ...options }`: their options are validated by the plugin that owns the kind.
 */
const pluginSpec = (kind: string, what: string) =>
  z
    .union([z.string().transform((k) => ({ kind: k })), z.looseObject({ kind: z.string({ error: `a registered ${what} kind (string)` }) })], {
      error: `a ${what} kind or { kind, ...options }`,
    })
    .default({ kind })
    .describe(`${what}: { kind, ...options }; default kind \`${kind}\` (options: see the plugin tables below)`);

export const pipelineSchema = strict({
  seed: integer(0).default(0).describe('root seed: data, model initialisation and shuffles come from named streams of it'),
  backend: z.string().default('wasm').describe('tensor backend plugin: wasm, cpu, tensorflow, webgpu'),
  scenario: strict({
    users: integer(1).default(10).describe('K, transmitter–receiver pairs'),
    noise: positive().default(1).describe('noise power σ² (linear, in the units of gain × power)'),
    pmax: positive().default(1).describe('per-link power budget'),
  }).prefault({}),
  channel: pluginSpec('rayleigh', 'channel model'),
  data: strict({
    train: integer(1).default(2000).describe('training samples (dataset-pattern trainers)'),
    test: integer(1).default(500).describe('held-out test samples (test at another K with rrm evaluate)'),
  }).prefault({}),
  teacher: pluginSpec('fplinq', 'teacher (labels for supervised training and distillation)'),
  reference: pluginSpec('wmmse', 'reference teacher (the "% of WMMSE" baseline)'),
  model: pluginSpec('gnn', 'model'),
  trainer: pluginSpec('unsupervised', 'trainer'),
  distill: strict({
    beta: pluginSpec('none', 'β schedule (none = no distillation)'),
    distance: z.string().default('l2').describe('distance plugin D(p, p_teacher): l2, mse, l1'),
  }).prefault({}),
  cache: z.string().default('.rrm-cache').describe('teacher-label cache folder'),
  plugins: z.array(z.string()).default([]).describe('local plugin files (.ts, .mjs, .js, .cjs), relative to the config file'),
});

export type PipelineConfig = z.output<typeof pipelineSchema> & {
  readonly channel: PluginSpec;
  readonly teacher: PluginSpec;
  readonly reference: PluginSpec;
  readonly model: PluginSpec;
  readonly trainer: PluginSpec;
  readonly distill: { readonly beta: PluginSpec; readonly distance: string };
};

/** Sections that are `{ kind, ...options }` of a plugin, with the registry kind that resolves them. */
export const PLUGIN_SECTIONS: Readonly<Record<string, string>> = {
  channel: 'channel',
  teacher: 'teacher',
  reference: 'teacher',
  model: 'model',
  trainer: 'trainer',
  'distill.beta': 'beta-schedule',
};

export const DEFAULT_CONFIG: PipelineConfig = checkConfig({});

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ValidationError('--config', 'a readable JSON or YAML file', path);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ValidationError(`--config (${path})`, 'valid JSON or YAML', (err as Error).message.split('\n')[0]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError(`--config (${path})`, 'a mapping of keys to values at the top level', data);
  }
  // Plugin paths in a config file are relative to that file.
  const c = data as Record<string, unknown>;
  if (Array.isArray(c.plugins)) c.plugins = c.plugins.map((p) => (typeof p === 'string' && !isAbsolute(p) ? resolvePath(dirname(path), p) : p));
  return c;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge where a plugin section whose `kind` changes is replaced, not merged (its options belong to the old kind). */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const path = prefix + k;
    const section = path in PLUGIN_SECTIONS;
    if (section && typeof v === 'string') out[k] = isRecord(b) && b.kind === v ? b : { kind: v };
    else if (isRecord(b) && isRecord(v)) {
      const replace = section && 'kind' in v && v.kind !== b.kind;
      out[k] = replace ? { ...v } : mergeConfig(b, v, `${path}.`);
    } else out[k] = v;
  }
  return out;
}

export function setDotted(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) throw new ValidationError('--set', 'a dotted key such as trainer.epochs', key);
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (!isRecord(node[p])) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  // Changing a plugin's kind drops the options of the previous kind.
  if (last === 'kind' && parts.slice(0, -1).join('.') in PLUGIN_SECTIONS && node.kind !== value) {
    for (const k of Object.keys(node)) delete node[k];
  }
  node[last] = value;
}

/** Defaults ← file ← --set overrides, then the schema (plugin options are checked when resolved: validateConfig). */
export function resolveConfig(file: Record<string, unknown> | undefined, sets: readonly (readonly [string, unknown])[] = []): PipelineConfig {
  // Clones: merging and dotted sets write into nested objects, which must never be the caller's (a sweep
  // resolves many runs from one base and one set of variant values).
  const merged = mergeConfig(structuredClone(DEFAULT_CONFIG) as Record<string, unknown>, structuredClone(file ?? {}));
  // Kind changes first: they drop the file's options of the old kind, never options given beside them.
  const isKind = ([k]: readonly [string, unknown]) => k.endsWith('.kind') && k.slice(0, -5) in PLUGIN_SECTIONS;
  for (const [k, v] of [...sets.filter(isKind), ...sets.filter((s) => !isKind(s))]) setDotted(merged, k, structuredClone(v));
  return checkConfig(merged);
}

/** Validates a whole config object against the schema (defaults filled in). */
export function checkConfig(c: unknown): PipelineConfig {
  if (!isRecord(c)) throw new ValidationError('config', 'a mapping of keys to values', c);
  return parseOptions(pipelineSchema, c, '') as PipelineConfig;
}

/** Canonical JSON: sorted object keys, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v;
  return JSON.stringify(sort(value));
}

export const RRM_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/**
 * A run's id: a short SHA-256 of the resolved config and the rrm version. The label cache folder is left
 * out (it changes where labels are kept, not what is computed).
 */
export function configHash(config: PipelineConfig): string {
  const { cache: _cache, ...rest } = config;
  return createHash('sha256').update(canonicalJson({ rrm: RRM_VERSION, config: rest })).digest('hex').slice(0, 10);
}

/** The default run folder: readable, and unique per resolved config. */
export function defaultRunName(config: PipelineConfig): string {
  const ad = config.distill.beta.kind === 'none' ? '' : `-ad-${config.distill.beta.kind}`;
  return `runs/${config.model.kind}-${config.trainer.kind}${ad}-k${config.scenario.users}-s${config.seed}-${configHash(config)}`;
}
