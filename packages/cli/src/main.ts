import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { GainKind, Layout, Registry } from '@rrm/core';
import type { ChannelFileOptions } from './channel-files';
import type { PipelineConfig } from '@rrm/pipeline';
// Loads no @rrm package at import time (its actions import @rrm/sweep).
import { registerSweepCommands } from './commands/sweep';
import { registerReproduceCommand } from './commands/reproduce';
// Terminal output belongs to the CLI (a plain module: no tfjs).
import { formatSeconds } from './progress';
import { Interrupted, interruptOn } from './interrupt';

export { Interrupted };

/*
 * Lazy modules: every @rrm package loads TensorFlow.js (with the plugins ≈ 1 s), so nothing that imports one
 * is imported statically here. The bindings below are filled by loadCommandModules(), which commander's
 * preAction hook runs before any command's action; `rrm --help` and `rrm --version` never load them.
 * A new value import from an @rrm package or a command module goes in this list (declaration and loader).
 */
let { NpyError, ValidationError, requireInteger } = {} as typeof import('@rrm/core');
let { builtinRegistry, RunFolder, checkConfig, defaultRunName, readConfigFile, resolveConfig, runTraining } = {} as typeof import('@rrm/pipeline');
let { generate } = {} as typeof import('./commands/generate');
let { teach } = {} as typeof import('./commands/teach');
let { evaluatePowers } = {} as typeof import('./commands/evaluate-powers');
let { formatPlugins, listPlugins } = {} as typeof import('./commands/plugins');
let { teachersDemo } = {} as typeof import('./commands/teachers-demo');
let { distillDemo } = {} as typeof import('./commands/distill-demo');
let { progressView } = {} as typeof import('./progress-view');
let { compareRuns } = {} as typeof import('./commands/compare');
let { integerOption, parseSets, pluginOptions, positiveOption } = {} as typeof import('./options');
let { evaluateRun, predictRun } = {} as typeof import('./pipeline/evaluate-run');

let modulesLoaded = false;

async function loadCommandModules(): Promise<void> {
  if (modulesLoaded) return;
  ({ NpyError, ValidationError, requireInteger } = await import('@rrm/core'));
  ({ builtinRegistry, RunFolder, checkConfig, defaultRunName, readConfigFile, resolveConfig, runTraining } = await import('@rrm/pipeline'));
  ({ generate } = await import('./commands/generate'));
  ({ teach } = await import('./commands/teach'));
  ({ evaluatePowers } = await import('./commands/evaluate-powers'));
  ({ formatPlugins, listPlugins } = await import('./commands/plugins'));
  ({ teachersDemo } = await import('./commands/teachers-demo'));
  ({ distillDemo } = await import('./commands/distill-demo'));
  ({ progressView } = await import('./progress-view'));
  ({ compareRuns } = await import('./commands/compare'));
  ({ integerOption, parseSets, pluginOptions, positiveOption } = await import('./options'));
  ({ evaluateRun, predictRun } = await import('./pipeline/evaluate-run'));
  modulesLoaded = true;
}

