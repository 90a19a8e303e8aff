// Ultralytics YOLOv8 / YOLO11-style exports: one output [1, 4 + C, N]; rows 0-3 are
// cx, cy, w, h in input pixels, rows 4.. class probabilities (no objectness).
import { FootfallError } from '../../shared/errors.ts';
import type { BoxDecoder, Candidates, OutputShapes } from './types.ts';

export class Yolov8Decoder implements BoxDecoder {
  readonly capacity: number;

  constructor(
    shapes: OutputShapes,
    classes: number,
    private readonly personClass: number,
  ) {
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 3 || shape[1] !== 4 + classes || !(shape[2]! > 0)) {
      throw new FootfallError('MODEL_INVALID', `unknown output shape for a YOLOv8-style model: expected [[1,${4 + classes},N]], got ${JSON.stringify(shapes)}`);
    }
    this.capacity = shape[2]!;
  }

  decode(outputs: readonly Float32Array[], minScore: number, out: Candidates): void {
    const o = outputs[0]!;
    const n = this.capacity;
    const sc = (4 + this.personClass) * n;
    for (let i = 0; i < n; i++) {
      const score = o[sc + i]!;
      if (score < minScore) continue;
      const hw = o[2 * n + i]! / 2;
      const hh = o[3 * n + i]! / 2;
      out.push(o[i]! - hw, o[n + i]! - hh, o[i]! + hw, o[n + i]! + hh, score);
    }
  }
}
