import { rejectUnknownKeys, requireInteger, type FactoryContext, type Plugin, type PowerProblem, type Teacher } from '@rrm/core';
import { fullPower, randomPower, solveBinary } from './baselines';
import { resolveIterativeOptions, type ResolvedIterativeOptions } from './iterate';
import { resolveWorkersOption, type WorkersOption } from './parallel';
import { solveWmmse } from './wmmse';

/**
 * Registers the teachers of this package: `wmmse`, `full`, `random`, `binary`. Each factory validates
 * its options (unknown keys are errors naming the field, e.g. `teacher.iteratons`) and returns a
 * Teacher whose `options` are the resolved options, defaults filled in.
 */

export const WMMSE_OPTION_KEYS = ['iterations', 'tolerance', 'init', 'restarts', 'seed', 'workers'] as const;

export type WmmseTeacherOptions = ResolvedIterativeOptions & {
  readonly workers: WorkersOption;
};

/** Resolved options of an iterative teacher, without an undefined `tolerance` (configs are plain data). */
export function iterativeTeacherOptions(field: string, options: Record<string, unknown>): WmmseTeacherOptions {
  const resolved = { ...resolveIterativeOptions(field, options), workers: resolveWorkersOption(`${field}.workers`, options.workers) };
  if (resolved.tolerance === undefined) delete (resolved as { tolerance?: number }).tolerance;
  return resolved;
}

export function createWmmseTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  rejectUnknownKeys(field, options, WMMSE_OPTION_KEYS);
  const resolved = iterativeTeacherOptions(field, options);
  return {
    kind: 'wmmse',
    options: resolved,
    solve: (problem: PowerProblem) => solveWmmse(problem, resolved),
  };
}

export function createFullTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  rejectUnknownKeys(field, options, []);
  return { kind: 'full', options: {}, solve: async (problem) => fullPower(problem) };
}

export function createRandomTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  rejectUnknownKeys(field, options, ['seed']);
  const seed = options.seed === undefined ? 0 : requireInteger(`${field}.seed`, options.seed, -2147483648, 4294967295);
  return { kind: 'random', options: { seed }, solve: async (problem) => randomPower(problem, seed) };
}

export function createBinaryTeacher(options: Record<string, unknown> = {}, field = 'teacher'): Teacher {
  rejectUnknownKeys(field, options, ['workers']);
  const workers = resolveWorkersOption(`${field}.workers`, options.workers);
  return { kind: 'binary', options: { workers }, solve: (problem) => solveBinary(problem, { workers }) };
}

const factory =
  (create: (options: Record<string, unknown>, field: string) => Teacher) =>
  (options: Record<string, unknown>, ctx: FactoryContext) =>
    create(options, ctx.field);

export const wmmsePlugin: Plugin = {
  name: '@rrm/teachers-wmmse',
  register(registry) {
    registry.add('teacher', {
      name: 'wmmse',
      description:
        'WMMSE power control (Shi et al. 2011), batched; options: iterations (100), tolerance, init (pmax|random|given), restarts (1), seed (0), workers (auto)',
      create: factory(createWmmseTeacher),
    });
    registry.add('teacher', { name: 'full', description: 'every link at p_max', create: factory(createFullTeacher) });
    registry.add('teacher', { name: 'random', description: 'powers uniform on [0, p_max]; option seed (0)', create: factory(createRandomTeacher) });
    registry.add('teacher', {
      name: 'binary',
      description: 'exhaustive best on/off allocation over 2^K patterns per sample (K ≤ 20); option workers (auto)',
      create: factory(createBinaryTeacher),
    });
  },
};
