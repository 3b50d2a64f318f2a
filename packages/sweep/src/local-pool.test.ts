import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvents } from './executor';
import type { SweepJob } from './job';
import { LineTail, localPool } from './local-pool';
import { tempDir } from './testing/fixtures';

const FAKE = fileURLToPath(new URL('./testing/fake-job.mjs', import.meta.url));

function jobs(dir: string, kinds: string[]): SweepJob[] {
  return kinds.map((kind, n) => ({ id: `run${n}`, label: kind, config: {} as SweepJob['config'], out: join(dir, 'runs', `run${n}`), dir, token: 't' }));
}

function recorder() {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const failures: Record<string, { message: string; tail: readonly string[] }> = {};
  const events: ExecutorEvents = {
    started(id) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${id}`);
    },
    epoch(id, rec, epochs) {
      log.push(`epoch ${id} ${rec.epoch}/${epochs}`);
    },
    finished(id, r) {
      running--;
      log.push(`finished ${id} ${r.summary.status}`);
    },
    failed(id, message, tail) {
      running--;
      failures[id] = { message, tail };
      log.push(`failed ${id}`);
    },
    stopped(id) {
      running--;
      log.push(`stopped ${id}`);
    },
  };
  return { log, failures, events, maxRunning: () => maxRunning };
}

describe('local process pool', () => {
  it('runs each job in its own process, at most `workers` at once; a crash or an error fails one run, reported as it happens with its log tail, and the rest go on', async () => {
    const dir = tempDir();
    const r = recorder();
    await localPool({ workers: 2, jobModule: FAKE }).run(jobs(dir, ['ok', 'crash', 'throw', 'ok', 'ok']), r.events);
    expect(r.maxRunning()).toBe(2);
    expect(r.log.filter((l) => l.startsWith('finished'))).toEqual(expect.arrayContaining(['finished run0 completed', 'finished run3 completed', 'finished run4 completed']));
    expect(r.log.filter((l) => l.startsWith('failed')).sort()).toEqual(['failed run1', 'failed run2']);
    expect(r.log).toContain('epoch run0 1/2');
    // The crash: killed by a signal, with what the process printed before it.
    expect(r.failures.run1.message).toBe("the run's process was killed by SIGKILL (out of memory?) before reporting a result");
    // stdout and stderr interleave in arrival order, which the OS does not fix between two pipes.
    expect([...r.failures.run1.tail].sort()).toEqual(['fake crash on run1: line 1', 'line 2', 'logged by run1']);
    expect(r.failures.run2.message).toBe('ValidationError: trainer.lr: expected a number (run2)');
    // A failure is reported when it happens, not at the end: run1 fails before the last jobs start.
    expect(r.log.indexOf('failed run1')).toBeLessThan(r.log.indexOf('start run4'));
    // Each run's output is kept in DIR/logs/<id>.log.
    const text = readFileSync(join(dir, 'logs', 'run1.log'), 'utf8');
    expect(text).toMatch(/^=== .* crash \(run run1\) on /);
    expect(text).toContain('fake crash on run1: line 1');
    expect(text).toContain('=== exit SIGKILL');
  });

  it('a stop starts nothing new and asks the running processes to stop; they report interrupted runs', async () => {
    const dir = tempDir();
    const r = recorder();
    const controller = new AbortController();
    const done = localPool({ workers: 2, jobModule: FAKE }).run(jobs(dir, ['hang', 'hang', 'ok', 'ok']), r.events, controller.signal);
    while (r.log.filter((l) => l.startsWith('epoch')).length < 2) await new Promise((res) => setTimeout(res, 20));
    controller.abort();
    await done;
    expect(r.log.filter((l) => l.startsWith('start'))).toEqual(['start run0', 'start run1']);
    expect(r.log.filter((l) => l.startsWith('finished')).sort()).toEqual(['finished run0 interrupted', 'finished run1 interrupted']);
    expect(existsSync(join(dir, 'logs', 'run2.log'))).toBe(false);
  });

  it('each id runs once even when a sweep lists it twice', async () => {
    const dir = tempDir();
    const r = recorder();
    const js = jobs(dir, ['ok', 'ok']);
    await localPool({ workers: 2, jobModule: FAKE }).run([js[0], js[1], js[0]], r.events);
    expect(r.log.filter((l) => l.startsWith('start')).sort()).toEqual(['start run0', 'start run1']);
  });

  it('LineTail keeps the last lines across chunk boundaries', () => {
    const t = new LineTail(3);
    t.push('a\nb');
    t.push('c\nd\ne');
    expect(t.get()).toEqual(['bc', 'd', 'e']);
  });
});