/** The CLI package's version (for `rrm --version`), read without loading anything else. */
function cliVersion(): string {
  try {
    return String(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

const STOP_TRAINING = 'stopping after the current step; finished epochs are kept (continue with rrm train --resume)';

const MEMORY_HELP = 'memory for one chunk of samples, e.g. 512M or 2G (default $RRM_MEMORY_BUDGET, else 512M or 1/8 of RAM if less)';

const FORMAT_HELP = {
  layout: "channel layout: 'rx-tx' (row = receiver, default) or 'tx-rx' (row = transmitter)",
  gain: "channel entries: 'power' (|h|², default) or 'amplitude' (|h|, squared on read)",
};

function conversionOptions(cmd: Command, opts: { pmax: boolean } = { pmax: true }): Command {
  cmd
    .option('--layout <layout>', FORMAT_HELP.layout, 'rx-tx')
    .option('--gain <gain>', FORMAT_HELP.gain, 'power')
    .option('--noise <sigma2>', 'noise power σ² (linear, same units as gain × power; default 1, or the run config)')
    .option('--weights <file>', 'link weights λ, .npy of shape [B, K] or [K] (default all ones)');
  // A trained model's p_max is part of the model (its output scale): evaluate/predict take it from the run.
  if (opts.pmax) cmd.option('--pmax <p>', 'per-link power budget (default 1)');
  return cmd;
}

/** Builds the `rrm` program. `out` and `err` are injectable so tests can run commands in-process. */
export function program(registryOrFactory: Registry | (() => Registry), io: { out: (s: string) => void; err: (s: string) => void }): Command {
  // Set by the preAction hook: the registry (plugins, TensorFlow.js) is built only when a command runs.
  let registry!: Registry;
  const prog = new Command('rrm')
    .description('Learning radio resource management: channels, classical teachers, distilled policies')
    .version(cliVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError()
    .hook('preAction', async () => {
      await loadCommandModules();
      registry ??= typeof registryOrFactory === 'function' ? registryOrFactory() : registryOrFactory;
    });

  prog
    .command('generate')
    .description('draw a seeded channel data set and write it as .npy ([B, K, K], rx-tx power gains)')
    .requiredOption('--channel <kind>', 'channel model (see `rrm plugins`), e.g. rayleigh, rician, d2d')
    .requiredOption('--users <K>', 'links per sample')
    .requiredOption('--samples <B>', 'number of samples')
    .option('--seed <S>', 'random seed', '0')
    .requiredOption('--out <file>', 'output gains .npy')
    .option('--weights-out <file>', 'also write the link weights [B, K]')
    .option('--dtype <dtype>', 'float64 (default) or float32', 'float64')
    .option('--memory-budget <size>', MEMORY_HELP)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', 'show help; other --name value pairs are passed to the channel model (e.g. --variance 2, --k-factor 3)')
    .action((o, cmd: Command) => {
      const channel = { kind: o.channel as string, ...pluginOptions(cmd.args) };
      const progress = progressView();
      const r = generate({
        registry,
        channel,
        users: integerOption('--users', o.users),
        samples: integerOption('--samples', o.samples),
        seed: integerOption('--seed', o.seed),
        out: o.out,
        weightsOut: o.weightsOut,
        dtype: o.dtype,
        memoryBudget: o.memoryBudget,
        onProgress: (done, total) => progress(`generate ${channel.kind}`, done, total),
      });
      io.err(`generated ${r.batch} samples of ${channel.kind} at K=${r.users} in ${formatSeconds(r.seconds)} (${r.chunks} chunk${r.chunks > 1 ? 's' : ''}) -> ${o.out}\n`);
    });

  conversionOptions(
    prog
      .command('teach')
      .description('run a teacher or baseline on a channel file and write powers [B, K] as .npy')
      .requiredOption('--teacher <kind>', 'wmmse, fplinq, full, random, binary or a plugin teacher')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .requiredOption('--out <file>', 'output powers .npy')
      .option('--init-powers <file>', "starting powers [B, K] for --init given")
      .option('--memory-budget <size>', MEMORY_HELP),
  )
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', 'show help; other --name value pairs are teacher options (e.g. --iterations 50 --restarts 10 --init random --seed 1)')
    .action(async (o, cmd: Command) => {
      const spec = { kind: o.teacher as string, ...pluginOptions(cmd.args) };
      const progress = progressView();
      const r = await teach({
        registry,
        teacher: spec,
        input: channelInput(o),
        noise: positiveOption('--noise', o.noise),
        pmax: positiveOption('--pmax', o.pmax),
        initPowers: o.initPowers,
        out: o.out,
        memoryBudget: o.memoryBudget,
        onProgress: (done, total) => progress(spec.kind, done, total),
        warn: (m) => io.err(`rrm: warning: ${m}\n`),
      });
      io.err(`${spec.kind}: ${r.batch} samples at K=${r.users} in ${formatSeconds(r.seconds)} (${(r.batch / r.seconds).toFixed(0)} samples/s) -> ${o.out}\n`);
    });

  conversionOptions(
    prog
      .command('eval')
      .description('mean weighted sum rate of given powers on given channels')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .requiredOption('--powers <file>', 'powers .npy [B, K]')
      .option('--nats', 'rates in nats instead of bit/s/Hz')
      .option('--json', 'print one JSON object'),
  ).action((o) => {
    const r = evaluatePowers({
      input: channelInput(o),
      powers: o.powers,
      noise: positiveOption('--noise', o.noise),
      pmax: positiveOption('--pmax', o.pmax),
      unit: o.nats ? 'nats' : 'bits',
    });
    const unit = r.unit === 'nats' ? 'nats/s/Hz' : 'bit/s/Hz';
    if (o.json) io.out(JSON.stringify(r) + '\n');
    else io.out(`mean weighted sum rate ${r.mean.toFixed(4)} ${unit} (std ${r.std.toFixed(4)}, 95% CI [${r.ci95[0].toFixed(4)}, ${r.ci95[1].toFixed(4)}], ${r.samples} samples, K=${r.users})\n`);
  });

  prog
    .command('train')
    .description('train a model from a pipeline config (JSON or YAML) and/or dotted --set overrides')
    .option('--config <file>', 'pipeline config (.json, .yaml)')
    .option('--set <key=value>', 'override a config key, e.g. --set trainer.epochs=50 (repeatable)', collect, [])
    .option('--out <dir>', 'run folder (default runs/<model>-<trainer>-k<K>-s<seed>-<config hash>)')
    .option('--resume <run>', 'continue an interrupted or killed run from its last finished epoch, with its own config')
    .option('--force', 'replace the run folder even if it holds another config or a finished run')
    .option('--backend <name>', 'tensor backend: wasm (default), cpu, tensorflow, webgpu (same as --set backend=<name>)')
    .option('--quiet', 'no per-epoch progress')
    .action(async (o) => {
      let config: PipelineConfig;
      if (o.resume) {
        if (o.config || o.set.length || o.out) throw new ValidationError('--resume', 'no --config, --set or --out (a resumed run keeps its own config and folder)', o.resume);
        config = checkConfig(RunFolder.readConfig(o.resume));
      } else {
        const sets = parseSets(o.set);
        if (o.backend) sets.push(['backend', o.backend]);
        config = resolveConfig(o.config ? readConfigFile(o.config) : undefined, sets);
      }
      const out = o.resume ?? o.out ?? defaultRunName(config);
      const stop = interruptOn(io, STOP_TRAINING);
      try {
        const { summary } = await runTraining(config, {
          out,
          signal: stop.signal,
          resume: Boolean(o.resume),
          force: o.force,
          log: o.quiet ? undefined : (l) => io.err(l + '\n'),
          onProgress: o.quiet ? undefined : progressView(),
        });
        io.out(JSON.stringify(summary, null, 2) + '\n');
        io.err(`run folder: ${out}\n`);
        if (summary.status === 'interrupted') throw new Interrupted(stop.code);
      } finally {
        stop.dispose();
      }
    });

  conversionOptions(
    prog
      .command('evaluate')
      .description("a trained run's model on any channel file: sum rate, % of WMMSE-100, inference time")
      .requiredOption('--run <dir>', 'run folder written by rrm train')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .option('--backend <name>', 'tensor backend (default: the run config)')
      .option('--nats', 'rates in nats instead of bit/s/Hz')
      .option('--memory-budget <size>', MEMORY_HELP)
      .option('--json', 'print one JSON object'),
    { pmax: false },
  ).action(async (o) => {
    const progress = progressView();
    const r = await evaluateRun({
      registry,
      run: o.run,
      input: channelInput(o),
      noise: o.noise === undefined ? undefined : positiveOption('--noise', o.noise),
      backend: o.backend,
      unit: o.nats ? 'nats' : 'bits',
      memoryBudget: o.memoryBudget,
      onProgress: (done, total) => progress('evaluate (model + WMMSE reference)', done, total),
      warn: (m) => io.err(`rrm: warning: ${m}\n`),
    });
    const unit = r.unit === 'nats' ? 'nats/s/Hz' : 'bit/s/Hz';
    if (o.json) io.out(JSON.stringify(r) + '\n');
    else io.out(`model ${r.mean.toFixed(4)} ${unit}, WMMSE ${r.wmmse.toFixed(4)} (${(100 * r.ratio).toFixed(1)} %), ${r.msPerSample.toFixed(4)} ms/sample, ${r.samples} samples at K=${r.users}\n`);
  });

  conversionOptions(
    prog
      .command('predict')
      .description("write a trained run's powers [B, K] for a channel file")
      .requiredOption('--run <dir>', 'run folder written by rrm train')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .requiredOption('--out <file>', 'output powers .npy')
      .option('--backend <name>', 'tensor backend (default: the run config)')
      .option('--memory-budget <size>', MEMORY_HELP),
    { pmax: false },
  ).action(async (o) => {
    const progress = progressView();
    const r = await predictRun({
      registry,
      run: o.run,
      input: channelInput(o),
      noise: o.noise === undefined ? undefined : positiveOption('--noise', o.noise),
      backend: o.backend,
      out: o.out,
      memoryBudget: o.memoryBudget,
      onProgress: (done, total) => progress('predict', done, total),
      warn: (m) => io.err(`rrm: warning: ${m}\n`),
    });
    io.err(`${r.batch} samples at K=${r.users}, ${r.msPerSample.toFixed(4)} ms/sample -> ${o.out}\n`);
  });

  prog
    .command('compare')
    .description('overlay the convergence curves of several run folders (SVG + Markdown table)')
    .requiredOption('--runs <dirs...>', 'run folders written by rrm train')
    .requiredOption('--out <file.svg>', 'output plot; its Vega-Lite spec (.vl.json) and the table (.md) go beside it')
    .option('--title <text>', 'plot title')
    .action(async (o) => {
      const rows = await compareRuns({ runs: o.runs, out: o.out, title: o.title, warn: (m) => io.err(`rrm: warning: ${m}\n`) });
      for (const r of rows) io.out(`${r.run}: final ${r.final.toFixed(4)} bit/s/Hz (${r.pctWmmse?.toFixed(1) ?? 'n/a'} % of its WMMSE ${r.wmmse?.toFixed(4) ?? 'n/a'}), 95 % of final at ${r.xTo95 ?? 'n/a'}\n`);
    });

  prog
    .command('plugins')
    .description('list every registered plugin by kind')
    .option('--json', 'print JSON')
    .action((o) => io.out((o.json ? JSON.stringify(listPlugins(registry)) : formatPlugins(registry)) + '\n'));

  prog
    .command('demo')
    .description('the main job (npm start): a GNN at K = 10 trained unsupervised, supervised and with AD; a table and a report')
    .option('--users <K>', 'links', '10')
    .option('--train <N>', 'training samples', '2000')
    .option('--test <N>', 'test samples', '500')
    .option('--epochs <E>', 'epochs', '20')
    .option('--model <kind>', 'model plugin', 'gnn')
    .option('--seed <S>', 'random seed', '0')
    .option('--out <dir>', 'report folder', 'runs/demo')
    .action(async (o) => {
      const stop = interruptOn(io, STOP_TRAINING);
      try {
        await distillDemo({
          registry,
          out: o.out,
          users: integerOption('--users', o.users),
          train: integerOption('--train', o.train),
          test: integerOption('--test', o.test),
          epochs: integerOption('--epochs', o.epochs),
          seed: integerOption('--seed', o.seed),
          model: o.model,
          signal: stop.signal,
          log: (l) => io.out(l + '\n'),
        });
        if (stop.signal.aborted) throw new Interrupted(stop.code);
      } finally {
        stop.dispose();
      }
    });

  prog
    .command('teachers')
    .description('teachers and baselines on the Gaussian interference channel: mean sum rate and time')
    .option('--users <list>', 'comma-separated K values', '10,20')
    .option('--samples <B>', 'samples per K', '1000')
    .option('--seed <S>', 'random seed', '0')
    .action(async (o) => {
      const users = String(o.users).split(',').map((u, n) => requireInteger(`--users[${n}]`, integerOption(`--users[${n}]`, u), 1));
      const samples = requireInteger('--samples', integerOption('--samples', o.samples), 1);
      io.out(`Gaussian interference channel, h ~ CN(0,1), σ² = 1, p_max = 1, ${o.samples} samples per K (seed ${o.seed})\n`);
      io.out(`  K     teacher                      mean sum rate      % of WMMSE   time\n`);
      await teachersDemo({ registry, users, samples, seed: integerOption('--seed', o.seed), log: (l) => io.out(l + '\n') });
    });

  registerSweepCommands(prog, io);
  registerReproduceCommand(prog, io);
  return prog;
}

/** The channel-file flags every reading command shares (see conversionOptions). */
function channelInput(o: { channels: string; layout: Layout; gain: GainKind; weights?: string }): ChannelFileOptions {
  return { channels: o.channels, layout: o.layout, gain: o.gain, weights: o.weights };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI; returns the exit code (0 ok, 1 internal error, 2 bad input). */
export async function main(argv: readonly string[], registry: Registry | (() => Registry) = () => builtinRegistry()): Promise<number> {
  const io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  try {
    await program(registry, io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof Interrupted) return err.code;
    await loadCommandModules(); // the error classes are core's (loaded already when a command ran)
    if (err instanceof ValidationError || err instanceof NpyError) {
      io.err(`rrm: ${err.message}\n`);
      return 2;
    }
    io.err(`rrm: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
