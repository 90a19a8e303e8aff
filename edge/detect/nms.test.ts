import { describe, expect, it } from 'vitest';
import { Candidates } from './decoders/index.ts';
import { GreedyNms } from './nms.ts';

describe('GreedyNms', () => {
  it('keeps the best box of an overlapping pair and separate boxes, best first', () => {
    const c = new Candidates(8);
    c.push(0, 0, 10, 10, 0.6);
    c.push(1, 1, 11, 11, 0.9); // IoU with the first ~0.68
    c.push(50, 50, 60, 60, 0.3);
    c.push(0, 0, 10, 20, 0.5); // IoU with the second 81/219 = 0.37: kept at 0.5
    const nms = new GreedyNms(8);
    const n = nms.run(c, 0.5);
    expect(Array.from(nms.kept.subarray(0, n))).toEqual([1, 3, 2]);
  });

  it('sorts many candidates correctly (shell sort) and honours maxKeep', () => {
    const n = 3000;
    const c = new Candidates(n);
    for (let i = 0; i < n; i++) c.push(i * 20, 0, i * 20 + 10, 10, ((i * 7919) % n) / n);
    const nms = new GreedyNms(n);
    const k = nms.run(c, 0.5, 100);
    expect(k).toBe(100);
    for (let i = 1; i < k; i++) expect(c.scores[nms.kept[i]!]!).toBeLessThanOrEqual(c.scores[nms.kept[i - 1]!]!);
    expect(c.scores[nms.kept[0]!]).toBe(Math.fround((n - 1) / n));
  });

  it('handles an empty frame', () => {
    expect(new GreedyNms(4).run(new Candidates(4), 0.5)).toBe(0);
  });
});
