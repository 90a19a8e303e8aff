// YOLOX: one output [1, N, 5 + C], rows for strides 8, 16, 32 (row-major grids);
// columns: centre offset and log size in cells, objectness and class probabilities
// (sigmoid already applied). Person score = objectness * class probability.
import { FootfallError } from '../../shared/errors.ts';
import type { BoxDecoder, Candidates, OutputShapes } from './types.ts';

const STRIDES = [8, 16, 32] as const;

export class YoloxDecoder implements BoxDecoder {
  readonly capacity: number;
  private readonly cols: number;

  constructor(
    shapes: OutputShapes,
    private readonly inputWidth: number,
    private readonly inputHeight: number,
    classes: number,
    private readonly personClass: number,
  ) {
    let n = 0;
    for (const s of STRIDES) n += Math.floor(inputWidth / s) * Math.floor(inputHeight / s);
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 3 || shape[1] !== n || shape[2] !== 5 + classes) {
      throw new FootfallError('MODEL_INVALID', `unknown output shape for a YOLOX model: expected [[1,${n},${5 + classes}]], got ${JSON.stringify(shapes)}`);
    }
    this.capacity = n;
    this.cols = 5 + classes;
  }

  decode(outputs: readonly Float32Array[], minScore: number, out: Candidates): void {
    const o = outputs[0]!;
    const cols = this.cols;
    const pc = 5 + this.personClass;
    let row = 0;
    for (let k = 0; k < STRIDES.length; k++) {
      const s = STRIDES[k]!;
      const gw = Math.floor(this.inputWidth / s);
      const gh = Math.floor(this.inputHeight / s);
      for (let gy = 0; gy < gh; gy++) {
        for (let gx = 0; gx < gw; gx++, row++) {
          const b = row * cols;
          const score = o[b + 4]! * o[b + pc]!;
          if (score < minScore) continue;
          const cx = (o[b]! + gx) * s;
          const cy = (o[b + 1]! + gy) * s;
          const hw = (Math.exp(o[b + 2]!) * s) / 2;
          const hh = (Math.exp(o[b + 3]!) * s) / 2;
          out.push(cx - hw, cy - hh, cx + hw, cy + hh, score);
        }
      }
    }
  }
}
