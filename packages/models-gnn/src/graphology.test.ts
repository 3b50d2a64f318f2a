import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@rrm/core';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { gnnBuilder } from './gnn';
import { inputsFromGraphs } from './graphology';
import { disposeInputs, toInputs, type RawBatch } from './test-helpers';

describe('inputsFromGraphs', () => {
  function sample(): Graph {
    const g = new Graph({ type: 'directed' });
    g.addNode('a', { direct: 2, weight: 0.5 });
    g.addNode('b', { direct: 3 });
    g.addNode('c', { direct: 4, weight: 2 });
    g.addEdge('a', 'b', { gain: 0.1 }); // a's transmitter interferes at b's receiver: gains[b][a]
    g.addEdge('c', 'a', { gain: 0.3 });
    g.addEdge('b', 'c', { gain: 0 }); // an edge with gain 0 is still an edge
    return g;
  }

  it('puts the edge j → i at gains[i][j] (rx-tx) and marks it in the mask', () => {
    const inputs = inputsFromGraphs([sample(), sample()], { noise: 1, pmax: 2 });
    expect(inputs.gains.shape).toEqual([2, 3, 3]);
    const g = inputs.gains.arraySync()[1];
    const m = inputs.mask.arraySync()[1];
    expect(g.map((row) => row.map((v) => Math.round(v * 10) / 10))).toEqual([
      [2, 0, 0.3],
      [0.1, 3, 0],
      [0, 0, 4],
    ]);
    expect(m).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(inputs.direct.arraySync()[0]).toEqual([2, 3, 4]);
    expect(inputs.weights.arraySync()[0]).toEqual([0.5, 1, 2]);
    expect(inputs.noise).toBe(1);
    expect(inputs.pmax).toBe(2);
    disposeInputs(inputs);
  });

  it('gives a model the same powers as the equivalent arrays', () => {
    const raw: RawBatch = {
      batch: 1,
      users: 3,
      gains: Float64Array.from([2, 0, 0.3, 0.1, 3, 0, 0, 0, 4]),
      mask: Float64Array.from([0, 0, 1, 1, 0, 0, 0, 1, 0]),
      weights: Float64Array.from([0.5, 1, 2]),
    };
    const model = gnnBuilder({ hidden: 4, message: [4] })({ users: 3, pmax: 1, noise: 1, seed: 1 });
    const a = inputsFromGraphs(sample(), { noise: 1, pmax: 1 });
    const b = toInputs(raw, 1, 1);
    const pa = model.apply(a);
    const pb = model.apply(b);
    expect(Array.from(pa.dataSync())).toEqual(Array.from(pb.dataSync()));
    tf.dispose([pa, pb]);
    disposeInputs(a);
    disposeInputs(b);
    model.dispose();
  });

  it('treats an undirected edge as interference both ways and rejects graphs of different sizes', () => {
    const g = new Graph({ type: 'undirected' });
    g.addNode(0, { direct: 1 });
    g.addNode(1, { direct: 1 });
    g.addEdge(0, 1, { gain: 0.5 });
    const inputs = inputsFromGraphs(g, { noise: 1, pmax: 1 });
    expect(inputs.gains.arraySync()[0]).toEqual([
      [1, 0.5],
      [0.5, 1],
    ]);
    disposeInputs(inputs);
    const h = new Graph();
    h.addNode('x', { direct: 1 });
    expect(() => inputsFromGraphs([g, h], { noise: 1, pmax: 1 })).toThrow(/graph 1 has 1 nodes/);
    const bad = new Graph();
    bad.addNode('x', { direct: -1 });
    expect(() => inputsFromGraphs(bad, { noise: 1, pmax: 1 })).toThrow(/direct gain/);
  });

  it('rejects a NaN, negative or infinite link weight with a ValidationError naming the graph and node', () => {
    for (const weight of [NaN, -0.5, Infinity, 'heavy']) {
      const g = sample();
      g.setNodeAttribute('c', 'weight', weight);
      const call = () => inputsFromGraphs([sample(), g], { noise: 1, pmax: 1 });
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(/graphs\[1\], node 'c': weight/);
    }
    const zero = sample();
    zero.setNodeAttribute('a', 'weight', 0); // a weight of 0 (the link does not count) is allowed
    const inputs = inputsFromGraphs(zero, { noise: 1, pmax: 1 });
    expect(inputs.weights.arraySync()[0]).toEqual([0, 1, 2]);
    disposeInputs(inputs);
  });
});
