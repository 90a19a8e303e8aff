// Tracker-only accuracy over the cases of a split: our tracker with a given config and
// node-moving-things-tracker on the same detections, both scored by our evaluator
// (which reproduces py-motmetrics and TrackEval). Used by `footfall bench accuracy` and
// by scripts/accuracy/tune-tracker.ts, so tuning and reporting score alike.
import type { TrackerConfig } from '../../edge/config/index.ts';
import { evaluateMot, type MotMetrics } from '../../edge/track/eval/index.ts';
import { parseMotText } from '../../edge/track/eval/index.ts';
import { packDetections, resultText, runTracker } from '../../edge/track/eval/index.ts';
import { loadNmt, runNmt, type NmtModule } from './peer-tracker.ts';
import type { TrackingCase } from './splits.ts';

export interface CaseScore {
  name: string;
  half: string;
  kind: string;
  camera: string;
  detector: string;
  ours: MotMetrics;
  peer: MotMetrics | null;
}

export interface Summary {
  cases: number;
  MOTA: number;
  IDF1: number;
  HOTA: number;
}

export function scoreOurs(c: TrackingCase, config: TrackerConfig): MotMetrics {
  const run = runTracker(packDetections(c.det, c.lastFrame), config, c.fps);
  return evaluateMot(c.gt, parseMotText(resultText(run)));
}

export function scorePeer(c: TrackingCase, nmt: NmtModule = loadNmt()): MotMetrics {
  const r = runNmt(nmt, packDetections(c.det, c.lastFrame));
  return evaluateMot(c.gt, parseMotText(r.text));
}

export function scoreCases(cases: readonly TrackingCase[], config: TrackerConfig, withPeer: boolean): CaseScore[] {
  const nmt = withPeer ? loadNmt() : null;
  return cases.map((c) => ({
    name: c.name,
    half: c.half,
    kind: c.kind,
    camera: c.camera,
    detector: c.detector,
    ours: scoreOurs(c, config),
    peer: nmt ? scorePeer(c, nmt) : null,
  }));
}

export function summarize(metrics: readonly MotMetrics[]): Summary {
  const n = Math.max(1, metrics.length);
  const mean = (k: 'MOTA' | 'IDF1' | 'HOTA') => metrics.reduce((s, m) => s + m[k], 0) / n;
  return { cases: metrics.length, MOTA: mean('MOTA'), IDF1: mean('IDF1'), HOTA: mean('HOTA') };
}

/** One calibrated case scored by the image tracker and by the floor tracker (same config). */
export interface FloorCaseScore {
  name: string;
  half: string;
  /** Whether the sequence's camera moves (its one calibration then holds only approximately). */
  moving: boolean;
  image: MotMetrics;
  floor: MotMetrics;
}

/** Sequences filmed from a moving camera (SOURCES.md): a single homography cannot hold. */
export const MOVING_CAMERA_SEQUENCES = ['MOT17-10', 'MOT17-13'];

export function scoreFloorCases(cases: readonly TrackingCase[], config: TrackerConfig): FloorCaseScore[] {
  return cases
    .filter((c) => c.calibration)
    .map((c) => {
      const packed = packDetections(c.det, c.lastFrame);
      return {
        name: c.name,
        half: c.half,
        moving: MOVING_CAMERA_SEQUENCES.some((s) => c.name.startsWith(s)),
        image: evaluateMot(c.gt, parseMotText(resultText(runTracker(packed, config, c.fps)))),
        floor: evaluateMot(c.gt, parseMotText(resultText(runTracker(packed, config, c.fps, { calibration: c.calibration! })))),
      };
    });
}
