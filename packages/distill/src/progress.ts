/**
 * Where training stands. Structurally identical to `TrainingProgress` of @rrm/trainers-unsup (this
 * package does not depend on any trainer; TypeScript's structural typing makes the two interchangeable):
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

export type ProgressUnit = 'epoch' | 'step';
export const PROGRESS_UNITS: readonly ProgressUnit[] = ['epoch', 'step'];

/** t (completed units) and T (total units) of a schedule counted in `unit`. */
export function position(progress: TrainingProgress, unit: ProgressUnit): { t: number; total: number; x: number } {
  const t = unit === 'epoch' ? progress.epoch : progress.step;
  const total = unit === 'epoch' ? progress.epochs : progress.steps;
  return { t, total, x: total > 0 ? Math.min(Math.max(t / total, 0), 1) : 0 };
}
