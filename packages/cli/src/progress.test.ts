import { describe, expect, it } from 'vitest';
import { Progress, formatSeconds } from './progress';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean } };
}

describe('Progress', () => {
  it('in a log (no TTY) prints whole lines with counts, rate and ETA, and the final line once', () => {
    const { lines, stream } = sink(false);
    const p = new Progress({ label: 'wmmse', total: 10, stream, intervalMs: 0 });
    for (let i = 0; i < 10; i++) p.tick();
    p.finish();
    expect(lines).toHaveLength(10);
    expect(lines[9]).toMatch(/^wmmse: 10\/10 samples \([\d.]+ samples\/s, elapsed [\d.]+s, ETA 0\.0s\)\n$/);
    expect(p.count).toBe(10);
  });

  it('on a TTY redraws in place and ends with a newline', () => {
    const { lines, stream } = sink(true);
    const p = new Progress({ label: 'x', total: 2, stream, intervalMs: 0, unit: 'steps' });
    p.tick(2);
    p.finish();
    expect(lines[0].startsWith('\r\x1b[2K')).toBe(true);
    expect(lines[0]).toContain('2/2 steps');
    expect(lines[lines.length - 1]).toBe('\n');
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatSeconds(5.25)).toBe('5.3s');
    expect(formatSeconds(125)).toBe('2m5s');
    expect(formatSeconds(7260)).toBe('2h1m');
    expect(formatSeconds(Infinity)).toBe('?');
  });
});
