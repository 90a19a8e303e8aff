// Where to run the person detector on a frame (issue 14): the union of motion boxes and the
// predicted boxes of live tracks, expanded by a margin, merged where they overlap, and cut
// into squares at least the model's input side (so small people are upscaled, never
// squeezed). Too many regions, or regions covering most of the frame, fall back to one
// full-frame pass; no motion and no live track skips inference. Preallocated; plan()
// allocates nothing.

export const enum GateDecision {
  /** No motion, no live track: do not run the detector; the tracker sees an empty frame. */
  Skip = 0,
  /** Run the detector on `regionCount` crops. */
  Regions = 1,
  /** Run the detector on the whole frame. */
  FullFrame = 2,
}

export interface RegionPlannerOptions {
  frameWidth: number;
  frameHeight: number;
  /** Side of the model's square input, in frame pixels at 1:1. */
  modelInputPx: number;
  /** Margin added around each box, as a fraction of its larger side (and at least 8 px). */
  marginFraction?: number;
  /** Most crops per frame; more fall back to one full-frame pass. */
  maxRegions?: number;
  /** Crops covering more than this fraction of the frame in total run as one full frame instead. */
  fullFrameAreaFraction?: number;
  /** Most input boxes considered per frame (motion + tracks). */
  maxInputBoxes?: number;
}

export class RegionPlanner {
  /** x, y, side per square region in frame pixels; `regionCount` valid after plan(). */
  readonly regions: Float32Array;
  regionCount = 0;
  private readonly work: Float32Array;
  private readonly alive: Uint8Array;
  private readonly o: Required<RegionPlannerOptions>;

  constructor(o: RegionPlannerOptions) {
    this.o = { marginFraction: 0.25, maxRegions: 4, fullFrameAreaFraction: 0.7, maxInputBoxes: 64, ...o };
    this.work = new Float32Array(this.o.maxInputBoxes * 4);
    this.alive = new Uint8Array(this.o.maxInputBoxes);
    this.regions = new Float32Array(this.o.maxRegions * 3);
  }

  /**
   * Plans one frame. `motion` and `tracks` hold x, y, w, h per box (frame pixels).
   * `forceFull` (periodic full-frame pass, scene change) overrides the plan.
   */
  plan(motion: Float32Array, motionCount: number, tracks: Float32Array, trackCount: number, forceFull: boolean): GateDecision {
    this.regionCount = 0;
    if (forceFull) return GateDecision.FullFrame;
    const { frameWidth: fw, frameHeight: fh, modelInputPx, maxInputBoxes } = this.o;
    const work = this.work;
    let n = 0;
    // Corners x0, y0, x1, y1, expanded by the margin and clipped to the frame.
    for (let src = 0; src < 2; src++) {
      const b = src === 0 ? motion : tracks;
      const count = src === 0 ? motionCount : trackCount;
      for (let i = 0; i < count && n < maxInputBoxes; i++) {
        const w = b[i * 4 + 2]!, h = b[i * 4 + 3]!;
        if (!(w > 0 && h > 0)) continue;
        const m = Math.max(8, this.o.marginFraction * Math.max(w, h));
        work[n * 4] = Math.max(0, b[i * 4]! - m);
        work[n * 4 + 1] = Math.max(0, b[i * 4 + 1]! - m);
        work[n * 4 + 2] = Math.min(fw, b[i * 4]! + w + m);
        work[n * 4 + 3] = Math.min(fh, b[i * 4 + 1]! + h + m);
        this.alive[n] = 1;
        n++;
      }
    }
    if (n === 0) return GateDecision.Skip;
    // Merge overlapping boxes until none overlap (n is small: at most maxInputBoxes).
    let merged = true;
    while (merged) {
      merged = false;
      for (let i = 0; i < n; i++) {
        if (!this.alive[i]) continue;
        for (let j = i + 1; j < n; j++) {
          if (!this.alive[j]) continue;
          if (work[i * 4]! < work[j * 4 + 2]! && work[j * 4]! < work[i * 4 + 2]! && work[i * 4 + 1]! < work[j * 4 + 3]! && work[j * 4 + 1]! < work[i * 4 + 3]!) {
            work[i * 4] = Math.min(work[i * 4]!, work[j * 4]!);
            work[i * 4 + 1] = Math.min(work[i * 4 + 1]!, work[j * 4 + 1]!);
            work[i * 4 + 2] = Math.max(work[i * 4 + 2]!, work[j * 4 + 2]!);
            work[i * 4 + 3] = Math.max(work[i * 4 + 3]!, work[j * 4 + 3]!);
            this.alive[j] = 0;
            merged = true;
          }
        }
      }
    }
    // One square per merged box: side >= the model input, centred on the box, inside the frame.
    let areaPx = 0;
    const shortSide = Math.min(fw, fh);
    for (let i = 0; i < n; i++) {
      if (!this.alive[i]) continue;
      const w = work[i * 4 + 2]! - work[i * 4]!, h = work[i * 4 + 3]! - work[i * 4 + 1]!;
      const side = Math.max(modelInputPx, w, h);
      if (side >= shortSide || this.regionCount >= this.o.maxRegions) {
        this.regionCount = 0;
        return GateDecision.FullFrame;
      }
      const cx = work[i * 4]! + w / 2, cy = work[i * 4 + 1]! + h / 2;
      const r = this.regionCount * 3;
      this.regions[r] = Math.min(fw - side, Math.max(0, cx - side / 2));
      this.regions[r + 1] = Math.min(fh - side, Math.max(0, cy - side / 2));
      this.regions[r + 2] = side;
      this.regionCount++;
      areaPx += side * side;
    }
    if (areaPx > this.o.fullFrameAreaFraction * fw * fh) {
      this.regionCount = 0;
      return GateDecision.FullFrame;
    }
    return GateDecision.Regions;
  }
}

