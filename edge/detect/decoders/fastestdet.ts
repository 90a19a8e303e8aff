// FastestDet: one output [1, 5 + C, gh, gw] (one cell per 16 px). Channel 0 objectness,
// 1-2 centre offsets (tanh), 3-4 box size (sigmoid, normalised), 5.. class scores.
// Person score = obj^0.6 * cls_person^0.4 (the reference's weighting, read on the person column).
import { FootfallError } from '../../shared/errors.ts';
import type { BoxDecoder, Candidates, OutputShapes } from './types.ts';

export class FastestDetDecoder implements BoxDecoder {
  readonly capacity: number;
  private readonly gh: number;
  private readonly gw: number;

  constructor(
    shapes: OutputShapes,
    private readonly inputWidth: number,
    private readonly inputHeight: number,
    classes: number,
    private readonly personClass: number,
  ) {
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 4 || shape[1] !== 5 + classes) {
      throw new FootfallError('MODEL_INVALID', `unknown output shape for a FastestDet model: expected [[1,${5 + classes},H,W]], got ${JSON.stringify(shapes)}`);
    }
    this.gh = shape[2]!;
    this.gw = shape[3]!;
    this.capacity = this.gh * this.gw;
  }

  decode(outputs: readonly Float32Array[], minScore: number, out: Candidates): void {
    const o = outputs[0]!;
    const gh = this.gh;
    const gw = this.gw;
    const plane = gh * gw;
    const pc = (5 + this.personClass) * plane;
    for (let h = 0; h < gh; h++) {
      for (let w = 0; w < gw; w++) {
        const i = h * gw + w;
        const obj = o[i]!;
        const cls = o[pc + i]!;
        if (obj <= 0 || cls <= 0) continue;
        const score = Math.pow(obj, 0.6) * Math.pow(cls, 0.4);
        if (score < minScore) continue;
        const cx = ((w + Math.tanh(o[plane + i]!)) / gw) * this.inputWidth;
        const cy = ((h + Math.tanh(o[2 * plane + i]!)) / gh) * this.inputHeight;
        const bw = (1 / (1 + Math.exp(-o[3 * plane + i]!))) * this.inputWidth;
        const bh = (1 / (1 + Math.exp(-o[4 * plane + i]!))) * this.inputHeight;
        out.push(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, score);
      }
    }
  }
}
