/**
 * Where training stands, for anything that varies over training (β schedules, learning-rate schedules),
 * shared by every trainer (dataset pattern and RL pattern):
 * - `epoch`: 0-based index of the epoch in progress (= epochs completed); `epochs`: total epochs.
 * - `step`: 0-based index of the optimiser step in progress (= steps completed); `steps`: total steps.
 * - `fraction`: step / steps, in [0, 1).
 */
export interface TrainingProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly fraction: number;
}

export function trainingProgress(epoch: number, epochs: number, step: number, steps: number): TrainingProgress {
  return { epoch, epochs, step, steps, fraction: steps > 0 ? step / steps : 0 };
}

/** What a schedule counts in. */
export type ProgressUnit = 'epoch' | 'step';
export const PROGRESS_UNITS: readonly ProgressUnit[] = ['epoch', 'step'];

/** t (completed units), T (total units) and x = t/T clamped to [0, 1] of a schedule counted in `unit`. */
export function position(progress: TrainingProgress, unit: ProgressUnit): { t: number; total: number; x: number } {
  const t = unit === 'epoch' ? progress.epoch : progress.step;
  const total = unit === 'epoch' ? progress.epochs : progress.steps;
  return { t, total, x: total > 0 ? Math.min(Math.max(t / total, 0), 1) : 0 };
}