/**
 * Merges detections gathered from overlapping regions (boxes x1, y1, x2, y2 in frame pixels):
 * a box is dropped when a better-scoring one overlaps it by IoU > `iou` or covers more than
 * `containment` of the smaller box (a person cut at one region's border and whole in the
 * next). Returns the kept count; kept boxes are compacted to the front. Allocates nothing
 * beyond the scratch arrays the caller passes.
 */
export function mergeAcrossRegions(
  boxes: Float32Array,
  scores: Float32Array,
  count: number,
  scratch: Uint8Array,
  iou = 0.5,
  containment = 0.8,
): number {
  for (let i = 0; i < count; i++) scratch[i] = 0;
  // Selection order by score without sorting: repeatedly pick the best unsuppressed box.
  let kept = 0;
  for (;;) {
    let best = -1;
    for (let i = 0; i < count; i++) if (scratch[i] === 0 && (best < 0 || scores[i]! > scores[best]!)) best = i;
    if (best < 0) break;
    scratch[best] = 2;
    const bx1 = boxes[best * 4]!, by1 = boxes[best * 4 + 1]!, bx2 = boxes[best * 4 + 2]!, by2 = boxes[best * 4 + 3]!;
    const ba = (bx2 - bx1) * (by2 - by1);
    for (let j = 0; j < count; j++) {
      if (scratch[j] !== 0) continue;
      const w = Math.min(bx2, boxes[j * 4 + 2]!) - Math.max(bx1, boxes[j * 4]!);
      const h = Math.min(by2, boxes[j * 4 + 3]!) - Math.max(by1, boxes[j * 4 + 1]!);
      if (w <= 0 || h <= 0) continue;
      const inter = w * h;
      const ja = (boxes[j * 4 + 2]! - boxes[j * 4]!) * (boxes[j * 4 + 3]! - boxes[j * 4 + 1]!);
      if (inter / (ba + ja - inter) > iou || inter / Math.min(ba, ja) > containment) scratch[j] = 1;
    }
    kept++;
  }
  // Compact kept boxes (scratch 2) to the front, preserving order.
  let k = 0;
  for (let i = 0; i < count; i++) {
    if (scratch[i] !== 2) continue;
    if (k !== i) {
      boxes[k * 4] = boxes[i * 4]!;
      boxes[k * 4 + 1] = boxes[i * 4 + 1]!;
      boxes[k * 4 + 2] = boxes[i * 4 + 2]!;
      boxes[k * 4 + 3] = boxes[i * 4 + 3]!;
      scores[k] = scores[i]!;
    }
    k++;
  }
  return kept;
}

/**
 * Decides per frame whether the detector runs at all: a full-frame pass every
 * `fullFrameEveryMs` catches people standing still (whom motion no longer sees).
 */
export class DetectionGate {
  private lastFullMs = Number.NEGATIVE_INFINITY;
  framesGated = 0;
  framesFull = 0;
  framesRegions = 0;

  constructor(
    private readonly planner: RegionPlanner,
    private readonly fullFrameEveryMs: number,
  ) {}

  decide(tsMs: number, motion: Float32Array, motionCount: number, tracks: Float32Array, trackCount: number, sceneChanged: boolean): GateDecision {
    const due = tsMs - this.lastFullMs >= this.fullFrameEveryMs || tsMs < this.lastFullMs;
    const d = this.planner.plan(motion, motionCount, tracks, trackCount, due || sceneChanged);
    if (d === GateDecision.FullFrame) {
      this.lastFullMs = tsMs;
      this.framesFull++;
    } else if (d === GateDecision.Skip) this.framesGated++;
    else this.framesRegions++;
    return d;
  }
}
