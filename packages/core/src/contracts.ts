import type { ChannelBatch } from './channel-batch';
import type { Rng } from './random';

/**
 * The plugin contracts. Core names no concrete channel model, teacher or backend: packages (built-in
 * or third-party) implement these and register factories under a name (see registry.ts).
 */

/** Options as they appear in a config: a discriminating `kind` plus plugin-specific fields. */
export interface PluginSpec {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/** A batched, seeded channel generator (Sionna-style: every call takes a batch size and a generator). */
export interface ChannelModel {
  readonly kind: string;
  /** The resolved options (defaults filled in), so data sets can be keyed and reproduced. */
  readonly options: Readonly<Record<string, unknown>>;
  generate(request: { batch: number; users: number; rng: Rng }): ChannelBatch;
}

/** One power-control problem over a batch: maximise Σ λ_i log(1+SINR_i) s.t. 0 ≤ p ≤ pmax. */
export interface PowerProblem {
  readonly channels: ChannelBatch;
  readonly noise: number;
  readonly pmax: number;
  /** Length-K weights for every sample; per-sample weights live on `channels.weights`. */
  readonly weights?: Float64Array;
  /** Starting powers [B, K] for teachers that accept them (`init: 'given'`). */
  readonly init?: Float64Array;
  /** Called as samples finish (teachers that work in chunks report; others may stay silent). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A classical optimiser (or baseline) that returns powers [B, K] in [0, pmax]. */
export interface Teacher {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  solve(problem: PowerProblem): Promise<Float64Array>;
}

/** A tensor backend for TensorFlow.js, selected by name (`--backend`, `backend:` in a config). */
export interface TensorBackend {
  readonly kind: string;
  /** Makes the backend available to tf (imports, registers kernels); false if it cannot run here. */
  init(): Promise<boolean>;
  /** What the backend needs to run (packages, hardware), shown when `init` returns false. */
  readonly requirements?: string;
  /**
   * The most elements one kernel dispatch may cover (B · K² · width for a batch of B samples at K users);
   * inference splits larger batches into chunks (dispatch-limit.ts). Unset = unlimited (wasm, cpu).
   */
  readonly maxDispatchElements?: number;
}
