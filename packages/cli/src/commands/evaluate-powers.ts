import { makeScenario, sumRates, summarize, type RateUnit, type Summary } from '@rrm/core';
import { openChannelFile, readPowerFile, type ChannelFileOptions } from '../channel-files';
import { channelHostBytes, chunkRanges, planChunks, resolveMemoryBudget } from '../memory-budget';

export interface EvalOptions {
  readonly input: ChannelFileOptions;
  readonly powers: string;
  readonly noise: number;
  readonly pmax: number;
  readonly unit?: RateUnit;
  /** Memory budget in bytes or as '512M' (default RRM_MEMORY_BUDGET, else a share of the machine's memory). */
  readonly memoryBudget?: string | number;
}

export interface EvalResult extends Summary {
  readonly unit: RateUnit;
  readonly users: number;
}

/** Mean weighted sum rate of given powers on given channels, with std and a 95 % CI over samples (channels read in chunks). */
export function evaluatePowers(opts: EvalOptions): EvalResult {
  const source = openChannelFile(opts.input);
  try {
    const { batch, users } = source;
    const scenario = makeScenario({ users, noise: opts.noise, pmax: opts.pmax });
    const powers = readPowerFile(opts.powers, { batch, users }, scenario.pmax);
    const unit = opts.unit ?? 'bits';
    const plan = planChunks({ what: `sum rates at K = ${users}`, batch, budget: resolveMemoryBudget(opts.memoryBudget), hostBytesPerSample: channelHostBytes(users, source.fileWidth, 1) });
    const rates = new Float64Array(batch);
    for (const [a, b] of chunkRanges(batch, plan.samples)) {
      rates.set(sumRates(source.read(a, b), powers.subarray(a * users, b * users), { noise: scenario.noise, unit }), a);
    }
    return { ...summarize(rates), unit, users };
  } finally {
    source.close();
  }
}
