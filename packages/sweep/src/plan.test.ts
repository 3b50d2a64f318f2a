import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@rrm/core';
import { configHash, resolveConfig } from '@rrm/pipeline';
import { planSweep } from './plan';
import { gridPoints } from './sweep-file';
import { tempDir, tinySweep } from './testing/fixtures';

const write = (dir: string, text: string, name = 'sweep.yaml') => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function planError(text: string): Promise<ValidationError> {
  const dir = tempDir();
  try {
    await planSweep({ file: write(dir, text), out: join(dir, 'out') });
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('sweep plans', () => {
  it('expands named variants into their overrides as a `variant` axis (first), crossed with the grid', async () => {
    const dir = tempDir();
    const file = tinySweep(dir, {
      variants: { sup: { 'trainer.kind': 'supervised' }, 'ad-dec': { 'distill.beta.kind': 'decreasing', 'distill.beta.beta0': 2 } },
      grid: { 'scenario.users': [4, 5] },
      seeds: 1,
    });
    const plan = await planSweep({ file, out: join(dir, 'out') });
    expect(plan.runs.map((r) => r.label)).toEqual([
      'variant=sup scenario.users=4 seed=0',
      'variant=sup scenario.users=5 seed=0',
      'variant=ad-dec scenario.users=4 seed=0',
      'variant=ad-dec scenario.users=5 seed=0',
    ]);
    expect(plan.runs[1].config.trainer.kind).toBe('supervised');
    expect(plan.runs[1].config.scenario.users).toBe(5);
    expect(plan.runs[2].config.distill.beta).toMatchObject({ kind: 'decreasing', beta0: 2 });
    expect(plan.runs[2].config.trainer.kind).toBe('unsupervised');
    // A variant's bad override is reported under its name.
    const err = await planError(`name: v\nbase: { trainer: { kind: unsupervised, epochs: 1 } }\nvariants:\n  bad: { distill.beta.kind: sideways }\n`);
    expect(err.field).toBe("variants['bad']");
    expect(err.message).toMatch(/sideways/);
  });

  it('expands base × grid × seeds in grid order, one run id per resolved config', async () => {
    const dir = tempDir();
    const file = tinySweep(dir, { grid: { 'scenario.users': [4, 5], 'distill.beta.kind': ['none', 'fixed', 'decreasing'] }, seeds: [0, 7] });
    const plan = await planSweep({ file, out: join(dir, 'out') });
    expect(plan.runs).toHaveLength(12);
    expect(plan.runs.slice(0, 3).map((r) => r.label)).toEqual([
      'scenario.users=4 distill.beta.kind=none seed=0',
      'scenario.users=4 distill.beta.kind=none seed=7',
      'scenario.users=4 distill.beta.kind=fixed seed=0',
    ]);
    const r = plan.runs[3];
    expect(r.config.scenario.users).toBe(4);
    expect(r.config.distill.beta.kind).toBe('fixed');
    expect(r.config.seed).toBe(7);
    expect(r.config.trainer.epochs).toBe(2);
    expect(r.id).toBe(configHash(r.config));
    expect(r.out).toBe(join(dir, 'out', 'runs', r.id));
    expect(new Set(plan.runs.map((x) => x.id)).size).toBe(12);
    // The same sweep planned again gives the same ids (resume), as does the same config from rrm train.
    const again = await planSweep({ file, out: join(dir, 'out') });
    expect(again.runs.map((x) => x.id)).toEqual(plan.runs.map((x) => x.id));
    expect(configHash(resolveConfig(r.config as unknown as Record<string, unknown>))).toBe(r.id);
  });

  it('--set changes the base of every run (and so every id); the base may be a config file relative to the sweep file', async () => {
    const dir = tempDir();
    write(dir, 'scenario: { users: 5 }\ndata: { train: 50, test: 50 }\nmodel: { kind: mlp }\ntrainer: { kind: unsupervised, epochs: 3 }\n', 'base.yaml');
    const file = write(dir, 'name: b\nbase: base.yaml\ngrid:\n  trainer.batch: [10, 25]\nseeds: 2\n');
    const plan = await planSweep({ file, out: join(dir, 'o') });
    expect(plan.runs.map((r) => r.config.trainer.epochs)).toEqual([3, 3, 3, 3]);
    const changed = await planSweep({ file, out: join(dir, 'o'), sets: [['trainer.epochs', 1]] });
    expect(changed.runs.map((r) => r.config.trainer.epochs)).toEqual([1, 1, 1, 1]);
    expect(changed.runs[0].id).not.toBe(plan.runs[0].id);
    expect(plan.dir).toBe(join(dir, 'o'));
  });

  it('grid points that resolve to one config are one run (noted)', async () => {
    const dir = tempDir();
    // `fixed` with its default β and with β given explicitly as the default are the same config only if
    // the values are equal after resolution; two spellings of one kind are the simplest case.
    const file = tinySweep(dir, { grid: { 'distill.beta': ['none', { kind: 'none' }] }, seeds: 1 });
    const plan = await planSweep({ file, out: join(dir, 'o') });
    expect(plan.runs[0].id).toBe(plan.runs[1].id);
    expect(plan.duplicates).toEqual([['distill.beta=none seed=0', 'distill.beta={"kind":"none"} seed=0']]);
  });

  it('gridPoints is the cartesian product, first axis slowest', () => {
    expect(gridPoints([{ key: 'a', values: [1, 2] }, { key: 'b', values: ['x', 'y'] }])).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    expect(gridPoints([])).toEqual([{}]);
  });

  describe('bad input is a ValidationError naming the entry, before any run', () => {
    const base = 'name: t\nbase: { scenario: { users: 5 }, model: { kind: mlp }, trainer: { kind: unsupervised, epochs: 1 } }\nseeds: 1\n';
    it('a grid key that is not a config key', async () => {
      const e = await planError(base + 'grid:\n  scenario.userz: [5, 6]\n');
      expect(e.message).toBe(`grid['scenario.userz']: expected a config key (scenario.userz: expected one of the known options (users, noise, pmax), got "userz"), got "scenario.userz"`);
      const p = await planError(base + 'grid:\n  trainer.epochz: [1, 2]\n');
      expect(p.message).toMatch(/^grid\['trainer\.epochz'\]: expected a config key \(trainer\.epochz: expected one of the known options \(epochs, /);
    });
    it('an empty axis, or one that is not a list', async () => {
      expect((await planError(base + 'grid:\n  scenario.users: []\n')).message).toBe(
        "grid['scenario.users']: expected a non-empty list of values (an empty axis would give no runs), got an array of length 0",
      );
      expect((await planError(base + 'grid:\n  scenario.users: 5\n')).message).toBe("grid['scenario.users']: expected a list of values, got 5");
    });
    it('a value of the wrong type, or a plugin kind that does not exist', async () => {
      expect((await planError(base + 'grid:\n  scenario.users: [5, ten]\n')).message).toMatch(
        /^grid\['scenario\.users'\]\[1\]: expected a value this key accepts \(scenario\.users: expected an? [a-z ]+, got "ten"\), got "ten"$/,
      );
      expect((await planError(base + 'grid:\n  model.kind: [mlp, gnx]\n')).message).toMatch(/^grid\['model\.kind'\]\[1\]: expected a value this key accepts \(model\.kind: expected a registered model/);
    });
    it('a combination that no single value shows, the seed as an axis, --set on an axis, a bad sweep file', async () => {
      // each value alone is valid; together β options belong to another kind
      expect((await planError(base + "grid:\n  distill.beta.kind: [fixed]\n  distill.beta.beta0: [0.5]\n")).message).toMatch(/^run distill\.beta\.kind=fixed distill\.beta\.beta0=0\.5 seed=0: expected a valid config/);
      expect((await planError(base + 'grid:\n  seed: [1, 2]\n')).message).toMatch(/^grid\['seed'\]: expected no seed axis/);
      expect((await planError('name: t\ngrid: { a.b: [1] }\nseedz: 3\n')).message).toMatch(/seedz: expected one of the known options \(name, base, set, grid, variants, profiles, seeds, plots, reproduce\)/);
      expect((await planError('grid: { a: [1] }\n')).message).toMatch(/^name: expected/);
      const dir = tempDir();
      await expect(planSweep({ file: tinySweep(dir), sets: [['distill.beta.kind', 'fixed']] })).rejects.toThrow(/--set distill\.beta\.kind: expected a key that is not a grid axis/);
      await expect(planSweep({ file: join(dir, 'missing.yaml') })).rejects.toThrow(/sweep file: expected a readable YAML or JSON file/);
    });
  });
});

describe('sweep profiles', () => {
  const text = [
    'name: p',
    'base: { scenario: { users: 5 }, model: { kind: mlp, hidden: [8] }, trainer: { kind: unsupervised, epochs: 3 } }',
    'variants:',
    '  unsup: {}',
    "  ad: { distill.beta.kind: decreasing }",
    'grid: { scenario.users: [5, 6, 7] }',
    'seeds: 3',
    'profiles:',
    '  quick: { set: { trainer.epochs: 1 }, grid: { scenario.users: [5] }, variants: [ad], seeds: 1 }',
    '',
  ].join('\n');

  it('standard is the file as written; a profile adds sets, replaces axis values, keeps a subset of variants, sets seeds', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, text);
    const standard = await planSweep({ file, out: join(dir, 'o') });
    expect(standard.runs).toHaveLength(2 * 3 * 3);
    expect(standard.runs[0].config.trainer.epochs).toBe(3);
    const quick = await planSweep({ file, out: join(dir, 'o'), profile: 'quick' });
    expect(quick.runs.map((r) => r.label)).toEqual(['variant=ad scenario.users=5 seed=0']);
    expect(quick.runs[0].config.trainer.epochs).toBe(1);
    expect(quick.runs[0].config.distill.beta.kind).toBe('decreasing');
    expect(quick.file.profiles).toEqual(['quick']);
  });

  it("a profile's variants may be a mapping: those variants, with extra overrides of their own", async () => {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, text.replace('variants: [ad]', "variants: { ad: { distill.beta.beta0: 2 }, unsup: { data.train: 60 } }"));
    const quick = await planSweep({ file, out: join(dir, 'o'), profile: 'quick' });
    expect(quick.runs.map((r) => r.label)).toEqual(['variant=ad scenario.users=5 seed=0', 'variant=unsup scenario.users=5 seed=0']);
    expect(quick.runs[0].config.distill.beta).toMatchObject({ kind: 'decreasing', beta0: 2 });
    expect(quick.runs[1].config.data.train).toBe(60);
    expect(quick.runs[0].config.data.train).toBe(2000);
  });

  it('an unknown profile, or one that names a missing axis or variant, is an error naming it', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, text);
    await expect(planSweep({ file, profile: 'paper' })).rejects.toThrow(/--profile: expected one of standard, quick, got "paper"/);
    writeFileSync(file, text.replace('grid: { scenario.users: [5] }', 'grid: { scenario.noise: [1] }'));
    await expect(planSweep({ file, profile: 'quick' })).rejects.toThrow(/profiles\.quick\.grid\['scenario\.noise'\]: expected an axis of the grid/);
    writeFileSync(file, text.replace('variants: [ad]', 'variants: [sup]'));
    await expect(planSweep({ file, profile: 'quick' })).rejects.toThrow(/profiles\.quick\.variants: expected names of variants/);
  });
});
