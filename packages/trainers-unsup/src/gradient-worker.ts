/**
 * One data-parallel gradient worker (a worker_threads thread with its own tfjs engine and backend). It
 * builds a replica of the model with the factory the trainer names, then answers `step` messages with
 * the gradients of its shard of the mini-batch. Its weights are overwritten with the main thread's before
 * every step, so replicas never drift apart.
 */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Registry, ValidationError, backendsPlugin, useBackend, type PowerModel, type RateUnit } from '@rrm/core';
import { DatasetBatches } from './dataset';
import type { LossTerm, ResolvedLoss, TrainingProgress } from './loss';
import { shardGradients } from './shard';
import type { Replica, ReplicaSpec, WorkerInit, WorkerReply, WorkerStep } from './data-parallel';

interface State {
  model: PowerModel;
  extraLoss?: LossTerm;
  data: DatasetBatches;
  loss: ResolvedLoss;
  unit: RateUnit;
}

let state: State | undefined;

export async function loadReplica(spec: ReplicaSpec): Promise<Replica> {
  const url = isAbsolute(spec.module) ? pathToFileURL(spec.module).href : spec.module;
  const mod = (await import(url)) as Record<string, unknown>;
  const name = spec.export ?? 'createReplica';
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new ValidationError('replica.export', `a function exported as '${name}' by ${spec.module}`, typeof factory);
  }
  return (await (factory as (args: unknown) => Replica | Promise<Replica>)(spec.args)) as Replica;
}

async function init(msg: WorkerInit): Promise<void> {
  await useBackend(new Registry().use(backendsPlugin), msg.backend);
  const replica = await loadReplica(msg.replica);
  const shapes = replica.model.trainable.map((v) => v.shape);
  if (JSON.stringify(shapes) !== JSON.stringify(msg.shapes)) {
    replica.model.dispose();
    throw new ValidationError('replica', `a factory that builds the trained model's twin (trainable shapes ${JSON.stringify(msg.shapes)})`, `shapes ${JSON.stringify(shapes)}`);
  }
  state = {
    model: replica.model,
    extraLoss: replica.extraLoss,
    data: new DatasetBatches(msg.train),
    loss: msg.loss,
    unit: msg.unit,
  };
  // All named weights (fitted input statistics included), so the replica starts where the main model is.
  const weights: Record<string, tf.Tensor> = {};
  for (const w of msg.weights) weights[w.name] = tf.tensor(w.data, w.shape, 'float32');
  try {
    replica.model.loadWeights(weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

async function step(msg: WorkerStep): Promise<{ grads: Float32Array[]; task: number; extra?: number; coefficient: number }> {
  if (!state) throw new Error('gradient worker: step before init');
  const s = state;
  s.model.trainable.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(msg.trainable[i], v.shape, 'float32'))));
  const r = shardGradients(s.model, s.data, s.loss, s.extraLoss, msg.indices, msg.progress as TrainingProgress, s.unit);
  try {
    // Fresh copies (they are transferred; a backend's read may return its own storage), read
    // asynchronously (webgpu has no synchronous read under Node).
    const grads = await Promise.all(r.grads.map(async (g) => Float32Array.from((await g.data()) as Float32Array)));
    const task = (await r.task.data())[0];
    const extra = r.extra ? (await r.extra.data())[0] : undefined;
    return { grads, task, extra, coefficient: r.coefficient };
  } finally {
    tf.dispose([...r.grads, r.task, ...(r.extra ? [r.extra] : [])]);
  }
}

function close(): void {
  if (!state) return;
  state.model.dispose();
  state = undefined;
}

// Messages are handled one at a time, in order (init is asynchronous).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: WorkerInit | WorkerStep | { type: 'close'; id: number }) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      const value = msg.type === 'init' ? await init(msg) : msg.type === 'step' ? await step(msg) : close();
      reply = { id: msg.id, ok: true, value };
    } catch (err) {
      const e = err as Error & { field?: string; expected?: string };
      reply = { id: msg.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack, field: e.field, expected: e.expected } };
    }
    // Gradients are fresh copies: transfer them instead of cloning.
    const transfer = reply.ok && msg.type === 'step' ? (reply.value as { grads: Float32Array[] }).grads.map((g) => g.buffer as ArrayBuffer) : [];
    parentPort!.postMessage(reply, transfer);
    if (msg.type === 'close') parentPort!.close();
  });
});
