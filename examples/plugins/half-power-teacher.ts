/**
 * Example local plugin: a user-defined teacher for algorithm distillation.
 *
 * The `half-power` teacher gives every link the same power, `fraction · pmax` (default 1/2). It is not
 * a good optimiser; it is the smallest complete teacher, showing the contract:
 *   Teacher { kind, options (resolved, used in the label-cache key), solve(problem) → powers [B, K] }
 *
 * Use it from a config:
 *   plugins: ['./examples/plugins/half-power-teacher.ts']
 *   distill: { teacher: { kind: 'half-power', fraction: 0.5 } }
 * or from code:
 *   await loadLocalPlugins(['./examples/plugins/half-power-teacher.ts'], registry);   // from @rrm/core
 *   const teacher = registry.create('teacher', { kind: 'half-power' }, 'distill.teacher');
 *   const { powers } = await teacherLabels({ teacher, problem, cacheDir: '.rrm/labels' });
 */
import { parseOptions, strictOptions, z, type Plugin, type PowerProblem, type Teacher } from '@rrm/core';

const schema = strictOptions({ fraction: z.number({ error: 'a number in [0, 1]' }).min(0).max(1).default(0.5) });

export function halfPowerTeacher(options: Record<string, unknown>, field = 'teacher'): Teacher {
  const { fraction } = parseOptions(schema, options, field);
  return {
    kind: 'half-power',
    options: { fraction },
    async solve(problem: PowerProblem): Promise<Float64Array> {
      const { batch, users } = problem.channels;
      return new Float64Array(batch * users).fill(fraction * problem.pmax);
    },
  };
}

const plugin: Plugin = {
  name: 'example-half-power-teacher',
  register(registry) {
    registry.add('teacher', {
      name: 'half-power',
      description: 'every link at fraction · pmax (example local plugin)',
      schema,
      create: (options, ctx) => halfPowerTeacher(options, ctx.field),
    });
  },
};

export default plugin;
