import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The real `rrm` process, signalled the way a user's Ctrl-C or a scheduler's SIGTERM reaches it. */
const bin = resolve(__dirname, '../bin/rrm.mjs');
const dir = () => mkdtempSync(join(tmpdir(), 'rrm-sig-'));

function rrm(args: string[], onLine?: (line: string, signal: (s: NodeJS.Signals) => void) => void): Promise<{ code: number | null; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sent = false;
    const onData = (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split('\n')) onLine?.(line, (s) => {
        if (!sent) child.kill(s);
        sent = true;
      });
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('exit', (code) => done({ code, err }));
  });
}

const run = (out: string, cache: string) => [
  'train', '--quiet', '--out', out,
  '--set', 'backend=cpu', '--set', 'scenario.users=4', '--set', 'data.train=1000', '--set', 'data.test=50',
  '--set', 'model.kind=mlp', '--set', 'model.hidden=[16]', '--set', 'trainer.epochs=40', '--set', 'trainer.batch=16', '--set', `cache=${cache}`,
];
const status = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));

describe('signals', () => {
  it('SIGINT stops a one-thread rrm train after the current step (exit 130, status interrupted); --resume finishes it', async () => {
    const out = join(dir(), 'run');
    const cache = dir();
    const first = await rrm([...run(out, cache).filter((a) => a !== '--quiet')], (line, signal) => {
      if (/^epoch\s+2\//.test(line)) signal('SIGINT');
    });
    expect(first.code, first.err).toBe(130);
    expect(first.err).toMatch(/SIGINT: stopping after the current step/);
    const s = status(out);
    expect(s.status).toBe('interrupted');
    expect(s.epochs).toBeGreaterThanOrEqual(2);
    expect(s.epochs).toBeLessThan(40);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| status \| interrupted/);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    // A plain rerun refuses (points at --resume); --resume continues to the last epoch.
    const again = await rrm(run(out, cache));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--resume/);
    const resumed = await rrm(['train', '--quiet', '--resume', out]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(status(out)).toMatchObject({ status: 'completed', epochs: 40 });
  }, 120_000);

  it('SIGTERM does the same with exit 143', async () => {
    const out = join(dir(), 'run');
    const r = await rrm(run(out, dir()).filter((a) => a !== '--quiet'), (line, signal) => {
      if (/^epoch\s+1\//.test(line)) signal('SIGTERM');
    });
    expect(r.code, r.err).toBe(143);
    expect(status(out).status).toBe('interrupted');
  }, 120_000);

  it('two rrm train into one folder at once: the second fails at once naming the holder, the first finishes', async () => {
    const out = join(dir(), 'run');
    const cache = dir();
    let second: Promise<{ code: number | null; err: string }> | undefined;
    const first = rrm(run(out, cache).filter((a) => a !== '--quiet'), (line) => {
      if (!second && /^epoch\s+1\//.test(line)) second = rrm(run(out, cache));
    });
    const a = await first;
    const b = await second!;
    expect(a.code, a.err).toBe(0);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/being written by pid \d+/);
    expect(status(out)).toMatchObject({ status: 'completed', epochs: 40 });
  }, 120_000);

  it('SIGINT stops rrm demo in its current arm; the report marks that arm and lists the arms not run', async () => {
    const out = join(dir(), 'demo');
    const r = await rrm(['demo', '--users', '4', '--train', '400', '--test', '50', '--epochs', '60', '--model', 'mlp', '--out', out], (line, signal) => {
      if (/^epoch\s+2\//.test(line)) signal('SIGINT');
    });
    expect(r.code, r.err).toBe(130);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| unsupervised \(interrupted at epoch \d+\)/);
    expect(report).toMatch(/\*\*Interrupted\*\*: not run: supervised \(FPLinQ labels\), AD, decreasing β \(FPLinQ\)/);
  }, 120_000);
});
