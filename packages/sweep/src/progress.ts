/**
 * The state a sweep shows while it runs: runs done / running / failed / total, each running run's epoch,
 * and an ETA from the runs finished so far (or, before the first, from the running runs' epoch rates).
 */
export interface RunningRun {
  readonly id: string;
  readonly label: string;
  readonly since: number;
  epoch?: number;
  epochs?: number;
  host?: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export class SweepProgress {
  done = 0;
  failed = 0;
  interrupted = 0;
  readonly running = new Map<string, RunningRun>();
  private readonly durations: number[] = [];
  private maxParallel = 1;

  /** `total` distinct runs, `already` of them finished before this sweep started. */
  constructor(
    readonly total: number,
    already: number,
    private readonly parallel: number | undefined,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    this.done = already;
  }

  start(id: string, label: string, host?: string): void {
    const prev = this.running.get(id);
    this.running.set(id, { id, label, since: prev?.since ?? this.now(), host });
    this.maxParallel = Math.max(this.maxParallel, this.running.size);
  }

  epoch(id: string, epoch: number, epochs: number | undefined): void {
    const r = this.running.get(id);
    if (r) {
      r.epoch = epoch;
      r.epochs = epochs;
    }
  }

  finish(id: string, outcome: 'done' | 'failed' | 'interrupted', timed = true): void {
    const r = this.running.get(id);
    this.running.delete(id);
    if (outcome === 'done') {
      this.done++;
      if (r && timed) this.durations.push(this.now() - r.since);
    } else if (outcome === 'failed') this.failed++;
    else this.interrupted++;
  }

  /** Seconds left, or undefined before anything can be estimated. */
  eta(): number | undefined {
    const t = this.now();
    const fraction = (r: RunningRun) => (r.epochs && r.epoch !== undefined ? Math.min(1, r.epoch / r.epochs) : 0);
    let perRun: number | undefined;
    if (this.durations.length) perRun = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    else {
      const rates = [...this.running.values()].filter((r) => fraction(r) > 0).map((r) => (t - r.since) / fraction(r));
      if (rates.length) perRun = rates.reduce((a, b) => a + b, 0) / rates.length;
    }
    if (perRun === undefined) return undefined;
    const queued = Math.max(0, this.total - this.done - this.failed - this.interrupted - this.running.size);
    const work = queued + [...this.running.values()].reduce((a, r) => a + (1 - fraction(r)), 0);
    const parallel = Math.max(1, Math.min(this.parallel ?? this.maxParallel, queued + this.running.size));
    return (work * perRun) / parallel;
  }

  line(): string {
    const eta = this.eta();
    const parts = [`runs ${this.done}/${this.total} done`, `${this.running.size} running`, `${this.failed} failed`];
    if (this.interrupted) parts.push(`${this.interrupted} interrupted`);
    parts.push(`ETA ${eta === undefined ? '?' : formatDuration(eta)}`);
    const runs = [...this.running.values()].map((r) => `${r.id.slice(0, 6)} ${r.epoch === undefined ? 'starting' : `epoch ${r.epoch}${r.epochs ? `/${r.epochs}` : ''}`}`);
    return parts.join(' · ') + (runs.length ? ` | ${runs.join(', ')}` : '');
  }
}
