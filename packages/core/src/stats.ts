/** Summary statistics of a sample: mean, sample standard deviation and a normal-approximation 95 % CI. */
export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly ci95: [number, number];
  readonly samples: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const half = (1.959963984540054 * std) / Math.sqrt(n);
  return { mean, std, ci95: [mean - half, mean + half], samples: n };
}
