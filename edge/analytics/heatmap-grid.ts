// Foot positions accumulated on a coarse grid (one per camera per hour): each sample
// adds one to its cell, so a cell's value is person-frames spent there. Fixed size
// (up to 4096 px square) so adding a point never allocates.
import type { TrackSlots } from './track-slots.ts';

export const HEATMAP_MAX_PX = 4096;

export interface HeatmapSnapshot {
  cellPx: number;
  cols: number;
  rows: number;
  /** Extent of the samples seen (px), to crop when there is no snapshot image. */
  maxX: number;
  maxY: number;
  samples: number;
  cells: Float32Array;
}

export class HeatmapGrid {
  readonly cols: number;
  readonly rows: number;
  cells: Float32Array;
  samples = 0;
  maxX = 0;
  maxY = 0;

  constructor(readonly cellPx: number) {
    this.cols = Math.ceil(HEATMAP_MAX_PX / cellPx);
    this.rows = this.cols;
    this.cells = new Float32Array(this.cols * this.rows);
  }

  /** Adds a slot's current foot point (reads the shared arrays: no boxed arguments per row). */
  addFoot(view: TrackSlots, slot: number): void {
    this.add(view.footX[slot]!, view.footY[slot]!);
  }

  add(x: number, y: number): void {
    if (!(x >= 0 && y >= 0 && x < HEATMAP_MAX_PX && y < HEATMAP_MAX_PX)) return;
    const cx = (x / this.cellPx) | 0;
    const cy = (y / this.cellPx) | 0;
    this.cells[cy * this.cols + cx]! += 1;
    this.samples++;
    if (x > this.maxX) this.maxX = x;
    if (y > this.maxY) this.maxY = y;
  }

  /** A copy of the grid (for writing out), then clears it for the next hour. */
  takeSnapshot(): HeatmapSnapshot {
    const snap = this.snapshot();
    this.cells.fill(0);
    this.samples = 0;
    this.maxX = 0;
    this.maxY = 0;
    return snap;
  }

  snapshot(): HeatmapSnapshot {
    return {
      cellPx: this.cellPx,
      cols: this.cols,
      rows: this.rows,
      maxX: this.maxX,
      maxY: this.maxY,
      samples: this.samples,
      cells: this.cells.slice(),
    };
  }
}
