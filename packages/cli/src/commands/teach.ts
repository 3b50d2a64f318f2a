import { makeScenario, ValidationError, writeNpy, type PluginSpec, type Registry } from '@rrm/core';
import { readChannelFile, readPowers, type ChannelFileOptions } from '../channel-files';

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
  const givenInit = teacher.options.init === 'given';
  if (givenInit && !opts.initPowers) throw new ValidationError('--init-powers', 'a .npy of starting powers [B, K] (required by --init given)');
  if (!givenInit && opts.initPowers) throw new ValidationError('--init-powers', `to be used with --init given (the ${teacher.kind} teacher here starts from init ${String(teacher.options.init ?? 'its default')})`, opts.initPowers);
  const channels = readChannelFile(opts.input);
  const scenario = makeScenario({ users: channels.users, noise: opts.noise, pmax: opts.pmax });
  const init = opts.initPowers ? Float64Array.from(readPowers('--init-powers', opts.initPowers, channels.batch, channels.users).data) : undefined;
  const start = performance.now();
  const powers = await teacher.solve({ channels, noise: scenario.noise, pmax: scenario.pmax, init, onProgress: opts.onProgress });
  const seconds = (performance.now() - start) / 1000;
  writeNpy(opts.out, powers, [channels.batch, channels.users]);
  return { powers, batch: channels.batch, users: channels.users, seconds };
}
