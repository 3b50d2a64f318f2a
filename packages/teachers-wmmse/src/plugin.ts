import {
  iterativeShape,
  parseOptions,
  seedOption,
  strictOptions,
  workersOption,
  type Plugin,
  type PluginEntry,
  type PowerProblem,
  type Teacher,
  type z,
} from '@rrm/core';
import { fullPower, randomPower, solveBinary } from './baselines';
import { solveWmmse } from './wmmse';

/**
 * Registers the teachers of this package: `wmmse`, `full`, `random`, `binary`. Each validates its options
 * with its schema (unknown keys are errors naming the field, e.g. `teacher.iteratons`) and returns a
 * Teacher whose `options` are the resolved options, defaults filled in.
 */

/** A teacher entry: options parsed by `schema` at the config path, `solve` run with the parsed options. */
function teacher<S extends z.ZodType<Record<string, unknown>>>(
  name: string,
  description: string,
  schema: S,
  solve: (options: z.output<S>, problem: PowerProblem) => Promise<Float64Array>,
) {
  const create = (options: Record<string, unknown> = {}, field = 'teacher'): Teacher => {
    const o = parseOptions(schema, options, field);
    return { kind: name, options: o, solve: (problem) => solve(o, problem) };
  };
  const entry: PluginEntry<Teacher> = { name, description, schema, create: (options, ctx) => create(options, ctx.field) };
  return { entry, create };
}

const wmmse = teacher(
  'wmmse',
  'WMMSE power control (Shi et al. 2011), batched; options: iterations (100), tolerance, init (pmax|random|given), restarts (1), seed (0), workers (auto)',
  strictOptions(iterativeShape),
  (o, problem) => solveWmmse(problem, o),
);
const full = teacher('full', 'every link at p_max', strictOptions({}), async (_o, problem) => fullPower(problem));
const random = teacher('random', 'powers uniform on [0, p_max]; option seed (0)', strictOptions({ seed: seedOption }), async (o, problem) =>
  randomPower(problem, o.seed),
);
const binary = teacher(
  'binary',
  'exhaustive best on/off allocation over 2^K patterns per sample (K ≤ 20); option workers (auto)',
  strictOptions({ workers: workersOption }),
  (o, problem) => solveBinary(problem, o),
);

/** The `wmmse` teacher from config options (`field` names them in errors). */
export const createWmmseTeacher = wmmse.create;

export const wmmsePlugin: Plugin = {
  name: '@rrm/teachers-wmmse',
  register(registry) {
    for (const t of [wmmse, full, random, binary]) registry.add('teacher', t.entry);
  },
};
