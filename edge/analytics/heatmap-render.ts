// Renders a heatmap grid as a PNG: cells coloured blue -> green -> yellow -> red by
// log-scaled person-time, transparent where nobody stood, smoothed up to the image size
// and laid over the camera snapshot (a dark background without one). sharp does the
// resize, blur and compositing.
import sharp from 'sharp';
import type { HeatmapSnapshot } from './heatmap-grid.ts';

export interface HeatmapRenderOptions {
  /** JPEG/PNG camera snapshot to draw over; its size is the output size. */
  background?: Buffer | null;
  /** Output size without a background (default: the extent of the samples). */
  width?: number;
  height?: number;
  /** Peak opacity of the overlay, 0..1. */
  opacity?: number;
}

/** Colour ramp for t in [0, 1]: blue, cyan, green, yellow, red. */
function ramp(t: number, out: Uint8Array, at: number): void {
  const stops = [
    [0, 0, 255],
    [0, 255, 255],
    [0, 255, 0],
    [255, 255, 0],
    [255, 0, 0],
  ] as const;
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  out[at] = Math.round(a[0] + f * (b[0] - a[0]));
  out[at + 1] = Math.round(a[1] + f * (b[1] - a[1]));
  out[at + 2] = Math.round(a[2] + f * (b[2] - a[2]));
}

export async function renderHeatmapPng(grid: HeatmapSnapshot, options: HeatmapRenderOptions = {}): Promise<Buffer> {
  let width = options.width;
  let height = options.height;
  if (options.background) {
    const meta = await sharp(options.background).metadata();
    width = meta.width;
    height = meta.height;
  }
  width = Math.max(1, Math.round(width ?? Math.max(grid.cellPx, grid.maxX + grid.cellPx)));
  height = Math.max(1, Math.round(height ?? Math.max(grid.cellPx, grid.maxY + grid.cellPx)));
  const cols = Math.min(grid.cols, Math.ceil(width / grid.cellPx));
  const rows = Math.min(grid.rows, Math.ceil(height / grid.cellPx));
  let max = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) max = Math.max(max, grid.cells[r * grid.cols + c]!);
  const opacity = options.opacity ?? 0.65;
  const rgba = new Uint8Array(cols * rows * 4);
  const logMax = Math.log1p(max);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = grid.cells[r * grid.cols + c]!;
      if (v <= 0) continue;
      const t = logMax > 0 ? Math.log1p(v) / logMax : 0;
      const at = (r * cols + c) * 4;
      ramp(t, rgba, at);
      rgba[at + 3] = Math.round(255 * opacity * (0.35 + 0.65 * t));
    }
  }
  // Scale the coarse grid to cover whole cells, then crop to the image.
  const overlay = await sharp(Buffer.from(rgba.buffer), { raw: { width: cols, height: rows, channels: 4 } })
    .resize(cols * grid.cellPx, rows * grid.cellPx, { kernel: 'cubic' })
    .extract({ left: 0, top: 0, width: Math.min(width, cols * grid.cellPx), height: Math.min(height, rows * grid.cellPx) })
    .blur(Math.max(0.5, grid.cellPx / 3))
    .png()
    .toBuffer();
  const base = options.background
    ? sharp(options.background)
    : sharp({ create: { width, height, channels: 3, background: { r: 24, g: 24, b: 28 } } });
  return base.composite([{ input: overlay, left: 0, top: 0 }]).png().toBuffer();
}
