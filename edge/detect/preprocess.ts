// Turns rgb24 pixels into the model's float32 NCHW tensor in one pass over a
// preallocated Float32Array: channel order, mean and std folded into a multiply-add.
// Frames already at the input size (ffmpeg scaled them) take the direct path; any other
// size is sampled through per-row/column lookup tables built once per frame size.
import type { PreprocessRecipe, ResizeMode } from '../../models/index.ts';
import { inputMapping } from './geometry.ts';

export class TensorWriter {
  /** The tensor data, [1, 3, height, width]; reused for every frame. */
  readonly data: Float32Array;
  private readonly plane: number;
  /** Byte offset within an rgb24 pixel feeding tensor plane 0, 1, 2. */
  private readonly src0: number;
  private readonly src2: number;
  private readonly mul0: number;
  private readonly mul1: number;
  private readonly mul2: number;
  private readonly add0: number;
  private readonly add1: number;
  private readonly add2: number;
  private readonly xMap: Int32Array;
  private readonly yMap: Int32Array;
  private mapW = -1;
  private mapH = -1;
  /** Frames that needed the lookup-table path (not delivered at the input size). */
  resampledFrames = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly recipe: PreprocessRecipe,
  ) {
    this.plane = width * height;
    this.data = new Float32Array(3 * this.plane);
    const bgr = recipe.channels === 'bgr';
    this.src0 = bgr ? 2 : 0;
    this.src2 = bgr ? 0 : 2;
    this.mul0 = 1 / recipe.std[0];
    this.mul1 = 1 / recipe.std[1];
    this.mul2 = 1 / recipe.std[2];
    this.add0 = -recipe.mean[0] / recipe.std[0];
    this.add1 = -recipe.mean[1] / recipe.std[1];
    this.add2 = -recipe.mean[2] / recipe.std[2];
    this.xMap = new Int32Array(width);
    this.yMap = new Int32Array(height);
  }

  /**
   * Fills `data` from rgb24 `pixels` of `frameWidth` x `frameHeight`. When that is the
   * input size the pixels are taken as already resized per the recipe.
   */
  write(pixels: Uint8Array, frameWidth: number, frameHeight: number): void {
    if (pixels.length < frameWidth * frameHeight * 3) {
      throw new RangeError(`frame buffer holds ${pixels.length} bytes, ${frameWidth}x${frameHeight} rgb24 needs ${frameWidth * frameHeight * 3}`);
    }
    if (frameWidth === this.width && frameHeight === this.height) this.writeDirect(pixels);
    else this.writeSampled(pixels, frameWidth, frameHeight);
  }

  private writeDirect(px: Uint8Array): void {
    const d = this.data;
    const n = this.plane;
    const s0 = this.src0;
    const s2 = this.src2;
    const m0 = this.mul0, m1 = this.mul1, m2 = this.mul2;
    const a0 = this.add0, a1 = this.add1, a2 = this.add2;
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      d[i] = px[p + s0]! * m0 + a0;
      d[n + i] = px[p + 1]! * m1 + a1;
      d[2 * n + i] = px[p + s2]! * m2 + a2;
    }
  }

  private buildMaps(frameWidth: number, frameHeight: number): void {
    const m = inputMapping(this.recipe.resize as ResizeMode, frameWidth, frameHeight, this.width, this.height);
    for (let x = 0; x < this.width; x++) {
      const xi = x - m.padX;
      this.xMap[x] = xi < 0 || xi >= m.contentWidth ? -1 : Math.min(frameWidth - 1, Math.floor((xi + 0.5) / m.scaleX)) * 3;
    }
    for (let y = 0; y < this.height; y++) {
      const yi = y - m.padY;
      this.yMap[y] = yi < 0 || yi >= m.contentHeight ? -1 : Math.min(frameHeight - 1, Math.floor((yi + 0.5) / m.scaleY)) * frameWidth * 3;
    }
    this.mapW = frameWidth;
    this.mapH = frameHeight;
  }

  /** Nearest-neighbour sampling with padding, for frames not already at the input size. */
  private writeSampled(px: Uint8Array, frameWidth: number, frameHeight: number): void {
    if (frameWidth !== this.mapW || frameHeight !== this.mapH) this.buildMaps(frameWidth, frameHeight);
    this.resampledFrames++;
    const d = this.data;
    const n = this.plane;
    const w = this.width;
    const s0 = this.src0, s2 = this.src2;
    const m0 = this.mul0, m1 = this.mul1, m2 = this.mul2;
    const a0 = this.add0, a1 = this.add1, a2 = this.add2;
    const pad = this.recipe.padValue;
    const p0 = pad * m0 + a0, p1 = pad * m1 + a1, p2 = pad * m2 + a2;
    for (let y = 0; y < this.height; y++) {
      const row = this.yMap[y]!;
      const base = y * w;
      for (let x = 0; x < w; x++) {
        const col = this.xMap[x]!;
        const i = base + x;
        if (row < 0 || col < 0) {
          d[i] = p0;
          d[n + i] = p1;
          d[2 * n + i] = p2;
        } else {
          const p = row + col;
          d[i] = px[p + s0]! * m0 + a0;
          d[n + i] = px[p + 1]! * m1 + a1;
          d[2 * n + i] = px[p + s2]! * m2 + a2;
        }
      }
    }
  }
}
