// Sparse detection offline (#25): the agent's DetectionScheduler and the tracker's predict-only
// step applied to a sequence of every-frame detections. A frame the scheduler lets the tracker
// predict is one whose detections are thrown away (the detector would not have run); the
// tracker output of every frame goes to MOT scoring and, frame by frame as live, to analytics.
// Motion (the agent's motion detector, not in a detection file) is stood in for by the frame's
// confident detections: a person the motion detector would see moving.
import { DetectionScheduler, geometrySegments, ScheduleDecision } from '../../edge/detect/index.ts';
import { ByteTracker } from '../../edge/track/index.ts';
import { packDetections, type MotTable, type TrackRunResult } from '../../edge/track/eval/index.ts';
import type { TrackerConfig } from '../../edge/config/index.ts';
import type { TrackFrame } from '../../edge/shared/types.ts';
import { evalAnalytics, type RelinkSettings, type Scene, type SceneCounts } from './count-eval.ts';
import { analyticsSection } from '../../edge/config/index.ts';

/** The scheduler's settings (detector.detectEveryFrames, sparseSpeedBoxHeightsPerS, sparseNewTrackMs); every 1 = every frame. */
export interface SparseSettings {
  every: number;
  speedBoxHeightsPerS: number;
  newTrackMs: number;
  /** DetectionScheduler rules bitmask (default all). */
  rules?: number;
  /** Only lines count as geometry (zones and queues left to the interval). */
  linesOnly?: boolean;
}

export interface SparseRun {
  /** Tracker output of every frame (MOT rows), for evaluateMot via resultText. */
  result: TrackRunResult;
  /** Counts of the scene's lines and zones (when a scene is given). */
  counts: SceneCounts | null;
  frames: number;
  /** Frames the detector ran on. */
  detected: number;
  /** Detected frames by DetectReason. */
  reasons: number[];
}

const DEFAULT_RELINK: RelinkSettings = analyticsSection.parse({});

/** Detections with a raw score at least this are the motion stand-in. */
export const MOTION_PROXY_SCORE = 0.5;

/**
 * Runs detections -> scheduler -> tracker (update or predict) -> analytics over frames
 * 1..lastFrame at fps. `scene` gives the lines and zones (the scheduler's geometry too).
 */
export function runSparse(det: MotTable, lastFrame: number, fps: number, tracker: TrackerConfig, sparse: SparseSettings, scene: Scene | null, relink: RelinkSettings = DEFAULT_RELINK): SparseRun {
  const packed = packDetections(det, lastFrame);
  const bt = new ByteTracker(tracker);
  const scheduler = new DetectionScheduler({
    detectEveryFrames: sparse.every,
    speedBoxHeightsPerS: sparse.speedBoxHeightsPerS,
    newTrackMs: sparse.newTrackMs,
    segments: geometrySegments({ lines: scene?.lines ?? [], zones: sparse.linesOnly ? [] : (scene?.zones ?? []) }),
    rules: sparse.rules,
  });
  const engine = scene ? evalAnalytics({ ...scene, floor: null }, relink) : null;
  const frame: TrackFrame = { camera: 'eval', tsMs: 0, count: 0, ids: bt.output.ids, boxes: bt.output.boxes, endedCount: 0, endedIds: bt.output.endedIds };
  const view = { count: 0, boxes: packed.boxes, scores: packed.scores };
  const motion = new Float32Array(4 * 1024);
  let cap = 4096;
  let fr = new Int32Array(cap), id = new Int32Array(cap), box = new Float32Array(cap * 4), score = new Float32Array(cap);
  let rows = 0;
  let detected = 0;
  const n = packed.count.length;
  for (let f = 0; f < n; f++) {
    const o = packed.offset[f]!;
    const nd = packed.count[f]!;
    let nm = 0;
    for (let k = 0; k < nd && nm < 1024; k++) {
      if (packed.scores[o + k]! < MOTION_PROXY_SCORE) continue;
      for (let q = 0; q < 4; q++) motion[4 * nm + q] = packed.boxes[4 * (o + k) + q]!;
      nm++;
    }
    const frameNo = packed.firstFrame + f;
    const tsMs = ((frameNo - 1) * 1000) / fps;
    let out;
    if (scheduler.decide(tsMs, motion, nm, false) === ScheduleDecision.Detect) {
      detected++;
      view.count = nd;
      view.boxes = packed.boxes.subarray(4 * o, 4 * (o + nd));
      view.scores = packed.scores.subarray(o, o + nd);
      out = bt.update(tsMs, view);
    } else out = bt.predict(tsMs);
    scheduler.observeTracks(out.count, out.boxes, out.agesMs, out.uncertainCount);
    if (rows + out.count > cap) {
      cap = Math.max(2 * cap, rows + out.count);
      const grow = <T extends Int32Array | Float32Array>(a: T, size: number): T => {
        const b = new (a.constructor as new (k: number) => T)(size);
        b.set(a);
        return b;
      };
      fr = grow(fr, cap);
      id = grow(id, cap);
      box = grow(box, cap * 4);
      score = grow(score, cap);
    }
    for (let r = 0; r < out.count; r++) {
      fr[rows] = frameNo;
      id[rows] = out.ids[r]!;
      for (let q = 0; q < 4; q++) box[4 * rows + q] = out.boxes[4 * r + q]!;
      score[rows] = out.scores[r]!;
      rows++;
    }
    if (engine) {
      frame.tsMs = out.tsMs;
      frame.count = out.count;
      frame.ids = out.ids;
      frame.boxes = out.boxes;
      frame.endedCount = out.endedCount;
      frame.endedIds = out.endedIds;
      engine.process(frame);
    }
  }
  let counts: SceneCounts | null = null;
  if (engine) {
    engine.flush();
    const t = engine.totals();
    const zones: Record<string, number> = {};
    for (const [name, z] of Object.entries(t.zones)) zones[name] = z.visits;
    counts = { lines: t.lines, zones };
  }
  return { result: { rows, frame: fr, id, box, score, frames: n, trackMs: 0, tracker: bt }, counts, frames: n, detected, reasons: Array.from(scheduler.detectsBy) };
}
