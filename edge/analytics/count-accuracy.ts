// Count accuracy against ground truth: the reference "plain segment-crossing test"
// (every step of a track's foot point that crosses the segment counts, no hysteresis,
// gaps bridged by a straight step) and the score 1 - |counted - true| / true per line and
// direction. On ground-truth tracks the plain test gives the true crossings; on noisy
// tracker output it is the OpenDataCam-style baseline our LineCounter is compared with.
import type { LineConfig } from '../config/sections/analytics.ts';
import { crossSide, crossingParam } from './geometry.ts';
import type { MotTracks } from './mot-reader.ts';

export type LineCounts = Record<string, { in: number; out: number }>;

export interface AccuracyRow {
  line: string;
  direction: 'in' | 'out';
  truth: number;
  counted: number;
  /** 1 - |counted - truth| / truth, floored at 0; null when truth is 0. */
  accuracy: number | null;
}

export interface AccuracyReport {
  rows: AccuracyRow[];
  /** Mean accuracy over rows with truth > 0. */
  mean: number;
  /** Worst row (lowest accuracy). */
  worst: AccuracyRow | null;
  /** Sum over lines and directions of |counted - truth| / sum of truth. */
  totalError: number;
}

/** Where on a box a track's position is taken. */
export type AnchorPoint = 'foot' | 'centre';

/** Plain segment-crossing counts of every id's path (rows in frame order). */
export function plainCrossings(tracks: MotTracks, lines: readonly LineConfig[], anchor: AnchorPoint = 'foot'): LineCounts {
  const out: LineCounts = {};
  for (const l of lines) out[l.name] = { in: 0, out: 0 };
  const last = new Map<number, [number, number]>();
  for (let f = 1; f <= tracks.frameCount; f++) {
    for (let r = tracks.frameStart[f]!; r < tracks.frameStart[f + 1]!; r++) {
      const id = tracks.ids[r]!;
      const x = tracks.boxes[4 * r]! + tracks.boxes[4 * r + 2]! / 2;
      const y = tracks.boxes[4 * r + 1]! + (anchor === 'foot' ? tracks.boxes[4 * r + 3]! : tracks.boxes[4 * r + 3]! / 2);
      const prev = last.get(id);
      if (prev) {
        for (const l of lines) {
          const [[ax, ay], [bx, by]] = l.points;
          const cp = crossSide(ax, ay, bx, by, prev[0], prev[1]);
          const cq = crossSide(ax, ay, bx, by, x, y);
          if ((cp < 0 && cq > 0) || (cp > 0 && cq < 0)) {
            const t = crossingParam(ax, ay, bx, by, prev[0], prev[1], x, y, cp, cq);
            if (t >= 0 && t <= 1) out[l.name]![cq > 0 ? 'in' : 'out']++;
          }
        }
      }
      last.set(id, [x, y]);
    }
  }
  return out;
}

/**
 * True crossings of ground-truth tracks: a passage through the segment counts once the
 * person has gone at least `minExcursionPx` beyond the line, so stepping onto the line and
 * turning back (a person who touches it by 1 px) is not a crossing. Deliberately simple
 * and separate from LineCounter (no relinking, no timing): gt ids are exact.
 */
export function trueCrossings(tracks: MotTracks, lines: readonly LineConfig[], minExcursionPx = 5): LineCounts {
  const out: LineCounts = {};
  for (const l of lines) out[l.name] = { in: 0, out: 0 };
  interface State { side: number; x: number; y: number; c: number; through: boolean }
  const states = new Map<string, State>();
  for (let f = 1; f <= tracks.frameCount; f++) {
    for (let r = tracks.frameStart[f]!; r < tracks.frameStart[f + 1]!; r++) {
      const id = tracks.ids[r]!;
      const x = tracks.boxes[4 * r]! + tracks.boxes[4 * r + 2]! / 2;
      const y = tracks.boxes[4 * r + 1]! + tracks.boxes[4 * r + 3]!;
      for (const l of lines) {
        const [[ax, ay], [bx, by]] = l.points;
        const c = crossSide(ax, ay, bx, by, x, y);
        const d = c / Math.hypot(bx - ax, by - ay);
        const key = `${id}/${l.name}`;
        let st = states.get(key);
        if (!st) {
          st = { side: Math.abs(d) >= minExcursionPx ? Math.sign(d) : 0, x, y, c, through: false };
          states.set(key, st);
          continue;
        }
        if (c !== 0 && st.c !== 0 && Math.sign(c) !== Math.sign(st.c)) {
          const t = crossingParam(ax, ay, bx, by, st.x, st.y, x, y, st.c, c);
          st.through = t >= 0 && t <= 1;
        }
        if (c !== 0) {
          st.x = x;
          st.y = y;
          st.c = c;
        }
        if (Math.abs(d) >= minExcursionPx && Math.sign(d) !== st.side) {
          if (st.side !== 0 && st.through) out[l.name]![d > 0 ? 'in' : 'out']++;
          st.side = Math.sign(d);
          st.through = false;
        }
      }
    }
  }
  return out;
}

export function countAccuracy(counted: LineCounts, truth: LineCounts): AccuracyReport {
  const rows: AccuracyRow[] = [];
  let errSum = 0;
  let truthSum = 0;
  for (const line of Object.keys(truth)) {
    for (const direction of ['in', 'out'] as const) {
      const t = truth[line]![direction];
      const c = counted[line]?.[direction] ?? 0;
      errSum += Math.abs(c - t);
      truthSum += t;
      rows.push({ line, direction, truth: t, counted: c, accuracy: t > 0 ? Math.max(0, 1 - Math.abs(c - t) / t) : null });
    }
  }
  const scored = rows.filter((r) => r.accuracy !== null);
  const mean = scored.length ? scored.reduce((s, r) => s + r.accuracy!, 0) / scored.length : 1;
  let worst: AccuracyRow | null = null;
  for (const r of scored) if (!worst || r.accuracy! < worst.accuracy!) worst = r;
  return { rows, mean, worst, totalError: truthSum ? errSum / truthSum : 0 };
}
