import { describe, expect, it } from 'vitest';
import { countAccuracy, crossingsOfPath, visitsOfPath } from './count-accuracy.ts';
import { PackedPolygon } from '../../shared/geometry.ts';

// Line A -> B along y = 100 from x = 0 to x = 200; positive side = y > 100 (image y down:
// cross(B - A, P - A) = 200 * (y - 100)).
const LINE = [[0, 100], [200, 100]] as const;
const path = (...pts: Array<[number, number]>) => pts.flat();

describe('crossingsOfPath: the definition of a crossing', () => {
  it('counts a walk through the segment from beyond the band to beyond the band, by direction', () => {
    expect(crossingsOfPath(path([100, 80], [100, 95], [100, 105], [100, 120]), LINE, 5)).toEqual({ in: 1, out: 0 });
    expect(crossingsOfPath(path([100, 120], [100, 105], [100, 95], [100, 80]), LINE, 5)).toEqual({ in: 0, out: 1 });
  });

  it('does not count wobbling inside the band, or stepping onto the line and back', () => {
    expect(crossingsOfPath(path([50, 80], [60, 97], [70, 103], [80, 98], [90, 104], [100, 80]), LINE, 5)).toEqual({ in: 0, out: 0 });
    expect(crossingsOfPath(path([50, 80], [50, 104], [50, 80]), LINE, 5)).toEqual({ in: 0, out: 0 });
  });

  it('counts stepping over beyond the band and turning back as two crossings', () => {
    expect(crossingsOfPath(path([50, 80], [50, 110], [50, 80]), LINE, 5)).toEqual({ in: 1, out: 1 });
  });

  it('counts a person who stops on the line once, when they leave it on the other side', () => {
    expect(crossingsOfPath(path([50, 80], [50, 99], [50, 101], [50, 99], [50, 101], [50, 100], [50, 130]), LINE, 5)).toEqual({ in: 1, out: 0 });
  });

  it('does not count a pass beside the segment, but counts one through its very end', () => {
    expect(crossingsOfPath(path([-10, 80], [-10, 120]), LINE, 5)).toEqual({ in: 0, out: 0 });
    expect(crossingsOfPath(path([210, 80], [190, 120]), LINE, 5)).toEqual({ in: 1, out: 0 }); // crosses at x = 200
    expect(crossingsOfPath(path([212, 80], [204, 120]), LINE, 5)).toEqual({ in: 0, out: 0 }); // crosses at x = 208
  });

  it('judges the last step across the line: outside the segment then back through it counts', () => {
    // Crosses outside (x = 250), turns, crosses back through the segment at x = 150, then over again at x = 150.
    expect(crossingsOfPath(path([250, 80], [250, 120], [150, 120], [150, 80], [150, 130]), LINE, 5)).toEqual({ in: 1, out: 1 });
  });

  it('needs a side first: a path that starts inside the band counts from the first side it reaches', () => {
    expect(crossingsOfPath(path([50, 102], [50, 120], [50, 80]), LINE, 5)).toEqual({ in: 0, out: 1 });
  });
});

describe('countAccuracy', () => {
  it('scores 1 - |counted - true| / true per line and direction and names the worst', () => {
    const r = countAccuracy({ a: { in: 9, out: 12 } }, { a: { in: 10, out: 10 } });
    expect(r.rows.map((x) => x.accuracy)).toEqual([0.9, 0.8]);
    expect(r.worst).toMatchObject({ line: 'a', direction: 'out' });
    expect(r.mean).toBeCloseTo(0.85, 10);
    expect(r.totalError).toBeCloseTo(3 / 20, 10);
  });
});

describe('visitsOfPath: the definition of a zone visit', () => {
  const square = new PackedPolygon([[0, 0], [100, 0], [100, 100], [0, 100]]);
  // One sample per 100 ms at the given x (y = 50): inside while 0 < x < 100.
  const visits = (xs: number[], minStayMs = 1_000, exitGraceMs = 500) =>
    visitsOfPath(xs.flatMap((x) => [x, 50]), xs.map((_, i) => i * 100), square, minStayMs, exitGraceMs);
  const inside = (n: number) => Array<number>(n).fill(50);
  const outside = (n: number) => Array<number>(n).fill(150);

  it('counts a stay of at least minStayMs once, and not a shorter one', () => {
    expect(visits([...outside(3), ...inside(11), ...outside(3)])).toBe(1); // 1.0 s inside
    expect(visits([...outside(3), ...inside(10), ...outside(3)])).toBe(0); // 0.9 s
  });

  it('keeps one visit through an exit shorter than exitGraceMs, and splits at a longer one', () => {
    expect(visits([...inside(15), ...outside(5), ...inside(15)])).toBe(1); // out 0.4 s
    expect(visits([...inside(15), ...outside(7), ...inside(15)])).toBe(2); // out 0.6 s
  });
});
