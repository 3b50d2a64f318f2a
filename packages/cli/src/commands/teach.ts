import { makeScenario, readNpy, ValidationError, writeNpy, type PluginSpec, type Registry } from '@rrm/core';
import { readChannelFile, type ChannelFileOptions } from '../channel-files';

export interface TeachOptions {
  readonly registry: Registry;
  readonly teacher: PluginSpec;
  readonly input: ChannelFileOptions;
  readonly noise: number;
  readonly pmax: number;
  /** Starting powers for `init: 'given'` teachers ([B, K] .npy). */
  readonly initPowers?: string;
  readonly out: string;
  /** Progress callback, passed to teachers that report it. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs a registered teacher on a channel file and writes powers [B, K] (float64 .npy). */
export async function teach(opts: TeachOptions): Promise<{ powers: Float64Array; batch: number; users: number; seconds: number }> {
  const teacher = opts.registry.create('teacher', opts.teacher, 'teacher');
  const channels = readChannelFile(opts.input);
  const scenario = makeScenario({ users: channels.users, noise: opts.noise, pmax: opts.pmax });
  let init: Float64Array | undefined;
  if (opts.initPowers) {
    const a = readNpy(opts.initPowers);
    if (a.data.length !== channels.batch * channels.users) {
      throw new ValidationError(`--init-powers (${opts.initPowers})`, `shape [${channels.batch}, ${channels.users}]`, `shape [${a.shape.join(', ')}]`);
    }
    init = Float64Array.from(a.data);
  }
  const start = performance.now();
  const powers = await teacher.solve({ channels, noise: scenario.noise, pmax: scenario.pmax, init, onProgress: opts.onProgress });
  const seconds = (performance.now() - start) / 1000;
  writeNpy(opts.out, powers, [channels.batch, channels.users]);
  return { powers, batch: channels.batch, users: channels.users, seconds };
}
