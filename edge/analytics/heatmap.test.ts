import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HeatmapGrid } from './heatmap-grid.ts';
import { renderHeatmapPng } from './heatmap-render.ts';

describe('heatmap', () => {
  it('accumulates foot points per cell and ignores points off the grid', () => {
    const g = new HeatmapGrid(16);
    g.add(5, 5);
    g.add(15, 15);
    g.add(17, 5);
    g.add(-1, 5);
    g.add(Number.NaN, 5);
    expect(g.samples).toBe(3);
    expect(g.cells[0]).toBe(2);
    expect(g.cells[1]).toBe(1);
    const snap = g.takeSnapshot();
    expect(snap.cells[0]).toBe(2);
    expect(g.samples).toBe(0);
    expect(g.cells[0]).toBe(0);
  });

  it('renders a PNG over a snapshot, hot where people stood, untouched where nobody did', async () => {
    const background = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
    const g = new HeatmapGrid(16);
    for (let i = 0; i < 500; i++) g.add(40 + (i % 8), 40 + (i % 5));
    for (let i = 0; i < 20; i++) g.add(200, 150);
    const png = await renderHeatmapPng(g.snapshot(), { background });
    const img = sharp(png);
    const meta = await img.metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([320, 240]);
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    const hot = px(44, 44);
    expect(hot[0]!).toBeGreaterThan(hot[2]! + 40); // red over the grey
    const cold = px(300, 20);
    expect(cold.every((v) => Math.abs(v - 128) <= 3)).toBe(true);
  });

  it('renders without a snapshot at the extent of the samples', async () => {
    const g = new HeatmapGrid(8);
    g.add(100, 60);
    const meta = await sharp(await renderHeatmapPng(g.snapshot())).metadata();
    expect([meta.width, meta.height]).toEqual([108, 68]);
  });
});
