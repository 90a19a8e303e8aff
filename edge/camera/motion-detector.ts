// Cheap per-camera motion detection for gating the person detector (issue 14): the rgb24
// frame is block-averaged to a small grey image, compared with a running-average
// background, and the changed cells are grouped into boxes (4-connected components).
// A global brightness shift (light change, flicker) is subtracted before thresholding so
// it is not motion; a frame where most cells change (camera bumped, scene change) resets
// the background instead of producing a storm of boxes; a frozen stream (identical grey
// frames) yields no motion. All state is preallocated: update() allocates nothing.
import { pointInPolygon } from '../shared/geometry.ts';

/** A polygon in frame pixels, [[x, y], ...], where motion is ignored. */
export type MaskPolygon = ReadonlyArray<readonly [number, number]>;

export interface MotionDetectorOptions {
  /** Size of the rgb24 frames handed to update(), in pixels. */
  frameWidth: number;
  frameHeight: number;
  /** Side of the square block averaged into one grey cell (4 -> 416x416 becomes 104x104). */
  cellPx?: number;
  /** Grey-level difference (0-255, after light compensation) that marks a cell as changed. */
  diffThreshold?: number;
  /** Smallest motion box kept, in changed cells (noise below it is ignored). */
  minAreaCells?: number;
  /** Background adaptation per frame for unchanged cells (0-1). */
  learnRate?: number;
  /** Slower adaptation under motion, so a person standing still is absorbed only slowly. */
  learnRateMoving?: number;
  /** Fraction of unmasked cells changed at once above which the frame is a scene change. */
  sceneChangeFraction?: number;
  /** Most boxes reported per frame; beyond it they are merged into one (no region storm). */
  maxBoxes?: number;
  /** Polygons (frame pixels) where changes are ignored: screens, escalators, glass doors. */
  mask?: readonly MaskPolygon[];
}

/** What a camera's motion detector has seen; exported as per-camera metrics. */
export interface MotionStats {
  frames: number;
  framesWithMotion: number;
  sceneChanges: number;
  frozenFrames: number;
  /** Frames whose global brightness shifted by more than the diff threshold (light change, flicker). */
  lightShifts: number;
  /** Frames with more components than maxBoxes (merged into one). */
  boxOverflows: number;
}

export class MotionDetector {
  /** x, y, w, h per motion box in frame pixels; `count` of them are valid after update(). */
  readonly boxes: Float32Array;
  count = 0;
  /** True after a scene change: the caller should run a full-frame detection. */
  sceneChanged = false;
  readonly stats: MotionStats = {
    frames: 0,
    framesWithMotion: 0,
    sceneChanges: 0,
    frozenFrames: 0,
    lightShifts: 0,
    boxOverflows: 0,
  };

  readonly gridWidth: number;
  readonly gridHeight: number;
  private readonly cellPx: number;
  private readonly frameWidth: number;
  private readonly diffThreshold: number;
  private readonly minAreaCells: number;
  private readonly learnRate: number;
  private readonly learnRateMoving: number;
  private readonly sceneChangeFraction: number;
  private readonly maxBoxes: number;
  private readonly grey: Float32Array;
  private readonly previous: Float32Array;
  private readonly background: Float32Array;
  /** 1 where motion is ignored. */
  private readonly masked: Uint8Array;
  private readonly unmaskedCells: number;
  /** 0 = still, 1 = changed, 2 = changed and already labelled. */
  private readonly changed: Uint8Array;
  private readonly stack: Int32Array;
  private hasBackground = false;

  constructor(o: MotionDetectorOptions) {
    this.cellPx = Math.max(1, Math.floor(o.cellPx ?? 4));
    this.frameWidth = o.frameWidth;
    this.gridWidth = Math.max(1, Math.floor(o.frameWidth / this.cellPx));
    this.gridHeight = Math.max(1, Math.floor(o.frameHeight / this.cellPx));
    this.diffThreshold = o.diffThreshold ?? 20;
    this.minAreaCells = o.minAreaCells ?? 6;
    this.learnRate = o.learnRate ?? 0.05;
    this.learnRateMoving = o.learnRateMoving ?? 0.005;
    this.sceneChangeFraction = o.sceneChangeFraction ?? 0.6;
    this.maxBoxes = o.maxBoxes ?? 16;
    const cells = this.gridWidth * this.gridHeight;
    this.grey = new Float32Array(cells);
    this.previous = new Float32Array(cells);
    this.background = new Float32Array(cells);
    this.masked = new Uint8Array(cells);
    this.changed = new Uint8Array(cells);
    this.stack = new Int32Array(cells);
    this.boxes = new Float32Array(this.maxBoxes * 4);
    let unmasked = cells;
    for (const poly of o.mask ?? []) {
      for (let gy = 0; gy < this.gridHeight; gy++) {
        for (let gx = 0; gx < this.gridWidth; gx++) {
          const i = gy * this.gridWidth + gx;
          if (this.masked[i]) continue;
          if (pointInPolygon((gx + 0.5) * this.cellPx, (gy + 0.5) * this.cellPx, poly)) {
            this.masked[i] = 1;
            unmasked--;
          }
        }
      }
    }
    this.unmaskedCells = unmasked;
  }

