// Counting lines placed at random where people walk: a line-placement sweep for comparing two
// ways of counting on one real video (int8 vs fp32 detections, detect-less-often vs every
// frame). Each line passes through the foot point of a random ground-truth box, at a random
// angle, 80-300 px long, clipped to the frame; lines that fewer than `minCrossings` true
// crossings pass are dropped (they say nothing about accuracy).
import { SeededRandom } from '../../edge/shared/random.ts';
import type { MotTable } from '../../edge/track/eval/index.ts';
import { countAccuracy, type LineCounts } from '../../edge/analytics/offline/index.ts';
import { lineConfigs, truthOf, type Scene } from './count-eval.ts';
import type { NamedLine } from './splits.ts';

export interface SweepOptions {
  lines: number;
  seed: number;
  width: number;
  height: number;
  fps: number;
  minCrossings: number;
}

/** Random lines through ground-truth foot points, keeping those with at least `minCrossings` true crossings. */
export function randomLines(gt: MotTable, o: SweepOptions): { lines: NamedLine[]; truth: LineCounts } {
  const rng = new SeededRandom(o.seed);
  const rows: number[] = [];
  for (let k = 0; k < gt.count; k++) if (gt.conf[k] !== 0) rows.push(k);
  const candidates: NamedLine[] = [];
  for (let i = 0; i < o.lines * 4 && rows.length > 0; i++) {
    const k = rows[Math.floor(rng.next() * rows.length)]!;
    const cx = gt.box[4 * k]! + gt.box[4 * k + 2]! / 2;
    const cy = gt.box[4 * k + 1]! + gt.box[4 * k + 3]!;
    const angle = rng.next() * Math.PI;
    const half = (80 + rng.next() * 220) / 2;
    const clip = (v: number, max: number) => Math.min(max - 1, Math.max(0, v));
    const a: [number, number] = [clip(cx - Math.cos(angle) * half, o.width), clip(cy - Math.sin(angle) * half, o.height)];
    const b: [number, number] = [clip(cx + Math.cos(angle) * half, o.width), clip(cy + Math.sin(angle) * half, o.height)];
    if (Math.hypot(b[0] - a[0], b[1] - a[1]) < 40) continue;
    candidates.push({ name: `l${i}`, points: [a.map((v) => Math.round(v)) as [number, number], b.map((v) => Math.round(v)) as [number, number]] });
  }
  const scene: Scene = { lines: lineConfigs(candidates), zones: [], fps: o.fps, width: o.width, height: o.height };
  const all = truthOf(gt, scene).lines;
  const lines = candidates.filter((l) => all[l.name]!.in + all[l.name]!.out >= o.minCrossings).slice(0, o.lines);
  const truth: LineCounts = {};
  for (const l of lines) truth[l.name] = all[l.name]!;
  return { lines, truth };
}

export interface SweepScore {
  /** Sum of |counted - true| over every line and direction, over the sum of true crossings. */
  totalError: number;
  /** Mean per line.direction accuracy (1 - |counted - true| / true). */
  mean: number;
  /** Per line: |counted - true| summed over both directions. */
  errors: number[];
}

export function scoreSweep(lines: readonly NamedLine[], counted: LineCounts, truth: LineCounts): SweepScore {
  const r = countAccuracy(counted, truth);
  const errors = lines.map((l) => Math.abs((counted[l.name]?.in ?? 0) - truth[l.name]!.in) + Math.abs((counted[l.name]?.out ?? 0) - truth[l.name]!.out));
  return { totalError: r.totalError, mean: r.mean, errors };
}
