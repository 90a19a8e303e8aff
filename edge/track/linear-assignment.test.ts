import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { LinearAssignment } from './linear-assignment.ts';

/** Best total over all ways to assign every row of the smaller side (exhaustive). */
function bruteForceFull(cost: Float64Array, rows: number, cols: number): number {
  const usedCols = new Uint8Array(cols);
  const usedRows = new Uint8Array(rows);
  let best = Infinity;
  if (rows <= cols) {
    const rec = (i: number, acc: number): void => {
      if (i === rows) {
        best = Math.min(best, acc);
        return;
      }
      for (let j = 0; j < cols; j++) {
        if (usedCols[j]) continue;
        usedCols[j] = 1;
        rec(i + 1, acc + cost[i * cols + j]!);
        usedCols[j] = 0;
      }
    };
    rec(0, 0);
  } else {
    const rec = (j: number, acc: number): void => {
      if (j === cols) {
        best = Math.min(best, acc);
        return;
      }
      for (let i = 0; i < rows; i++) {
        if (usedRows[i]) continue;
        usedRows[i] = 1;
        rec(j + 1, acc + cost[i * cols + j]!);
        usedRows[i] = 0;
      }
    };
    rec(0, 0);
  }
  return best;
}

/** Best sum(cost - limit) over all partial matchings using only pairs with cost < limit. */
function bruteForceGated(cost: Float64Array, rows: number, cols: number, limit: number): number {
  const usedCols = new Uint8Array(cols);
  let best = Infinity;
  const rec = (i: number, acc: number): void => {
    if (i === rows) {
      best = Math.min(best, acc);
      return;
    }
    rec(i + 1, acc); // row i unmatched
    for (let j = 0; j < cols; j++) {
      const c = cost[i * cols + j]!;
      if (usedCols[j] || !(c < limit)) continue;
      usedCols[j] = 1;
      rec(i + 1, acc + c - limit);
      usedCols[j] = 0;
    }
  };
  rec(0, 0);
  return best;
}

describe('LinearAssignment', () => {
  it('matches brute force on random square and rectangular matrices', () => {
    const rng = new SeededRandom(42);
    const lap = new LinearAssignment();
    for (let trial = 0; trial < 400; trial++) {
      const rows = rng.int(1, 7);
      const cols = rng.int(1, 7);
      const cost = new Float64Array(rows * cols);
      // Integer costs make ties common, which exercises tie-breaking paths.
      const integer = trial % 2 === 0;
      for (let k = 0; k < cost.length; k++) cost[k] = integer ? rng.int(0, 9) : rng.next() * 100 - 30;
      const total = lap.solve(cost, rows, cols);
      expect(total).toBeCloseTo(bruteForceFull(cost, rows, cols), 9);
      // The result is a valid matching covering the smaller side.
      const seen = new Set<number>();
      let pairs = 0;
      for (let i = 0; i < rows; i++) {
        const j = lap.rowToCol[i]!;
        if (j < 0) continue;
        expect(seen.has(j)).toBe(false);
        seen.add(j);
        expect(lap.colToRow[j]).toBe(i);
        pairs++;
      }
      expect(pairs).toBe(Math.min(rows, cols));
    }
  });

  it('gated solve matches brute force with infeasible pairs (NaN, Infinity, over the limit)', () => {
    const rng = new SeededRandom(7);
    const lap = new LinearAssignment();
    for (let trial = 0; trial < 400; trial++) {
      const rows = rng.int(0, 7);
      const cols = rng.int(0, 7);
      const limit = 0.8;
      const cost = new Float64Array(rows * cols);
      for (let k = 0; k < cost.length; k++) {
        const r = rng.next();
        cost[k] = r < 0.15 ? NaN : r < 0.3 ? Infinity : rng.next();
      }
      const pairs = lap.solveGated(cost, rows, cols, limit);
      let sum = 0;
      let counted = 0;
      const seen = new Set<number>();
      for (let i = 0; i < rows; i++) {
        const j = lap.rowToCol[i]!;
        if (j < 0) continue;
        const c = cost[i * cols + j]!;
        expect(c < limit).toBe(true);
        expect(seen.has(j)).toBe(false);
        seen.add(j);
        sum += c - limit;
        counted++;
      }
      expect(counted).toBe(pairs);
      expect(sum).toBeCloseTo(bruteForceGated(cost, rows, cols, limit), 9);
    }
  });

  it('prefers leaving a pair unmatched when a swap is cheaper overall', () => {
    // Row 0 could take col 0 (0.1), but then row 1 has nothing; the optimum is 0->1, 1->0.
    const lap = new LinearAssignment();
    const cost = new Float64Array([0.1, 0.3, 0.2, Infinity]);
    expect(lap.solveGated(cost, 2, 2, 0.5)).toBe(2);
    expect(lap.rowToCol[0]).toBe(1);
    expect(lap.rowToCol[1]).toBe(0);
  });

  it('gated solve on large sparse matrices (many components) equals the dense optimum', () => {
    const rng = new SeededRandom(11);
    const gated = new LinearAssignment();
    const dense = new LinearAssignment();
    for (let trial = 0; trial < 30; trial++) {
      const rows = rng.int(20, 80);
      const cols = rng.int(20, 80);
      const limit = 0.7;
      const cost = new Float64Array(rows * cols).fill(Infinity);
      // Each row may pair with a few nearby columns, like tracks and detections in a crowd.
      for (let i = 0; i < rows; i++) {
        const centre = Math.floor((i / rows) * cols);
        for (let j = Math.max(0, centre - 2); j <= Math.min(cols - 1, centre + 2); j++) if (rng.next() < 0.6) cost[i * cols + j] = rng.next();
      }
      gated.solveGated(cost, rows, cols, limit);
      let got = 0;
      for (let i = 0; i < rows; i++) if (gated.rowToCol[i]! >= 0) got += cost[i * cols + gated.rowToCol[i]!]! - limit;
      const reduced = new Float64Array(rows * cols);
      for (let k = 0; k < reduced.length; k++) reduced[k] = cost[k]! < limit ? cost[k]! - limit : 0;
      expect(got).toBeCloseTo(dense.solve(reduced, rows, cols), 9);
    }
  });

  it('grows its buffers for large matrices and stays correct', () => {
    const rng = new SeededRandom(3);
    const lap = new LinearAssignment();
    const n = 300;
    const cost = new Float64Array(n * n);
    for (let k = 0; k < cost.length; k++) cost[k] = 1 + rng.next();
    // Plant a cheap diagonal permutation: the optimum must find it.
    for (let i = 0; i < n; i++) cost[i * n + ((i * 7) % n)] = 0;
    expect(lap.solve(cost, n, n)).toBe(0);
    for (let i = 0; i < n; i++) expect(lap.rowToCol[i]).toBe((i * 7) % n);
  });
});
