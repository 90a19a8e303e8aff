// Runs a tracker over a MOTChallenge detection table frame by frame (empty frames
// included, so time advances) and collects MOTChallenge result rows. Shared by
// `footfall track`, the tests and the benchmark.
import { ByteTracker, type TrackerOptions } from './byte-tracker.ts';
import type { MotTable } from './mot-file.ts';

/** Detections of every frame 1..lastFrame, packed once so timing excludes parsing. */
export interface PackedDetections {
  firstFrame: number;
  lastFrame: number;
  /** Per frame (index frame - firstFrame): offset into boxes/scores and count. */
  offset: Int32Array;
  count: Int32Array;
  boxes: Float32Array;
  scores: Float32Array;
}

export function packDetections(det: MotTable, lastFrame?: number): PackedDetections {
  const first = Math.min(1, det.frames.length > 0 ? det.frames[0]! : 1);
  const last = Math.max(lastFrame ?? 0, det.frames.length > 0 ? det.frames[det.frames.length - 1]! : 0);
  const n = Math.max(0, last - first + 1);
  const offset = new Int32Array(n);
  const count = new Int32Array(n);
  const boxes = new Float32Array(det.count * 4);
  const scores = new Float32Array(det.count);
  for (let k = 0; k < det.count; k++) {
    for (let q = 0; q < 4; q++) boxes[4 * k + q] = det.box[4 * k + q]!;
    scores[k] = det.conf[k]!;
  }
  for (let i = 0; i < det.frames.length; i++) {
    const f = det.frames[i]! - first;
    if (f < 0 || f >= n) continue;
    offset[f] = det.frameStart[i]!;
    count[f] = det.frameEnd[i]! - det.frameStart[i]!;
  }
  return { firstFrame: first, lastFrame: last, offset, count, boxes, scores };
}

export interface TrackRunResult {
  /** Result rows: frame, id, x, y, w, h, score. */
  rows: number;
  frame: Int32Array;
  id: Int32Array;
  box: Float32Array;
  score: Float32Array;
  frames: number;
  /** Tracker-only time, ms. */
  trackMs: number;
  tracker: ByteTracker;
}

/** Tracks a packed sequence at fps (frame time = (frame - 1) / fps). */
export function runTracker(packed: PackedDetections, options: TrackerOptions, fps: number): TrackRunResult {
  const tracker = new ByteTracker(options);
  const nFrames = packed.offset.length;
  let cap = 1024;
  let frame = new Int32Array(cap);
  let id = new Int32Array(cap);
  let box = new Float32Array(cap * 4);
  let score = new Float32Array(cap);
  let rows = 0;
  const view = { count: 0, boxes: packed.boxes, scores: packed.scores };
  const boxViews: Float32Array[] = [];
  const scoreViews: Float32Array[] = [];
  for (let f = 0; f < nFrames; f++) {
    boxViews.push(packed.boxes.subarray(4 * packed.offset[f]!, 4 * (packed.offset[f]! + packed.count[f]!)));
    scoreViews.push(packed.scores.subarray(packed.offset[f]!, packed.offset[f]! + packed.count[f]!));
  }
  let trackMs = 0;
  for (let f = 0; f < nFrames; f++) {
    view.count = packed.count[f]!;
    view.boxes = boxViews[f]!;
    view.scores = scoreViews[f]!;
    const frameNo = packed.firstFrame + f;
    const t0 = performance.now();
    const out = tracker.update(((frameNo - 1) * 1000) / fps, view);
    trackMs += performance.now() - t0;
    if (rows + out.count > cap) {
      cap = Math.max(cap * 2, rows + out.count);
      const nf = new Int32Array(cap);
      nf.set(frame);
      frame = nf;
      const ni = new Int32Array(cap);
      ni.set(id);
      id = ni;
      const nb = new Float32Array(cap * 4);
      nb.set(box);
      box = nb;
      const ns = new Float32Array(cap);
      ns.set(score);
      score = ns;
    }
    for (let r = 0; r < out.count; r++) {
      frame[rows] = frameNo;
      id[rows] = out.ids[r]!;
      for (let q = 0; q < 4; q++) box[4 * rows + q] = out.boxes[4 * r + q]!;
      score[rows] = out.scores[r]!;
      rows++;
    }
  }
  return { rows, frame, id, box, score, frames: nFrames, trackMs, tracker };
}

/** The run as MOTChallenge result text. */
export function resultText(r: TrackRunResult): string {
  const parts: string[] = [];
  const f2 = (v: number) => Math.round(v * 100) / 100;
  for (let i = 0; i < r.rows; i++) {
    parts.push(
      `${r.frame[i]},${r.id[i]},${f2(r.box[4 * i]!)},${f2(r.box[4 * i + 1]!)},${f2(r.box[4 * i + 2]!)},${f2(r.box[4 * i + 3]!)},${f2(r.score[i]!)},-1,-1,-1`,
    );
  }
  return parts.length ? `${parts.join('\n')}\n` : '';
}
