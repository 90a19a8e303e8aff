// Spatial prefilter of one camera's lines and zones: a 32 px cell grid over the image that
// says, per cell, which lines are near enough to need a point there, and per zone whether the
// cell is wholly inside it, wholly outside, or on its boundary, where alone a point needs the
// polygon test. Built once per camera; the per-frame loop reads it with one index per point.
import { segmentsIntersect } from '../shared/geometry.ts';
import type { LineCounter } from './line-counter.ts';
import type { ZoneCounter } from './zone-counter.ts';

export const GRID_CELL_SHIFT = 5;
const CELL_PX = 1 << GRID_CELL_SHIFT;
/** Grids cover 0..4096 px in x and y (bit k of a cell = line or zone k). */
export const GRID_MAX_PX = 4096;
const GRID_COLS = GRID_MAX_PX >> GRID_CELL_SHIFT;
/**
 * A line sees every point within this distance of its box. Farther away a step cannot pass
 * through the segment, and the line judges the step that brings a track back from the
 * previous sample (TrackSlots.prevX/prevY), so skipping those points changes no count.
 * Steps longer than half of it (gaps, relinks) go to every line.
 */
export const LINE_MARGIN_PX = 128;
export const LONG_STEP_PX2 = (LINE_MARGIN_PX / 2) ** 2;
/** A cell counts as wholly inside or outside a zone only if no edge comes within this of it. */
const CELL_CLEARANCE_PX = 1;

/** Index of the cell holding (x, y), or -1 off the grid. */
export function gridCellOf(x: number, y: number): number {
  return x >= 0 && y >= 0 && x < GRID_MAX_PX && y < GRID_MAX_PX ? (y >> GRID_CELL_SHIFT) * GRID_COLS + (x >> GRID_CELL_SHIFT) : -1;
}

export class GeometryGrid {
  /** Lines whose box plus LINE_MARGIN_PX covers the cell (null: more than 32 lines; test all). */
  readonly lineCells: Uint32Array | null;
  /** Zones the cell touches: wholly inside or on the boundary (null: more than 32 zones or beyond the grid; test all). */
  readonly zoneCells: Uint32Array | null;
  /** Zones holding the whole cell: a point there is inside without the polygon test. */
  readonly zoneInsideCells: Uint32Array | null;

  constructor(lines: readonly LineCounter[], zones: readonly ZoneCounter[]) {
    this.lineCells = lineCellsOf(lines);
    const z = zoneCellsOf(zones);
    this.zoneCells = z?.touching ?? null;
    this.zoneInsideCells = z?.inside ?? null;
  }
}

function lineCellsOf(lines: readonly LineCounter[]): Uint32Array | null {
  if (lines.length === 0 || lines.length > 32) return null;
  const cells = new Uint32Array(GRID_COLS * GRID_COLS);
  const maxCell = GRID_COLS - 1;
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    const x0 = Math.max(0, (Math.min(l.ax, l.bx) - LINE_MARGIN_PX) >> GRID_CELL_SHIFT);
    const x1 = Math.min(maxCell, (Math.max(l.ax, l.bx) + LINE_MARGIN_PX) >> GRID_CELL_SHIFT);
    const y0 = Math.max(0, (Math.min(l.ay, l.by) - LINE_MARGIN_PX) >> GRID_CELL_SHIFT);
    const y1 = Math.min(maxCell, (Math.max(l.ay, l.by) + LINE_MARGIN_PX) >> GRID_CELL_SHIFT);
    for (let cy = y0; cy <= y1; cy++) for (let cx = x0; cx <= x1; cx++) cells[cy * GRID_COLS + cx]! |= 1 << k;
  }
  return cells;
}

function zoneCellsOf(zones: readonly ZoneCounter[]): { touching: Uint32Array; inside: Uint32Array } | null {
  if (zones.length === 0 || zones.length > 32) return null;
  const touching = new Uint32Array(GRID_COLS * GRID_COLS);
  const inside = new Uint32Array(GRID_COLS * GRID_COLS);
  for (let k = 0; k < zones.length; k++) {
    const p = zones[k]!.polygon;
    if (p.minX < 0 || p.minY < 0 || p.maxX >= GRID_MAX_PX || p.maxY >= GRID_MAX_PX) return null;
    for (let cy = p.minY >> GRID_CELL_SHIFT; cy <= p.maxY >> GRID_CELL_SHIFT; cy++) {
      for (let cx = p.minX >> GRID_CELL_SHIFT; cx <= p.maxX >> GRID_CELL_SHIFT; cx++) {
        const x0 = cx * CELL_PX - CELL_CLEARANCE_PX;
        const y0 = cy * CELL_PX - CELL_CLEARANCE_PX;
        const x1 = (cx + 1) * CELL_PX + CELL_CLEARANCE_PX;
        const y1 = (cy + 1) * CELL_PX + CELL_CLEARANCE_PX;
        const cell = cy * GRID_COLS + cx;
        if (edgeNearRect(p.xs, p.ys, p.n, x0, y0, x1, y1)) touching[cell]! |= 1 << k;
        else if (p.contains((cx + 0.5) * CELL_PX, (cy + 0.5) * CELL_PX)) {
          // No edge near the cell: every point of it is on the same side as its centre.
          touching[cell]! |= 1 << k;
          inside[cell]! |= 1 << k;
        }
      }
    }
  }
  return { touching, inside };
}

/** Whether a polygon edge has a point in the closed rectangle (an end inside, or crossing a side). */
function edgeNearRect(xs: Float64Array, ys: Float64Array, n: number, x0: number, y0: number, x1: number, y1: number): boolean {
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xs[j]!;
    const ay = ys[j]!;
    const bx = xs[i]!;
    const by = ys[i]!;
    if ((ax >= x0 && ax <= x1 && ay >= y0 && ay <= y1) || (bx >= x0 && bx <= x1 && by >= y0 && by <= y1)) return true;
    if (
      segmentsIntersect(ax, ay, bx, by, x0, y0, x1, y0) ||
      segmentsIntersect(ax, ay, bx, by, x1, y0, x1, y1) ||
      segmentsIntersect(ax, ay, bx, by, x1, y1, x0, y1) ||
      segmentsIntersect(ax, ay, bx, by, x0, y1, x0, y0)
    ) {
      return true;
    }
  }
  return false;
}
