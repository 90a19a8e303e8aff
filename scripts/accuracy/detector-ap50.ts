// Person AP50 of a detector on MOT ground truth, the method of ../shared/models/MODELS.md
// ("Measured person accuracy on pedestrian video"): detections at score >= 0.05 after person
// NMS at IoU 0.5; in descending score order over all frames, a detection is a hit when its
// best-overlapping still unmatched gt box of that frame has IoU >= 0.5; gt rows with conf 0 are
// ignore regions (a detection that misses every counted box but overlaps an ignore box at IoU
// >= 0.5 is neither hit nor false positive); AP is all-point interpolated.
import { readMotFile } from '../../edge/track/eval/index.ts';

/** Ground truth of the frames kept: counted boxes and ignore regions, x, y, w, h. */
export interface FrameTruth {
  boxes: number[][];
  ignore: number[][];
}

export interface FrameDetections {
  frame: number;
  boxes: number[][];
  scores: number[];
}

export interface ApResult {
  ap50: number;
  /** Counted gt boxes in the evaluated frames. */
  gt: number;
  frames: number;
  /** Recall / precision (%) at the given score thresholds. */
  at: Array<{ threshold: number; recall: number; precision: number }>;
}

/** Reads gt.txt and keeps the frames `keep(frame)` says (1-based MOT frame numbers). */
export function loadTruth(gtPath: string, keep: (frame: number) => boolean): Map<number, FrameTruth> {
  const t = readMotFile(gtPath);
  const out = new Map<number, FrameTruth>();
  for (let r = 0; r < t.count; r++) {
    const f = t.frame[r]!;
    if (!keep(f)) continue;
    let e = out.get(f);
    if (!e) out.set(f, (e = { boxes: [], ignore: [] }));
    const b = [t.box[r * 4]!, t.box[r * 4 + 1]!, t.box[r * 4 + 2]!, t.box[r * 4 + 3]!];
    (t.conf[r] === 0 ? e.ignore : e.boxes).push(b);
  }
  return out;
}

export function iou(a: number[], b: number[]): number {
  const x1 = Math.max(a[0]!, b[0]!);
  const y1 = Math.max(a[1]!, b[1]!);
  const x2 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y2 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * AP50 over `frames` (the keys of `truth`; a frame with no gt rows still counts its detections
 * when it is in `evaluated`). Detections of frames outside `evaluated` are ignored.
 */
export function personAp50(truth: Map<number, FrameTruth>, dets: FrameDetections[], evaluated: ReadonlySet<number>, thresholds: number[] = [0.4, 0.5, 0.6]): ApResult {
  const all: Array<{ frame: number; box: number[]; score: number }> = [];
  for (const d of dets) {
    if (!evaluated.has(d.frame)) continue;
    for (let i = 0; i < d.boxes.length; i++) all.push({ frame: d.frame, box: d.boxes[i]!, score: d.scores[i]! });
  }
  all.sort((a, b) => b.score - a.score);
  let nGt = 0;
  const matched = new Map<number, boolean[]>();
  for (const f of evaluated) {
    const t = truth.get(f);
    nGt += t?.boxes.length ?? 0;
    matched.set(f, new Array<boolean>(t?.boxes.length ?? 0).fill(false));
  }
  const tp: number[] = [];
  const fp: number[] = [];
  const scores: number[] = [];
  for (const d of all) {
    const t = truth.get(d.frame);
    const used = matched.get(d.frame)!;
    let best = -1;
    let bestIou = 0.5;
    for (let g = 0; g < (t?.boxes.length ?? 0); g++) {
      if (used[g]) continue;
      const v = iou(d.box, t!.boxes[g]!);
      if (v >= bestIou) {
        bestIou = v;
        best = g;
      }
    }
    if (best >= 0) {
      used[best] = true;
      tp.push(1);
      fp.push(0);
    } else if (t && t.ignore.some((ig) => iou(d.box, ig) >= 0.5)) {
      continue;
    } else {
      tp.push(0);
      fp.push(1);
    }
    scores.push(d.score);
  }
  // Cumulative precision / recall, then all-point interpolation.
  const rec: number[] = [];
  const prec: number[] = [];
  let ctp = 0;
  let cfp = 0;
  for (let i = 0; i < tp.length; i++) {
    ctp += tp[i]!;
    cfp += fp[i]!;
    rec.push(nGt > 0 ? ctp / nGt : 0);
    prec.push(ctp / (ctp + cfp));
  }
  const mrec = [0, ...rec, 1];
  const mpre = [0, ...prec, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  let ap = 0;
  for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
  const at = thresholds.map((threshold) => {
    let k = 0;
    while (k < scores.length && scores[k]! >= threshold) k++;
    return { threshold, recall: k > 0 ? 100 * rec[k - 1]! : 0, precision: k > 0 ? 100 * prec[k - 1]! : 0 };
  });
  return { ap50: 100 * ap, gt: nGt, frames: evaluated.size, at };
}
