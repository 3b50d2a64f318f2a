import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, makeChannelBatch, meanSumRate, readNpy, writeNpy } from '@rrm/core';
import { program } from './main';
import { builtinRegistry } from '@rrm/pipeline';
import { main } from './main';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const registry = builtinRegistry();
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(args, registry);
    return { code, out, err };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}

const dir = () => mkdtempSync(join(tmpdir(), 'rrm-cli-'));

describe('rrm generate / teach / eval', () => {
  it('runs the data pipeline end to end and WMMSE beats full power', async () => {
    const d = dir();
    const g = join(d, 'g.npy');
    expect((await run(['generate', '--channel', 'rayleigh', '--users', '5', '--samples', '200', '--seed', '3', '--out', g, '--weights-out', join(d, 'w.npy')])).code).toBe(0);
    const arr = readNpy(g);
    expect(arr.shape).toEqual([200, 5, 5]);
    expect(readNpy(join(d, 'w.npy')).shape).toEqual([200, 5]);
    for (const teacher of ['wmmse', 'full']) {
      const r = await run(['teach', '--teacher', teacher, '--channels', g, '--out', join(d, `${teacher}.npy`)]);
      expect(r.code, r.err).toBe(0);
    }
    const w = JSON.parse((await run(['eval', '--channels', g, '--powers', join(d, 'wmmse.npy'), '--json'])).out);
    const f = JSON.parse((await run(['eval', '--channels', g, '--powers', join(d, 'full.npy'), '--json'])).out);
    expect(w.samples).toBe(200);
    expect(w.mean).toBeGreaterThan(f.mean);
    expect(w.ci95[0]).toBeLessThan(w.mean);
    // Independent check of eval: the Float64 objective on the same arrays.
    const ch = makeChannelBatch(arr.data, arr.shape);
    expect(w.mean).toBeCloseTo(meanSumRate(ch, readNpy(join(d, 'wmmse.npy')).data, { noise: 1 }), 10);
    const nats = JSON.parse((await run(['eval', '--channels', g, '--powers', join(d, 'wmmse.npy'), '--json', '--nats'])).out);
    expect(nats.mean / w.mean).toBeCloseTo(Math.LN2, 10);
  });

  it('the same seed gives the same file; teacher options pass through', async () => {
    const d = dir();
    await run(['generate', '--channel', 'rayleigh', '--users', '3', '--samples', '10', '--seed', '9', '--out', join(d, 'a.npy')]);
    await run(['generate', '--channel', 'rayleigh', '--users', '3', '--samples', '10', '--seed', '9', '--out', join(d, 'b.npy')]);
    expect(readNpy(join(d, 'a.npy')).data).toEqual(readNpy(join(d, 'b.npy')).data);
    const r = await run(['teach', '--teacher', 'wmmse', '--iterations', '5', '--channels', join(d, 'a.npy'), '--out', join(d, 'p.npy')]);
    expect(r.code, r.err).toBe(0);
  });

  it('converts tx-rx amplitude files at the boundary', async () => {
    const d = dir();
    // One sample, K = 2, given as amplitudes with the transmitter on the row.
    const txrxAmp = new Float64Array([1, 0.5, 0.2, 2]); // |h_11|, |h_12→ rx2|, |h_21→ rx1|, |h_22|
    writeFileSync(join(d, 'amp.npy'), encodeNpy(txrxAmp, [1, 2, 2]));
    writeNpy(join(d, 'p.npy'), new Float64Array([1, 1]), [1, 2]);
    const r = JSON.parse((await run(['eval', '--channels', join(d, 'amp.npy'), '--layout', 'tx-rx', '--gain', 'amplitude', '--powers', join(d, 'p.npy'), '--json'])).out);
    const sinr1 = 1 / (0.2 ** 2 + 1); // receiver 1 hears transmitter 2 through |h_21| = 0.2
    const sinr2 = 4 / (0.5 ** 2 + 1);
    expect(r.mean).toBeCloseTo(Math.log2(1 + sinr1) + Math.log2(1 + sinr2), 10);
  });
});

