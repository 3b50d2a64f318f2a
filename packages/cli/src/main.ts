import { Command, CommanderError } from 'commander';
import { NpyError, Progress, ValidationError, formatSeconds, requireInteger, type GainKind, type Layout, type Registry } from '@rrm/core';
import type { ChannelFileOptions } from './channel-files';
import { builtinRegistry } from '@rrm/pipeline';
import { generate } from './commands/generate';
import { teach } from './commands/teach';
import { evaluatePowers } from './commands/evaluate-powers';
import { formatPlugins, listPlugins } from './commands/plugins';
import { teachersDemo } from './commands/teachers-demo';
import { distillDemo } from './commands/distill-demo';
import { progressView } from './progress-view';
import { compareRuns } from './commands/compare';
import { integerOption, parseSets, pluginOptions, positiveOption } from './options';
import { RunFolder, checkConfig, defaultRunName, readConfigFile, resolveConfig, runTraining, type PipelineConfig } from '@rrm/pipeline';
import { evaluateRun, predictRun } from './pipeline/evaluate-run';

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
export function program(registry: Registry, io: { out: (s: string) => void; err: (s: string) => void }): Command {
  const prog = new Command('rrm')
    .description('Learning radio resource management: channels, classical teachers, distilled policies')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

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
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', 'show help; other --name value pairs are passed to the channel model (e.g. --variance 2, --k-factor 3)')
    .action((o, cmd: Command) => {
      const channel = { kind: o.channel as string, ...pluginOptions(cmd.args) };
      const { channels, seconds } = generate({
        registry,
        channel,
        users: integerOption('--users', o.users),
        samples: integerOption('--samples', o.samples),
        seed: integerOption('--seed', o.seed),
        out: o.out,
        weightsOut: o.weightsOut,
        dtype: o.dtype,
      });
      io.err(`generated ${channels.batch} samples of ${channel.kind} at K=${channels.users} in ${formatSeconds(seconds)} -> ${o.out}\n`);
    });

  conversionOptions(
    prog
      .command('teach')
      .description('run a teacher or baseline on a channel file and write powers [B, K] as .npy')
      .requiredOption('--teacher <kind>', 'wmmse, fplinq, full, random, binary or a plugin teacher')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .requiredOption('--out <file>', 'output powers .npy')
      .option('--init-powers <file>', "starting powers [B, K] for --init given"),
  )
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', 'show help; other --name value pairs are teacher options (e.g. --iterations 50 --restarts 10 --init random --seed 1)')
    .action(async (o, cmd: Command) => {
      const spec = { kind: o.teacher as string, ...pluginOptions(cmd.args) };
      let progress: Progress | undefined;
      const r = await teach({
        registry,
        teacher: spec,
        input: channelInput(o),
        noise: positiveOption('--noise', o.noise),
        pmax: positiveOption('--pmax', o.pmax),
        initPowers: o.initPowers,
        out: o.out,
        onProgress: (done, total) => {
          progress ??= new Progress({ label: spec.kind, total });
          progress.tick(done - progress.count);
        },
      });
      progress?.finish();
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
      const stop = interruptOn(io);
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
      .option('--json', 'print one JSON object'),
    { pmax: false },
  ).action(async (o) => {
    const r = await evaluateRun({
      registry,
      run: o.run,
      input: channelInput(o),
      noise: o.noise === undefined ? undefined : positiveOption('--noise', o.noise),
      backend: o.backend,
    });
    if (o.json) io.out(JSON.stringify(r) + '\n');
    else io.out(`model ${r.mean.toFixed(4)} bit/s/Hz, WMMSE ${r.wmmse.toFixed(4)} (${(100 * r.ratio).toFixed(1)} %), ${r.msPerSample.toFixed(4)} ms/sample, ${r.samples} samples at K=${r.users}\n`);
  });

  conversionOptions(
    prog
      .command('predict')
      .description("write a trained run's powers [B, K] for a channel file")
      .requiredOption('--run <dir>', 'run folder written by rrm train')
      .requiredOption('--channels <file>', 'channel gains .npy')
      .requiredOption('--out <file>', 'output powers .npy')
      .option('--backend <name>', 'tensor backend (default: the run config)'),
    { pmax: false },
  ).action(async (o) => {
    const r = await predictRun({
      registry,
      run: o.run,
      input: channelInput(o),
      noise: o.noise === undefined ? undefined : positiveOption('--noise', o.noise),
      backend: o.backend,
      out: o.out,
    });
    io.err(`${r.batch} samples at K=${r.users}, ${r.msPerSample.toFixed(4)} ms/sample -> ${o.out}\n`);
  });

  prog
    .command('compare')
    .description('overlay the convergence curves of several run folders (SVG + Markdown table)')
    .requiredOption('--runs <dirs...>', 'run folders written by rrm train')
    .requiredOption('--out <file.svg>', 'output plot; the table goes beside it as .md')
    .option('--title <text>', 'plot title')
    .action((o) => {
      const rows = compareRuns({ runs: o.runs, out: o.out, title: o.title });
      for (const r of rows) io.out(`${r.run}: final ${r.final.toFixed(4)} bit/s/Hz (${r.pctWmmse?.toFixed(1) ?? 'n/a'} % of WMMSE), 95 % of final at ${r.xTo95 ?? 'n/a'}\n`);
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
      const stop = interruptOn(io);
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

  return prog;
}

/** The channel-file flags every reading command shares (see conversionOptions). */
function channelInput(o: { channels: string; layout: Layout; gain: GainKind; weights?: string }): ChannelFileOptions {
  return { channels: o.channels, layout: o.layout, gain: o.gain, weights: o.weights };
}

/** A run stopped by SIGINT/SIGTERM: its folder is valid; the exit status says which signal (130 / 143). */
export class Interrupted extends Error {
  constructor(readonly code: number) {
    super(`interrupted (exit ${code})`);
  }
}

/**
 * SIGINT and SIGTERM abort the run after its current step (finished epochs stay on disk); a second signal
 * exits at once.
 */
function interruptOn(io: { err: (s: string) => void }) {
  const controller = new AbortController();
  let code = 130;
  const handler = (sig: 'SIGINT' | 'SIGTERM') => () => {
    const c = sig === 'SIGINT' ? 130 : 143;
    if (controller.signal.aborted) {
      io.err(`\n${sig} again: exiting now\n`);
      process.exit(c);
    }
    code = c;
    io.err(`\n${sig}: stopping after the current step; finished epochs are kept (continue with rrm train --resume)\n`);
    controller.abort();
  };
  const onInt = handler('SIGINT');
  const onTerm = handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get code() {
      return code;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI; returns the exit code (0 ok, 1 internal error, 2 bad input). */
export async function main(argv: readonly string[], registry: Registry = builtinRegistry()): Promise<number> {
  const io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  try {
    await program(registry, io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof Interrupted) return err.code;
    if (err instanceof ValidationError || err instanceof NpyError) {
      io.err(`rrm: ${err.message}\n`);
      return 2;
    }
    io.err(`rrm: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
