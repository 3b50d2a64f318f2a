import { describe, expect, it } from 'vitest';
import { DirectedGraph } from 'graphology';
import { ValidationError, streams } from '@rrm/core';
import { createD2D } from './d2d';
import { createRayleigh } from './rayleigh';
import { fromGraph, toGraph, type InterferenceGraph } from './graphology';
import { distanceThresholdMask } from './interference-graph';

const rngOf = (seed: number) => streams(seed).get('graphology');

describe('toGraph / fromGraph', () => {
  it('builds node i = pair i and edge j → i with gain g_ij', () => {
    const ch = createRayleigh({ etaLc: 0.3, weights: 'uniform' }).generate({ batch: 3, users: 5, rng: rngOf(1) });
    const g = toGraph(ch, 1, { noise: 0.5 });
    expect(g.type).toBe('directed');
    expect(g.order).toBe(5);
    expect(g.getAttribute('noise')).toBe(0.5);
    expect(g.getAttribute('users')).toBe(5);
    let edges = 0;
    for (let i = 0; i < 5; i++) {
      const a = g.getNodeAttributes(String(i));
      expect(a.direct).toBe(ch.gains[(5 + i) * 5 + i]);
      expect(a.weight).toBe(ch.weights![5 + i]);
      for (let j = 0; j < 5; j++) {
        if (i === j) continue;
        const v = ch.gains[(5 + i) * 5 + j];
        if (v > 0) {
          edges++;
          expect(g.source(`${j}->${i}`)).toBe(String(j));
          expect(g.target(`${j}->${i}`)).toBe(String(i));
          expect(g.getEdgeAttribute(`${j}->${i}`, 'gain')).toBe(v);
        } else expect(g.hasEdge(`${j}->${i}`)).toBe(false);
      }
    }
    expect(g.size).toBe(edges);
    expect(edges).toBeGreaterThan(0);
    expect(edges).toBeLessThan(20);
  });

  it('round-trips one sample (gains, weights, geometry)', () => {
    const ch = createD2D({ weights: 'uniform' }).generate({ batch: 2, users: 7, rng: rngOf(2) });
    const back = fromGraph(toGraph(ch, 1));
    expect(back.batch).toBe(1);
    expect(back.users).toBe(7);
    expect(Array.from(back.gains)).toEqual(Array.from(ch.gains.subarray(49, 98)));
    expect(Array.from(back.weights!)).toEqual(Array.from(ch.weights!.subarray(7, 14)));
    expect(Array.from(back.geometry!.tx)).toEqual(Array.from(ch.geometry!.tx.subarray(14, 28)));
    expect(Array.from(back.geometry!.rx)).toEqual(Array.from(ch.geometry!.rx.subarray(14, 28)));
    const plain = createRayleigh().generate({ batch: 1, users: 4, rng: rngOf(3) });
    const again = fromGraph(toGraph(plain));
    expect(Array.from(again.gains)).toEqual(Array.from(plain.gains));
    expect(again.weights).toBeUndefined();
    expect(again.geometry).toBeUndefined();
  });

  it('restricts edges to a mask, and orders nodes by index whatever the key order', () => {
    const ch = createD2D({ fieldSize: 300 }).generate({ batch: 1, users: 10, rng: rngOf(4) });
    const mask = distanceThresholdMask(ch.geometry!, 1, 10, 100);
    const g = toGraph(ch, 0, { mask });
    expect(g.size).toBe(mask.reduce((s, v) => s + v, 0));
    const shuffled: InterferenceGraph = new DirectedGraph();
    shuffled.replaceAttributes({ users: 2, noise: 1 });
    shuffled.addNode('b', { index: 1, direct: 4, weight: 1 });
    shuffled.addNode('a', { index: 0, direct: 3, weight: 1 });
    shuffled.addDirectedEdge('a', 'b', { gain: 0.25 });
    expect(Array.from(fromGraph(shuffled).gains)).toEqual([3, 0, 0.25, 4]);
  });

  it('rejects malformed graphs', () => {
    const bad: InterferenceGraph = new DirectedGraph();
    bad.addNode('0', { index: 3, direct: 1, weight: 1 });
    expect(() => fromGraph(bad)).toThrow(ValidationError);
    const neg: InterferenceGraph = new DirectedGraph();
    neg.addNode('0', { index: 0, direct: -1, weight: 1 });
    expect(() => fromGraph(neg)).toThrow(ValidationError);
    expect(() => fromGraph(new DirectedGraph())).toThrow(ValidationError);
    const ch = createRayleigh().generate({ batch: 1, users: 2, rng: rngOf(1) });
    expect(() => toGraph(ch, 1)).toThrow(ValidationError);
  });
});