  /** Processes one rgb24 frame (frameWidth x frameHeight x 3); returns the number of motion boxes. */
  update(rgb: Uint8Array): number {
    this.stats.frames++;
    this.count = 0;
    this.sceneChanged = false;
    const gw = this.gridWidth;
    const gh = this.gridHeight;
    this.toGrey(rgb);
    const grey = this.grey;
    const bg = this.background;
    const prev = this.previous;
    const cells = gw * gh;
    if (!this.hasBackground) {
      bg.set(grey);
      prev.set(grey);
      this.hasBackground = true;
      return 0;
    }
    // Frozen stream: nothing changed at all since the previous frame (real sensors always
    // have some noise). No motion, and the background is left as it is.
    let frozen = true;
    for (let i = 0; i < cells; i++) {
      if (grey[i] !== prev[i]) {
        frozen = false;
        break;
      }
    }
    prev.set(grey);
    if (frozen) {
      this.stats.frozenFrames++;
      return 0;
    }
    // Global brightness shift: the median would be more robust, but the mean over unmasked
    // cells, recomputed without outliers, is enough and costs two passes.
    let sum = 0;
    let n = 0;
    for (let i = 0; i < cells; i++) {
      if (this.masked[i]) continue;
      sum += grey[i]! - bg[i]!;
      n++;
    }
    let shift = n > 0 ? sum / n : 0;
    sum = 0;
    n = 0;
    const outlier = this.diffThreshold * 2;
    for (let i = 0; i < cells; i++) {
      if (this.masked[i]) continue;
      const d = grey[i]! - bg[i]! - shift;
      if (d > outlier || d < -outlier) continue;
      sum += d;
      n++;
    }
    if (n > 0) shift += sum / n;
    if (shift > this.diffThreshold || shift < -this.diffThreshold) this.stats.lightShifts++;
    let changedCells = 0;
    const thr = this.diffThreshold;
    const changed = this.changed;
    for (let i = 0; i < cells; i++) {
      const d = grey[i]! - bg[i]! - shift;
      const c = this.masked[i] === 0 && (d > thr || d < -thr) ? 1 : 0;
      changed[i] = c;
      changedCells += c;
    }
    if (changedCells > this.sceneChangeFraction * this.unmaskedCells) {
      // Camera bumped or scene replaced: start a new background rather than report everything.
      bg.set(grey);
      this.stats.sceneChanges++;
      this.sceneChanged = true;
      return 0;
    }
    // Background follows the light: still cells adapt fast, changed cells slowly; the global
    // shift is applied to every cell so a light change does not leave moving cells behind.
    for (let i = 0; i < cells; i++) {
      if (changed[i]) {
        const b = bg[i]! + shift;
        bg[i] = b + this.learnRateMoving * (grey[i]! - b);
      } else {
        bg[i] = bg[i]! + this.learnRate * (grey[i]! - bg[i]!);
      }
    }
    if (changedCells > 0) this.label();
    if (this.count > 0) this.stats.framesWithMotion++;
    return this.count;
  }

  /** Resets the background (e.g. after the stream restarted). */
  reset(): void {
    this.hasBackground = false;
    this.count = 0;
  }

  private toGrey(rgb: Uint8Array): void {
    const gw = this.gridWidth;
    const gh = this.gridHeight;
    const c = this.cellPx;
    const rowStride = this.frameWidth * 3;
    const inv = 1 / (c * c);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        let acc = 0;
        for (let dy = 0; dy < c; dy++) {
          let o = (gy * c + dy) * rowStride + gx * c * 3;
          for (let dx = 0; dx < c; dx++, o += 3) {
            // Integer luma approximation (BT.601 weights x 256).
            acc += (77 * rgb[o]! + 150 * rgb[o + 1]! + 29 * rgb[o + 2]!) >> 8;
          }
        }
        this.grey[gy * gw + gx] = acc * inv;
      }
    }
  }

  /** 4-connected components of changed cells (one-cell dilation via 8-neighbour check) to boxes. */
  private label(): void {
    const gw = this.gridWidth;
    const gh = this.gridHeight;
    const changed = this.changed;
    const stack = this.stack;
    const boxes = this.boxes;
    const c = this.cellPx;
    let components = 0;
    let ux0 = gw, uy0 = gh, ux1 = -1, uy1 = -1;
    for (let start = 0; start < gw * gh; start++) {
      if (changed[start] !== 1) continue;
      let top = 0;
      stack[top++] = start;
      changed[start] = 2;
      let area = 0;
      let x0 = gw, y0 = gh, x1 = -1, y1 = -1;
      while (top > 0) {
        const i = stack[--top]!;
        const x = i % gw;
        const y = (i - x) / gw;
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        // 8-neighbourhood so a person split by one still cell stays one box.
        for (let dy = -1; dy <= 1; dy++) {
          const ny = y + dy;
          if (ny < 0 || ny >= gh) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            if (nx < 0 || nx >= gw) continue;
            const j = ny * gw + nx;
            if (changed[j] === 1) {
              changed[j] = 2;
              stack[top++] = j;
            }
          }
        }
      }
      if (area < this.minAreaCells) continue;
      components++;
      if (x0 < ux0) ux0 = x0;
      if (y0 < uy0) uy0 = y0;
      if (x1 > ux1) ux1 = x1;
      if (y1 > uy1) uy1 = y1;
      if (this.count < this.maxBoxes) {
        const o = this.count * 4;
        boxes[o] = x0 * c;
        boxes[o + 1] = y0 * c;
        boxes[o + 2] = (x1 - x0 + 1) * c;
        boxes[o + 3] = (y1 - y0 + 1) * c;
        this.count++;
      }
    }
    if (components > this.maxBoxes) {
      // Too many separate changes (flicker, rain, crowds): one box around them all.
      this.stats.boxOverflows++;
      boxes[0] = ux0 * c;
      boxes[1] = uy0 * c;
      boxes[2] = (ux1 - ux0 + 1) * c;
      boxes[3] = (uy1 - uy0 + 1) * c;
      this.count = 1;
    }
  }
}
