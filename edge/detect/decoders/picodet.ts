// PP-PicoDet (legacy ESNet export): four levels (strides 8, 16, 32, 64), each a class
// probability tensor [1, n, C] and a box-distribution tensor [1, n, 32] (4 sides x 8
// bins, DFL). Recipe from ../shared/models/MODELS.md: anchor centre (col*s + (s-1)/2),
// softmax per side, distance = expected bin * s, clip to the input.
import { FootfallError } from '../../shared/errors.ts';
import type { BoxDecoder, Candidates, OutputShapes } from './types.ts';

const STRIDES = [8, 16, 32, 64] as const;
const BINS = 8;

export class PicoDetDecoder implements BoxDecoder {
  readonly capacity: number;
  /** Per level: index of its class and regression output, stride, grid width, anchors. */
  private readonly clsIndex: Int32Array;
  private readonly regIndex: Int32Array;
  private readonly gridW: Int32Array;
  private readonly anchors: Int32Array;
  private readonly dist = new Float32Array(4);

  constructor(
    shapes: OutputShapes,
    private readonly inputWidth: number,
    private readonly inputHeight: number,
    private readonly classes: number,
    private readonly personClass: number,
  ) {
    const levels = STRIDES.length;
    this.clsIndex = new Int32Array(levels).fill(-1);
    this.regIndex = new Int32Array(levels).fill(-1);
    this.gridW = new Int32Array(levels);
    this.anchors = new Int32Array(levels);
    let capacity = 0;
    for (let k = 0; k < levels; k++) {
      const s = STRIDES[k]!;
      const gw = Math.ceil(inputWidth / s);
      const n = gw * Math.ceil(inputHeight / s);
      this.gridW[k] = gw;
      this.anchors[k] = n;
      capacity += n;
      shapes.forEach((shape, idx) => {
        if (shape.length !== 3 || shape[1] !== n) return;
        if (shape[2] === classes && this.clsIndex[k] === -1) this.clsIndex[k] = idx;
        else if (shape[2] === 4 * BINS && this.regIndex[k] === -1) this.regIndex[k] = idx;
      });
      if (this.clsIndex[k] === -1 || this.regIndex[k] === -1) {
        throw new FootfallError(
          'MODEL_INVALID',
          `unknown output shape for a PicoDet model: expected [1,${n},${classes}] and [1,${n},32] for stride ${s}, got ${JSON.stringify(shapes)}`,
        );
      }
    }
    this.capacity = capacity;
  }

  decode(outputs: readonly Float32Array[], minScore: number, out: Candidates): void {
    const C = this.classes;
    const pc = this.personClass;
    const W = this.inputWidth;
    const H = this.inputHeight;
    const dist = this.dist;
    for (let k = 0; k < STRIDES.length; k++) {
      const s = STRIDES[k]!;
      const cls = outputs[this.clsIndex[k]!]!;
      const reg = outputs[this.regIndex[k]!]!;
      const gw = this.gridW[k]!;
      const n = this.anchors[k]!;
      const half = (s - 1) / 2;
      for (let i = 0; i < n; i++) {
        const score = cls[i * C + pc]!;
        if (score < minScore) continue;
        const cx = (i % gw) * s + half;
        const cy = Math.floor(i / gw) * s + half;
        const r0 = i * 4 * BINS;
        for (let side = 0; side < 4; side++) {
          const o = r0 + side * BINS;
          let max = reg[o]!;
          for (let j = 1; j < BINS; j++) if (reg[o + j]! > max) max = reg[o + j]!;
          let sum = 0;
          let expect = 0;
          for (let j = 0; j < BINS; j++) {
            const e = Math.exp(reg[o + j]! - max);
            sum += e;
            expect += j * e;
          }
          dist[side] = (expect / sum) * s;
        }
        const x1 = Math.max(0, Math.min(W, cx - dist[0]!));
        const y1 = Math.max(0, Math.min(H, cy - dist[1]!));
        const x2 = Math.max(0, Math.min(W, cx + dist[2]!));
        const y2 = Math.max(0, Math.min(H, cy + dist[3]!));
        out.push(x1, y1, x2, y2, score);
      }
    }
  }
}
