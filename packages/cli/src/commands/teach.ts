import { makeScenario, ValidationError, writeNpy, type PluginSpec, type Registry } from '@rrm/core';
import { openChannelFile, readPowers, type ChannelFileOptions } from '../channel-files';
import { channelHostBytes, chunkRanges, planChunks, resolveMemoryBudget } from '../memory-budget';
import { checkOutputPath } from '../output-paths';

export interface TeachOptions {
  readonly registry: Registry;
  readonly teacher: PluginSpec;
  readonly input: ChannelFileOptions;
  readonly noise: number;
  readonly pmax: number;
  /** Starting powers for `init: 'given'` teachers ([B, K] .npy). */
  readonly initPowers?: string;
  readonly out: string;
  /** Memory budget in bytes or as '512M' (default RRM_MEMORY_BUDGET, else a share of the machine's memory). */
  readonly memoryBudget?: string | number;
  /** Forces at most this many samples per chunk (tests). */
  readonly chunkSamples?: number;
  /** Progress callback: samples finished out of the file's total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Warnings (stderr in the CLI). */
  readonly warn?: (message: string) => void;
}

export interface TeachResult {
  readonly powers: Float64Array;
  readonly batch: number;
  readonly users: number;
  readonly chunks: number;
  readonly seconds: number;
}

/**
 * Runs a registered teacher on a channel file and writes powers [B, K] (float64 .npy). The file is read
 * and solved in chunks that fit the memory budget (one chunk unless the file is large), and the output
 * path is checked before any work.
 */
export async function teach(opts: TeachOptions): Promise<TeachResult> {
  checkOutputPath('--out', opts.out, {
    ext: '.npy',
    inputs: [['--channels', opts.input.channels], ['--weights', opts.input.weights], ['--init-powers', opts.initPowers]],
  });
  const teacher = opts.registry.create('teacher', opts.teacher, 'teacher');
  const givenInit = teacher.options.init === 'given';
  if (givenInit && !opts.initPowers) throw new ValidationError('--init-powers', 'a .npy of starting powers [B, K] (required by --init given)');
  if (!givenInit && opts.initPowers) throw new ValidationError('--init-powers', `to be used with --init given (the ${teacher.kind} teacher here starts from init ${String(teacher.options.init ?? 'its default')})`, opts.initPowers);
  const source = openChannelFile(opts.input);
  try {
    const { batch, users } = source;
    const scenario = makeScenario({ users, noise: opts.noise, pmax: opts.pmax });
    const init = opts.initPowers ? Float64Array.from(readPowers('--init-powers', opts.initPowers, batch, users).data) : undefined;
    // A teacher works on the Float64 gains and a few per-link vectors; a worker pool copies its share once more.
    const plan = planChunks({
      what: `the ${teacher.kind} teacher at K = ${users}`,
      batch,
      budget: resolveMemoryBudget(opts.memoryBudget),
      hostBytesPerSample: channelHostBytes(users, source.fileWidth, 1),
      chunkSamples: opts.chunkSamples,
    });
    if (plan.chunks > 1 && (teacher.kind === 'random' || teacher.options.init === 'random')) {
      opts.warn?.(
        `${teacher.kind}: random draws restart in each of the ${plan.chunks} memory chunks, so the powers differ from a one-chunk run of the same seed (raise --memory-budget for one chunk)`,
      );
    }
    const powers = new Float64Array(batch * users);
    const start = performance.now();
    for (const [a, b] of chunkRanges(batch, plan.samples)) {
      const channels = source.read(a, b);
      const p = await teacher.solve({
        channels,
        noise: scenario.noise,
        pmax: scenario.pmax,
        init: init?.subarray(a * users, b * users),
        onProgress: opts.onProgress && ((done) => opts.onProgress!(a + done, batch)),
      });
      powers.set(p, a * users);
      opts.onProgress?.(b, batch);
    }
    const seconds = (performance.now() - start) / 1000;
    writeNpy(opts.out, powers, [batch, users]);
    return { powers, batch, users, chunks: plan.chunks, seconds };
  } finally {
    source.close();
  }
}
