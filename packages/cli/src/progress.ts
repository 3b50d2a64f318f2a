/**
 * A one-line progress display for long work (samples done, rate, ETA) on stderr. On a TTY it
 * redraws in place; elsewhere (CI logs) it prints at most every `intervalMs`.
 */
export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly unit?: string;
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly intervalMs?: number;
  readonly silent?: boolean;
}

export class Progress {
  private readonly start = performance.now();
  private last = 0;
  private done = 0;
  private drawn = -1;

  constructor(private readonly opts: ProgressOptions) {}

  /** Units done so far. */
  get count(): number {
    return this.done;
  }

  tick(n = 1, extra = ''): void {
    this.done += n;
    const now = performance.now();
    const interval = this.opts.intervalMs ?? (this.tty ? 100 : 5000);
    if (now - this.last >= interval || this.done >= this.opts.total) {
      this.last = now;
      this.draw(extra);
    }
  }

  finish(extra = ''): void {
    if (this.drawn !== this.done || extra) this.draw(extra);
    if (this.tty && !this.opts.silent) this.stream.write('\n');
  }

  private get stream() {
    return this.opts.stream ?? process.stderr;
  }

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  private draw(extra: string): void {
    if (this.opts.silent) return;
    this.drawn = this.done;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = this.done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.opts.total - this.done) / rate : Infinity;
    const unit = this.opts.unit ?? 'samples';
    const line =
      `${this.opts.label}: ${this.done}/${this.opts.total} ${unit} ` +
      `(${formatRate(rate)} ${unit}/s, elapsed ${formatSeconds(elapsed)}, ETA ${formatSeconds(eta)})` +
      (extra ? ` ${extra}` : '');
    this.stream.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s - 60 * m)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

function formatRate(r: number): string {
  return r >= 100 ? r.toFixed(0) : r.toPrecision(3);
}
