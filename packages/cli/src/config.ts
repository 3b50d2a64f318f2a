import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError, requireInteger, requireOneOf, requirePositive, type PluginSpec } from '@rrm/core';

/**
 * A pipeline config: plain data (JSON or YAML), dotted `--set` overrides on top, validated before any
 * work with messages that name the field. Plugin sections (`channel`, `teacher`, `model`, `distill.beta`,
 * …) are `{ kind, ...options }` and are validated by the plugin that owns the kind.
 */
export interface PipelineConfig {
  seed: number;
  backend: string;
  scenario: { users: number; noise: number; pmax: number };
  channel: PluginSpec;
  data: { train: number; test: number };
  teacher: PluginSpec;
  reference: PluginSpec;
  model: PluginSpec;
  trainer: {
    /** `unsupervised` | `supervised` (dataset pattern) or `ddpg` (RL pattern: steps, batch, buffer, noise, tau, gamma, actorLr, criticLr, …). */
    kind: string;
    epochs: number;
    batch: number;
    optimizer: { kind: string; lr: number; [k: string]: unknown };
    [k: string]: unknown;
  };
  distill: { beta: PluginSpec; distance: string };
  cache: string;
  /** Local plugin files (.ts/.mjs/.js) to load before the config is resolved. */
  plugins: string[];
  [k: string]: unknown;
}

export const DEFAULT_CONFIG: PipelineConfig = {
  seed: 0,
  backend: 'wasm',
  scenario: { users: 10, noise: 1, pmax: 1 },
  channel: { kind: 'rayleigh' },
  data: { train: 2000, test: 500 },
  teacher: { kind: 'fplinq' },
  reference: { kind: 'wmmse' },
  model: { kind: 'gnn' },
  trainer: { kind: 'unsupervised', epochs: 20, batch: 64, optimizer: { kind: 'adam', lr: 1e-3 } },
  distill: { beta: { kind: 'none' }, distance: 'l2' },
  cache: '.rrm-cache',
  plugins: [],
};

const TOP_KEYS = Object.keys(DEFAULT_CONFIG);

const DATASET_TRAINER_KEYS = ['kind', 'epochs', 'batch', 'optimizer', 'earlyStopping', 'workers'];

/** Sections that are `{ kind, ...options }` of a plugin: a new kind starts from empty options. */
export const PLUGIN_SECTIONS = ['channel', 'teacher', 'reference', 'model', 'distill.beta'];

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
  return data as Record<string, unknown>;
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
    if (isRecord(b) && isRecord(v)) {
      const replace = PLUGIN_SECTIONS.includes(path) && 'kind' in v && v.kind !== b.kind;
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
  if (last === 'kind' && PLUGIN_SECTIONS.includes(parts.slice(0, -1).join('.')) && node.kind !== value) {
    for (const k of Object.keys(node)) delete node[k];
  }
  node[last] = value;
}

/** Defaults ← file ← --set overrides, then the structural checks that need no plugin. */
export function resolveConfig(file: Record<string, unknown> | undefined, sets: readonly [string, unknown][]): PipelineConfig {
  const merged = mergeConfig(structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>, file ?? {});
  for (const [k, v] of sets) setDotted(merged, k, v);
  return checkConfig(merged);
}

function spec(field: string, v: unknown): PluginSpec {
  if (typeof v === 'string') return { kind: v };
  if (!isRecord(v) || typeof v.kind !== 'string') throw new ValidationError(`${field}.kind`, 'a plugin kind (string)', isRecord(v) ? v.kind : v);
  return v as PluginSpec;
}

export function checkConfig(c: Record<string, unknown>): PipelineConfig {
  for (const k of Object.keys(c)) if (!TOP_KEYS.includes(k)) throw new ValidationError(k, `a known top-level key (${TOP_KEYS.join(', ')})`, k);
  const scenario = c.scenario as Record<string, unknown>;
  const data = c.data as Record<string, unknown>;
  const trainer = c.trainer as Record<string, unknown>;
  const distill = c.distill as Record<string, unknown>;
  if (!isRecord(scenario)) throw new ValidationError('scenario', 'a mapping with users, noise, pmax', scenario);
  if (!isRecord(data)) throw new ValidationError('data', 'a mapping with train, test', data);
  if (!isRecord(trainer)) throw new ValidationError('trainer', 'a mapping with kind, epochs, batch, optimizer', trainer);
  if (!isRecord(distill)) throw new ValidationError('distill', 'a mapping with beta, distance', distill);
  const optimizer = trainer.optimizer;
  if (!isRecord(optimizer)) throw new ValidationError('trainer.optimizer', 'a mapping with kind and lr', optimizer);
  const seed = requireInteger('seed', c.seed, 0);
  const users = requireInteger('scenario.users', scenario.users, 1);
  for (const k of Object.keys(scenario)) if (!['users', 'noise', 'pmax'].includes(k)) throw new ValidationError(`scenario.${k}`, 'one of users, noise, pmax', k);
  for (const k of Object.keys(data)) if (!['train', 'test'].includes(k)) throw new ValidationError(`data.${k}`, 'one of train, test (test a trained model at another K with rrm evaluate)', k);
  const out: PipelineConfig = {
    seed,
    backend: typeof c.backend === 'string' ? c.backend : (() => { throw new ValidationError('backend', 'a backend name', c.backend); })(),
    scenario: { users, noise: requirePositive('scenario.noise', scenario.noise), pmax: requirePositive('scenario.pmax', scenario.pmax) },
    channel: spec('channel', c.channel),
    data: {
      train: requireInteger('data.train', data.train, 1),
      test: requireInteger('data.test', data.test, 1),
    },
    teacher: spec('teacher', c.teacher),
    reference: spec('reference', c.reference),
    model: spec('model', c.model),
    trainer: {
      ...trainer,
      kind: requireOneOf('trainer.kind', trainer.kind, ['unsupervised', 'supervised', 'ddpg']),
      epochs: requireInteger('trainer.epochs', trainer.epochs, 1),
      batch: requireInteger('trainer.batch', trainer.batch, 1),
      optimizer: { ...optimizer, kind: String(optimizer.kind), lr: requirePositive('trainer.optimizer.lr', optimizer.lr) },
    },
    distill: { beta: spec('distill.beta', distill.beta), distance: typeof distill.distance === 'string' ? distill.distance : (() => { throw new ValidationError('distill.distance', 'a distance name (l2, mse, l1)', distill.distance); })() },
    cache: typeof c.cache === 'string' ? c.cache : (() => { throw new ValidationError('cache', 'a directory path', c.cache); })(),
    plugins: Array.isArray(c.plugins) && c.plugins.every((p) => typeof p === 'string') ? (c.plugins as string[]) : (() => { throw new ValidationError('plugins', 'a list of plugin file paths', c.plugins); })(),
  };
  if (out.trainer.kind !== 'ddpg') {
    // DDPG options are validated by the DDPG plugin; the dataset pattern has a fixed set of keys.
    for (const k of Object.keys(trainer)) {
      if (!DATASET_TRAINER_KEYS.includes(k)) throw new ValidationError(`trainer.${k}`, `one of ${DATASET_TRAINER_KEYS.join(', ')} for trainer.kind ${out.trainer.kind}`, k);
    }
  }
  for (const k of Object.keys(distill)) if (!['beta', 'distance'].includes(k)) throw new ValidationError(`distill.${k}`, 'one of beta, distance', k);
  return out;
}
