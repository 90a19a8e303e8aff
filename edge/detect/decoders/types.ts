// What every model-family decoder does: read the raw output tensors and write person
// candidates (x1, y1, x2, y2 in model-input pixels, plus a score) into a preallocated
// buffer. NMS and the mapping back to source pixels happen after, the same for all.

/** Person candidates of one frame, reused across frames. */
export class Candidates {
  /** x1, y1, x2, y2 per candidate, model-input pixels. */
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  count = 0;

  constructor(readonly capacity: number) {
    this.boxes = new Float32Array(capacity * 4);
    this.scores = new Float32Array(capacity);
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number): void {
    const i = this.count;
    if (i >= this.capacity) return;
    const o = i * 4;
    this.boxes[o] = x1;
    this.boxes[o + 1] = y1;
    this.boxes[o + 2] = x2;
    this.boxes[o + 3] = y2;
    this.scores[i] = score;
    this.count = i + 1;
  }
}

export interface BoxDecoder {
  /** Most candidates one frame can produce (one per anchor or cell). */
  readonly capacity: number;
  /** Appends every person candidate with score >= minScore to `out` (which the caller cleared). */
  decode(outputs: readonly Float32Array[], minScore: number, out: Candidates): void;
}

/** Output tensor shapes in session output order. */
export type OutputShapes = readonly (readonly number[])[];
