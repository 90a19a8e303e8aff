// Count accuracy against ground truth: the reference "plain segment-crossing test"
// (every step of a track's foot point that crosses the segment counts, no hysteresis,
// gaps bridged by a straight step) and the score 1 - |counted - true| / true per line and
// direction. On ground-truth tracks the plain test gives the true crossings; on noisy
// tracker output it is the OpenDataCam-style baseline our LineCounter is compared with.
import type { LineConfig, ZoneConfig } from '../../config/sections/analytics.ts';
import { crossSide, crossingParam, PackedPolygon } from '../../shared/geometry.ts';
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
 * THE DEFINITION of a line crossing, used as truth everywhere: a person crosses line A -> B
 * when their foot point passes from beyond `bandPx` on one side of the line to beyond
 * `bandPx` on the other, and the last step across the infinite line went through the
 * segment (end points included). `in` = from the negative to the positive side of A -> B.
 * Wobbling inside the band, stepping onto the line and back, or passing beside the
 * segment's ends is no crossing; stepping over it beyond the band and back is two.
 * `path` is x0, y0, x1, y1, ... in time order (one person, no gaps bridged by anything
 * but the straight step between consecutive points).
 */
export function crossingsOfPath(path: ArrayLike<number>, line: readonly [readonly [number, number], readonly [number, number]], bandPx: number): { in: number; out: number } {
  const [[ax, ay], [bx, by]] = line;
  const length = Math.hypot(bx - ax, by - ay);
  const result = { in: 0, out: 0 };
  let side = 0; // last side the point was beyond the band on (0: not yet)
  let throughSegment = false; // the latest step across the infinite line went through the segment
  let lastX = NaN; // last point not exactly on the line
  let lastY = NaN;
  let lastCross = 0;
  for (let i = 0; i + 1 < path.length; i += 2) {
    const x = path[i]!;
    const y = path[i + 1]!;
    const c = crossSide(ax, ay, bx, by, x, y);
    if (c !== 0 && lastCross !== 0 && Math.sign(c) !== Math.sign(lastCross)) {
      const t = crossingParam(ax, ay, bx, by, lastX, lastY, x, y, lastCross, c);
      throughSegment = t >= 0 && t <= 1;
    }
    if (c !== 0) {
      lastX = x;
      lastY = y;
      lastCross = c;
    }
    const distance = c / length;
    const beyond = distance >= bandPx ? 1 : distance <= -bandPx ? -1 : 0;
    if (beyond === 0 || beyond === side) continue;
    if (side !== 0 && throughSegment) result[beyond > 0 ? 'in' : 'out']++;
    side = beyond;
    throughSegment = false;
  }
  return result;
}

/** True crossings (crossingsOfPath) of every id of exact ground-truth tracks. */
export function trueCrossings(tracks: MotTracks, lines: readonly LineConfig[], bandPx = 5): LineCounts {
  const paths = new Map<number, number[]>();
  for (let f = 1; f <= tracks.frameCount; f++) {
    for (let r = tracks.frameStart[f]!; r < tracks.frameStart[f + 1]!; r++) {
      const id = tracks.ids[r]!;
      let path = paths.get(id);
      if (!path) paths.set(id, (path = []));
      path.push(tracks.boxes[4 * r]! + tracks.boxes[4 * r + 2]! / 2, tracks.boxes[4 * r + 1]! + tracks.boxes[4 * r + 3]!);
    }
  }
  const out: LineCounts = {};
  for (const l of lines) {
    const counts = { in: 0, out: 0 };
    for (const path of paths.values()) {
      const c = crossingsOfPath(path, l.points, bandPx);
      counts.in += c.in;
      counts.out += c.out;
    }
    out[l.name] = counts;
  }
  return out;
}

/**
 * THE DEFINITION of a zone visit, used as truth: a visit begins once a person's foot point
 * has been inside the polygon without a break for `minStayMs`, and ends once it has been
 * outside without a break for `exitGraceMs` (or the person is gone). `path` is x, y pairs
 * and `timesMs` their times, in order.
 */
export function visitsOfPath(path: ArrayLike<number>, timesMs: ArrayLike<number>, polygon: PackedPolygon, minStayMs: number, exitGraceMs: number): number {
  let visits = 0;
  let inVisit = false;
  let insideSince = NaN; // start of the current unbroken stretch inside
  let outsideSince = NaN; // start of the current unbroken stretch outside
  for (let i = 0; 2 * i + 1 < path.length; i++) {
    const t = timesMs[i]!;
    if (polygon.contains(path[2 * i]!, path[2 * i + 1]!)) {
      outsideSince = NaN;
      if (Number.isNaN(insideSince)) insideSince = t;
      if (!inVisit && t - insideSince >= minStayMs) {
        inVisit = true;
        visits++;
      }
    } else {
      insideSince = NaN;
      if (Number.isNaN(outsideSince)) outsideSince = t;
      if (inVisit && t - outsideSince >= exitGraceMs) inVisit = false;
    }
  }
  return visits;
}

/** True zone visits (visitsOfPath) of every id of exact ground-truth tracks at `fps`. */
export function trueZoneVisits(tracks: MotTracks, zones: readonly ZoneConfig[], fps: number): Record<string, number> {
  const paths = new Map<number, { xy: number[]; t: number[] }>();
  for (let f = 1; f <= tracks.frameCount; f++) {
    for (let r = tracks.frameStart[f]!; r < tracks.frameStart[f + 1]!; r++) {
      const id = tracks.ids[r]!;
      let p = paths.get(id);
      if (!p) paths.set(id, (p = { xy: [], t: [] }));
      p.xy.push(tracks.boxes[4 * r]! + tracks.boxes[4 * r + 2]! / 2, tracks.boxes[4 * r + 1]! + tracks.boxes[4 * r + 3]!);
      p.t.push(((f - 1) * 1000) / fps);
    }
  }
  const out: Record<string, number> = {};
  for (const z of zones) {
    const polygon = new PackedPolygon(z.polygon);
    let n = 0;
    for (const p of paths.values()) n += visitsOfPath(p.xy, p.t, polygon, z.minStayMs, z.exitGraceMs);
    out[z.name] = n;
  }
  return out;
}

/** 1 - |counted - true| / true per zone (null where nothing is true), with the mean. */
export function zoneAccuracy(counted: Record<string, number>, truth: Record<string, number>): { rows: Array<{ zone: string; truth: number; counted: number; accuracy: number | null }>; mean: number } {
  const rows = Object.keys(truth).map((zone) => {
    const t = truth[zone]!;
    const c = counted[zone] ?? 0;
    return { zone, truth: t, counted: c, accuracy: t > 0 ? Math.max(0, 1 - Math.abs(c - t) / t) : null };
  });
  const scored = rows.filter((r) => r.accuracy !== null);
  return { rows, mean: scored.length ? scored.reduce((s, r) => s + r.accuracy!, 0) / scored.length : 1 };
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
