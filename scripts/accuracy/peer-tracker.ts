// The peer tracker every accuracy figure is compared with in the same run:
// node-moving-things-tracker (OpenDataCam's tracker, devDependency), driven through its
// module API exactly as its `--mode motchallenge` CLI does.
import { createRequire } from 'node:module';
import type { PackedDetections } from '../../edge/track/eval/index.ts';

interface NmtDetection {
  x: number;
  y: number;
  w: number;
  h: number;
  confidence: number;
  name: string;
}
export interface NmtModule {
  reset(): void;
  updateTrackedItemsWithNewFrame(dets: NmtDetection[], frame: number): void;
  getTrackedItemsInMOTFormat(frame: number): string[];
}

export function loadNmt(): NmtModule {
  const require = createRequire(import.meta.url);
  return require('node-moving-things-tracker/tracker.js') as NmtModule;
}

/** Returns MOT result text and tracker-only ms. Mirrors main.js: conf > 0, centre boxes, drop tracks < 10 boxes. */
/** `minScore`: detections below it are not given to the tracker (OpenDataCam's detector threshold; 0 = its CLI's `conf > 0`). */
export function runNmt(nmt: NmtModule, packed: PackedDetections, minScore = 0): { text: string; ms: number; frames: number } {
  nmt.reset();
  const perFrame: { frame: number; dets: NmtDetection[] }[] = [];
  for (let f = 0; f < packed.count.length; f++) {
    const dets: NmtDetection[] = [];
    for (let k = packed.offset[f]!; k < packed.offset[f]! + packed.count[f]!; k++) {
      const w = packed.boxes[4 * k + 2]!;
      const h = packed.boxes[4 * k + 3]!;
      const conf = packed.scores[k]! * 100;
      if (conf > 0 && packed.scores[k]! >= minScore) dets.push({ x: packed.boxes[4 * k]! + w / 2, y: packed.boxes[4 * k + 1]! + h / 2, w, h, confidence: conf, name: '' });
    }
    // The CLI only visits frames that have detections.
    if (dets.length > 0) perFrame.push({ frame: packed.firstFrame + f, dets });
  }
  let lines: string[] = [];
  let ms = 0;
  for (const { frame, dets } of perFrame) {
    const t0 = performance.now();
    nmt.updateTrackedItemsWithNewFrame(dets, frame);
    ms += performance.now() - t0;
    lines = lines.concat(nmt.getTrackedItemsInMOTFormat(frame));
  }
  const count = new Map<string, number>();
  for (const l of lines) {
    const id = l.split(',')[1]!;
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  lines = lines.filter((l) => count.get(l.split(',')[1]!)! >= 10);
  return { text: lines.join('\n'), ms, frames: perFrame.length };
}

