/**
 * Statistics over seeds. With 3–5 seeds a normal-approximation interval is far too narrow, so the 95 %
 * confidence interval of the mean uses Student's t: mean ± t(0.975, n−1) · s / √n, s the sample standard
 * deviation (n − 1 in the denominator). n = 1 has no interval (null).
 */
export interface SeedStats {
  readonly mean: number;
  readonly std: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly n: number;
}

/** t(0.975, ν) for ν = 1…30 (two-sided 95 %). */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.13145,
  2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/** The 0.975 quantile of Student's t with ν degrees of freedom (a table to 30, a Cornish–Fisher expansion beyond: error < 1e-4). */
export function tQuantile975(nu: number): number {
  if (!(nu >= 1)) throw new Error(`t quantile: degrees of freedom must be >= 1, got ${nu}`);
  if (nu <= 30 && Number.isInteger(nu)) return T975[nu - 1];
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3);
}

export function seedStats(values: readonly number[]): SeedStats | undefined {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return undefined;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: null, ciLow: null, ciHigh: null, n };
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * std) / Math.sqrt(n);
  return { mean, std, ciLow: mean - half, ciHigh: mean + half, n };
}