describe('bad input', () => {
  it('exits non-zero naming the problem and leaves no output file', async () => {
    const d = dir();
    const g = join(d, 'g.npy');
    await run(['generate', '--channel', 'rayleigh', '--users', '3', '--samples', '4', '--out', g]);
    const nan = join(d, 'nan.npy');
    writeFileSync(nan, encodeNpy(new Float64Array([1, NaN, 0, 1]), [1, 2, 2]));
    const neg = join(d, 'neg.npy');
    writeFileSync(neg, encodeNpy(new Float64Array([1, -1, 0, 1]), [1, 2, 2]));
    const rect = join(d, 'rect.npy');
    writeFileSync(rect, encodeNpy(new Float64Array(6), [1, 2, 3]));
    const out = join(d, 'out.npy');
    const cases: [string[], RegExp][] = [
      [['teach', '--teacher', 'wmmse', '--channels', join(d, 'missing.npy'), '--out', out], /missing\.npy: file not found/],
      [['teach', '--teacher', 'wmmse', '--channels', nan, '--out', out], /\[0\]\[0\]\[1\].*NaN/],
      [['teach', '--teacher', 'wmmse', '--channels', neg, '--out', out], /non-negative/],
      [['teach', '--teacher', 'wmmse', '--channels', rect, '--out', out], /\[B, K, K\]/],
      [['teach', '--teacher', 'nope', '--channels', g, '--out', out], /teacher\.kind: expected a registered teacher \(.*wmmse.*\), got "nope"/],
      [['teach', '--teacher', 'wmmse', '--channels', g, '--pmax', '0', '--out', out], /--pmax: expected a finite number > 0/],
      [['teach', '--teacher', 'wmmse', '--channels', g, '--layout', 'cols', '--out', out], /layout: expected one of/],
      [['generate', '--channel', 'nope', '--users', '3', '--samples', '4', '--out', out], /channel\.kind: expected a registered channel/],
      [['generate', '--channel', 'rayleigh', '--users', '0', '--samples', '4', '--out', out], /--users: expected an integer >= 1/],
      [['eval', '--channels', g, '--powers', join(d, 'missing.npy')], /file not found/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(pattern);
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(d).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('rejects powers outside [0, p_max] and mismatched shapes', async () => {
    const d = dir();
    const g = join(d, 'g.npy');
    await run(['generate', '--channel', 'rayleigh', '--users', '2', '--samples', '2', '--out', g]);
    writeNpy(join(d, 'p.npy'), new Float64Array([1, 2, 0, 0]), [2, 2]);
    writeNpy(join(d, 'q.npy'), new Float64Array([1, 1, 1]), [3]);
    expect((await run(['eval', '--channels', g, '--powers', join(d, 'p.npy')])).err).toMatch(/\[0\]\[1\]: expected a power in \[0, 1\]/);
    expect((await run(['eval', '--channels', g, '--powers', join(d, 'q.npy')])).err).toMatch(/shape \[2, 2\]/);
  });

  it('checks shapes exactly, amplitudes, init powers and flag values, naming the flag', async () => {
    const d = dir();
    const g = join(d, 'g.npy');
    await run(['generate', '--channel', 'rayleigh', '--users', '3', '--samples', '2', '--out', g]);
    writeNpy(join(d, 'pT.npy'), new Float64Array(6).fill(0.5), [3, 2]); // transposed [K, B]
    writeNpy(join(d, 'w.npy'), new Float64Array(6).fill(1), [3, 2]);
    writeNpy(join(d, 'p.npy'), new Float64Array(6).fill(0.5), [2, 3]);
    writeFileSync(join(d, 'negamp.npy'), encodeNpy(new Float64Array([1, -0.3, 0.2, 1]), [1, 2, 2]));
    const out = join(d, 'out.npy');
    const cases: [string[], RegExp][] = [
      [['eval', '--channels', g, '--powers', join(d, 'pT.npy')], /--powers .*expected shape \[2, 3\].*got "shape \[3, 2\]"/],
      [['eval', '--channels', g, '--powers', join(d, 'p.npy'), '--weights', join(d, 'w.npy')], /--weights .*expected shape \[2, 3\] or \[3\]/],
      [['teach', '--teacher', 'wmmse', '--channels', join(d, 'negamp.npy'), '--gain', 'amplitude', '--out', out], /gains\[0\]\[0\]\[1\]: expected a finite, non-negative amplitude/],
      [['teach', '--teacher', 'wmmse', '--init', 'given', '--channels', g, '--out', out], /--init-powers: expected a \.npy of starting powers/],
      [['teach', '--teacher', 'wmmse', '--init-powers', join(d, 'p.npy'), '--channels', g, '--out', out], /--init-powers: expected to be used with --init given/],
      [['teach', '--teacher', 'wmmse', '--init', 'given', '--init-powers', join(d, 'pT.npy'), '--channels', g, '--out', out], /--init-powers .*shape \[2, 3\]/],
      [['teach', '--teacher', 'wmmse', '--noise', '-1', '--channels', g, '--out', out], /--noise: expected a finite number > 0/],
      [['teachers', '--samples', '-5'], /--samples: expected an integer >= 1/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(pattern);
      expect(r.out, args.join(' ')).toBe('');
    }
    expect(existsSync(out)).toBe(false);
    const given = await run(['teach', '--teacher', 'wmmse', '--init', 'given', '--iterations', '0', '--init-powers', join(d, 'p.npy'), '--channels', g, '--out', out]);
    expect(given.code, given.err).toBe(0);
    expect([...readNpy(out).data]).toEqual(new Array(6).fill(0.5)); // 0 iterations return the given start
  });

  it('lists plugins by kind', async () => {
    const r = await run(['plugins', '--json']);
    const kinds = JSON.parse(r.out);
    expect(kinds.teacher.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['wmmse', 'fplinq', 'full', 'random', 'binary']));
    expect(kinds.channel.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['rayleigh', 'rician', 'd2d']));
  });
});

describe('program', () => {
  it('prints help without running anything', async () => {
    let out = '';
    const p = program(builtinRegistry(), { out: (s) => (out += s), err: (s) => (out += s) });
    await expect(p.parseAsync(['teach', '--help'], { from: 'user' })).rejects.toThrow();
    expect(out).toContain('--teacher');
  });
});

describe('rrm train from a YAML config', () => {
  it('loads plugins relative to the config file, applies --set overrides and writes the run folder', async () => {
    const d = dir();
    const examples = new URL('../../../examples/plugins/', import.meta.url).pathname;
    const { mkdirSync } = await import('node:fs');
    const { relative } = await import('node:path');
    mkdirSync(join(d, 'conf'));
    writeFileSync(
      join(d, 'conf', 'run.yaml'),
      [
        `plugins: [${relative(join(d, 'conf'), join(examples, 'sqrt-decay-beta.ts'))}]`,
        'backend: cpu',
        'scenario: { users: 4 }',
        'data: { train: 64, test: 32 }',
        'model: { kind: mlp, hidden: [8] }',
        'teacher: { kind: wmmse, iterations: 10 }',
        'trainer: { kind: unsupervised, epochs: 5, batch: 32, optimizer: { kind: adam, lr: 0.01 } }',
        'distill: { beta: { kind: sqrt-decay, beta0: 2 } }',
        `cache: ${join(d, 'cache')}`,
      ].join('\n'),
    );
    const out = join(d, 'run');
    const r = await run(['train', '--config', join(d, 'conf', 'run.yaml'), '--set', 'trainer.epochs=2', '--out', out, '--quiet']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.epochs).toBe(2);
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // sqrt-decay with β0 = 2: β = 2/√(1+t), t = completed epochs.
    expect(rows[1].beta).toBeCloseTo(2, 10);
    expect(rows[2].beta).toBeCloseTo(2 / Math.SQRT2, 10);
    const bad = await run(['train', '--config', join(d, 'conf', 'run.yaml'), '--set', 'trainer.optimizer.lr=-1', '--out', join(d, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/trainer\.optimizer\.lr: expected a finite number > 0/);
    expect(existsSync(join(d, 'bad'))).toBe(false);
  });
});
