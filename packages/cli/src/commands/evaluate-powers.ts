import { makeScenario, sumRates, summarize, type RateUnit, type Summary } from '@rrm/core';
import { readChannelFile, readPowerFile, type ChannelFileOptions } from '../channel-files';

export interface EvalOptions {
  readonly input: ChannelFileOptions;
  readonly powers: string;
  readonly noise: number;
  readonly pmax: number;
  readonly unit?: RateUnit;
}

export interface EvalResult extends Summary {
  readonly unit: RateUnit;
  readonly users: number;
}

/** Mean weighted sum rate of given powers on given channels, with std and a 95 % CI over samples. */
export function evaluatePowers(opts: EvalOptions): EvalResult {
  const channels = readChannelFile(opts.input);
  const scenario = makeScenario({ users: channels.users, noise: opts.noise, pmax: opts.pmax });
  const powers = readPowerFile(opts.powers, channels, scenario.pmax);
  const unit = opts.unit ?? 'bits';
  const rates = sumRates(channels, powers, { noise: scenario.noise, unit });
  return { ...summarize(rates), unit, users: channels.users };
}
