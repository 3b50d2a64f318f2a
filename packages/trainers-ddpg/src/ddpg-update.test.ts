import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, disposeInputs, type PowerModel } from '@rrm/core';
import { MlpCritic, type Critic } from './critic';
import { ddpgUpdate, tdTargets, type DdpgUpdateContext } from './ddpg';
import { inputsFromArrays } from './environment';
import type { ReplayBatch } from './replay-buffer';
import { mlpActorBuilder } from './test-fixtures';

/**
 * One DDPG update on a hand-made mini-batch, checked against the equations:
 *   y = r + γ (1 − done) V'(μ'(h') | h'),   critic loss (1/N) Σ (V(a | h) − y)²,
 *   θ' ← τθ + (1 − τ)θ',  φ' ← τφ + (1 − τ)φ'.
 * The target networks get other seeds than the online ones, so using the online networks for y (or a
 * hard copy for the targets) would show.
 */
const users = 2;
const noise = 0.5;
const pmax = 1;
const gamma = 0.9;
const tau = 0.3;

function miniBatch(done: number[]): ReplayBatch {
  const n = done.length;
  const rng = new Rng(3);
  const gains = rng.fillUniform(new Float32Array(n * users * users), 0.1, 2);
  const nextGains = rng.fillUniform(new Float32Array(n * users * users), 0.1, 2);
  return {
    size: n,
    indices: Int32Array.from({ length: n }, (_, i) => i),
    gains,
    weights: new Float32Array(n * users).fill(1),
    actions: rng.fillUniform(new Float32Array(n * users), 0, pmax),
    // Exactly representable in float32, so y = r can be compared exactly.
    rewards: Float64Array.from({ length: n }, (_, i) => 0.5 + 0.25 * i),
    nextGains,
    nextWeights: new Float32Array(n * users).fill(1),
    done: Uint8Array.from(done),
  };
}

function setup(): DdpgUpdateContext {
  const builder = mlpActorBuilder([8]);
  return {
    actor: builder({ users, pmax, noise, seed: 1 }),
    targetActor: builder({ users, pmax, noise, seed: 2 }),
    critic: new MlpCritic(users, [8], 3),
    targetCritic: new MlpCritic(users, [8], 4),
    actorOptimizer: tf.train.sgd(0.05),
    criticOptimizer: tf.train.sgd(0.05),
    gamma,
    tau,
    clipNorm: 0,
    users,
    noise,
    pmax,
  };
}

function teardown(ctx: DdpgUpdateContext): void {
  [ctx.actor, ctx.targetActor!, ctx.critic, ctx.targetCritic!].forEach((m) => m.dispose());
  ctx.actorOptimizer.dispose();
  ctx.criticOptimizer.dispose();
}

/** V(μ(h') | h') per sample of the successor states, for the given networks. */
function nextValues(actor: PowerModel, critic: Critic, mb: ReplayBatch): number[] {
  const next = inputsFromArrays(mb.nextGains!, mb.nextWeights!, mb.size, users, { noise, pmax });
  const v = tf.tidy(() => Array.from(critic.apply(next, actor.apply(next)).dataSync()));
  disposeInputs(next);
  return v;
}

const snapshot = (vars: readonly tf.Variable[]) => vars.map((v) => Float64Array.from(v.dataSync()));

describe('one DDPG update', () => {
  it('regresses the critic on y = r + γ(1 − done)·V′(μ′(h′)|h′), and done = 1 stops bootstrapping', async () => {
    const ctx = setup();
    const mb = miniBatch([0, 1, 0]);
    const vTarget = nextValues(ctx.targetActor!, ctx.targetCritic!, mb);
    const vOnline = nextValues(ctx.actor, ctx.critic, mb);
    // The test can tell target from online networks.
    expect(Math.max(...vTarget.map((v, i) => Math.abs(v - vOnline[i])))).toBeGreaterThan(1e-2);
    const hand = Array.from(mb.rewards, (r, i) => r + gamma * (1 - mb.done![i]) * vTarget[i]);

    const y = tdTargets(ctx, mb);
    const ys = Array.from(y.dataSync());
    y.dispose();
    ys.forEach((v, i) => expect(v).toBeCloseTo(hand[i], 5));
    expect(ys[1]).toBe(mb.rewards[1]); // done: y = r exactly
    expect(Math.abs(ys[0] - mb.rewards[0])).toBeGreaterThan(1e-3); // not done: bootstrapped

    // The critic loss of the update is (1/N) Σ (V(a | h) − y)² with the online critic before its step.
    const inputs = inputsFromArrays(mb.gains, mb.weights, mb.size, users, { noise, pmax });
    const q = tf.tidy(() => Array.from(ctx.critic.apply(inputs, tf.tensor2d(mb.actions, [mb.size, users])).dataSync()));
    disposeInputs(inputs);
    const expectedLoss = q.reduce((s, v, i) => s + (v - hand[i]) ** 2, 0) / mb.size;
    const r = await ddpgUpdate(ctx, mb, { epoch: 0, epochs: 1, step: 0, steps: 1, fraction: 0 });
    expect(r.criticLoss).toBeCloseTo(expectedLoss, 5);
    expect(r.distillLoss).toBeNull();

    // All done: y = r for every sample, whatever the successor states.
    const allDone = miniBatch([1, 1, 1]);
    const y1 = tdTargets(ctx, allDone);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(allDone.rewards));
    y1.dispose();
    teardown(ctx);
  });

  it("moves the target networks by exactly θ' ← τθ + (1 − τ)θ' after the online step", async () => {
    const ctx = setup();
    const mb = miniBatch([0, 0, 1]);
    const targetsBefore = [snapshot(ctx.targetActor!.trainable), snapshot(ctx.targetCritic!.trainable)];
    const onlineBefore = [snapshot(ctx.actor.trainable), snapshot(ctx.critic.trainable)];
    await ddpgUpdate(ctx, mb, { epoch: 0, epochs: 1, step: 0, steps: 1, fraction: 0 });
    const pairs: [readonly tf.Variable[], readonly tf.Variable[]][] = [
      [ctx.targetActor!.trainable, ctx.actor.trainable],
      [ctx.targetCritic!.trainable, ctx.critic.trainable],
    ];
    let moved = 0;
    pairs.forEach(([target, online], net) => {
      target.forEach((t, v) => {
        const tNew = t.dataSync();
        const oNew = online[v].dataSync();
        const tOld = targetsBefore[net][v];
        for (let e = 0; e < tNew.length; e++) {
          expect(tNew[e]).toBeCloseTo(tau * oNew[e] + (1 - tau) * tOld[e], 6);
          if (Math.abs(oNew[e] - onlineBefore[net][v][e]) > 1e-6) moved++;
        }
      });
    });
    // The online networks did take a step (so the rule is checked on the updated θ, φ).
    expect(moved).toBeGreaterThan(0);
    // And τ < 1 is no hard copy.
    expect(Array.from(ctx.targetCritic!.trainable[0].dataSync())).not.toEqual(Array.from(ctx.critic.trainable[0].dataSync()));
    teardown(ctx);
  });
});
