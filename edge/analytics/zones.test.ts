import { describe, expect, it } from 'vitest';
import type { ZoneConfig } from '../config/sections/analytics.ts';
import { runCount } from './offline/index.ts';
import { PackedPolygon } from '../shared/geometry.ts';
import { chain, tracksOf, walk, type FootPath } from './offline/index.ts';

// 10 fps: one frame = 100 ms.
const A: ZoneConfig = { name: 'A', polygon: [[0, 0], [100, 0], [100, 100], [0, 100]], minStayMs: 1_000, exitGraceMs: 500 };
const B: ZoneConfig = { name: 'B', polygon: [[200, 0], [300, 0], [300, 100], [200, 100]], minStayMs: 1_000, exitGraceMs: 500 };

function run(paths: FootPath[], zones: ZoneConfig[] = [A, B], startMs = 0) {
  return runCount({ tracks: tracksOf(paths), camera: { name: 'cam', lines: [], zones }, fps: 10, startMs });
}

function stay(p: readonly [number, number], frames: number): Array<[number, number]> {
  return walk(p, p, frames);
}

describe('point in polygon', () => {
  it('handles concave polygons and shared edges', () => {
    // An L shape.
    const l = new PackedPolygon([[0, 0], [100, 0], [100, 40], [40, 40], [40, 100], [0, 100]]);
    expect(l.contains(20, 80)).toBe(true);
    expect(l.contains(80, 20)).toBe(true);
    expect(l.contains(80, 80)).toBe(false);
    expect(l.contains(150, 20)).toBe(false);
    // Two squares sharing the edge y = 50: a point on it belongs to exactly one.
    const top = new PackedPolygon([[0, 0], [100, 0], [100, 50], [0, 50]]);
    const bottom = new PackedPolygon([[0, 50], [100, 50], [100, 100], [0, 100]]);
    expect(Number(top.contains(30, 50)) + Number(bottom.contains(30, 50))).toBe(1);
  });
});

describe('zone visits', () => {
  it('emits one visit with its dwell on exit', () => {
    // Outside 5 frames, inside 30 frames (3.0 s from first inside to first outside), then out.
    const pts = chain(walk([150, 50], [110, 50], 5), walk([90, 50], [60, 50], 30), walk([110, 50], [150, 50], 10));
    const r = run([{ id: 4, startFrame: 1, points: pts }]);
    const visits = r.events.filter((e) => e.type === 'zone.visit');
    expect(visits).toHaveLength(1);
    expect(visits[0]!.data).toMatchObject({ zone: 'A', trackId: 4, dwellMs: 3_000 });
    expect(r.totals.zones.A).toEqual({ visits: 1, meanDwellMs: 3_000 });
  });

  it('ignores stays shorter than minStayMs (flicker)', () => {
    const pts = chain(walk([150, 50], [110, 50], 5), stay([95, 50], 8), walk([110, 50], [150, 50], 10));
    expect(run([{ id: 1, startFrame: 1, points: pts }]).totals.zones.A).toEqual({ visits: 0, meanDwellMs: 0 });
  });

  it('keeps one visit through a short step outside (exit grace)', () => {
    const pts = chain(stay([50, 50], 20), stay([105, 50], 3), stay([50, 50], 20), walk([120, 50], [160, 50], 10));
    const r = run([{ id: 1, startFrame: 1, points: pts }]);
    expect(r.totals.zones.A!.visits).toBe(1);
  });

  it('closes an open visit when the track ends inside, at its last sighting', () => {
    const r = run([{ id: 1, startFrame: 1, points: stay([50, 50], 25) }]);
    const v = r.events.find((e) => e.type === 'zone.visit')!;
    expect(v.data.dwellMs).toBe(2_400);
  });

  it('samples occupancy per minute (mean, max, count)', () => {
    // Two people inside A for the whole first minute; one leaves at 60.5 s... the other stays to 90 s.
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: stay([50, 50], 605) },
      { id: 2, startFrame: 1, points: stay([60, 60], 900) },
    ];
    const r = run(paths, [{ ...A, minStayMs: 0, exitGraceMs: 0 }]);
    const occ = r.events.filter((e) => e.type === 'zone.occupancy');
    expect(occ).toHaveLength(2);
    expect(occ[0]).toMatchObject({ tsMs: 0, data: { zone: 'A', mean: 2, max: 2, count: 2, entries: 2 } });
    expect(occ[1]!.tsMs).toBe(60_000);
    expect(occ[1]!.data.max).toBe(2);
    expect(occ[1]!.data.mean as number).toBeGreaterThan(1);
    expect(occ[1]!.data.mean as number).toBeLessThan(1.2);
  });
});

describe('paths and transitions', () => {
  it('emits the zone sequence when a track ends and counts A>B transitions', () => {
    const ab = chain(stay([50, 50], 20), walk([50, 50], [250, 50], 10), stay([250, 50], 20), walk([250, 50], [250, 300], 5));
    const ba = chain(stay([250, 50], 20), walk([250, 50], [50, 50], 10), stay([50, 50], 20));
    const r = run([
      { id: 1, startFrame: 1, points: ab },
      { id: 2, startFrame: 1, points: ab },
      { id: 3, startFrame: 1, points: ba },
    ]);
    const paths = r.events.filter((e) => e.type === 'path');
    expect(paths).toHaveLength(3);
    const p1 = paths.find((p) => p.data.trackId === 1)!;
    expect(p1.data.zones).toEqual(['A', 'B']);
    expect((p1.data.dwellsMs as number[]).length).toBe(2);
    expect(r.totals.paths).toEqual({ 'A>B': 2, 'B>A': 1 });
  });

  it('keeps one path through a lost-and-found relink', () => {
    const r = run([
      { id: 1, startFrame: 1, points: chain(stay([50, 50], 20), walk([50, 50], [150, 50], 8)) },
      { id: 9, startFrame: 32, points: chain(walk([170, 50], [250, 50], 5), stay([250, 50], 20)) },
    ]);
    const paths = r.events.filter((e) => e.type === 'path');
    expect(paths).toHaveLength(1);
    expect(paths[0]!.data).toMatchObject({ trackId: 1, zones: ['A', 'B'] });
  });
});

describe('dwell distribution', () => {
  it('bins visit dwell per zone per hour', async () => {
    const { CameraAnalytics } = await import('./camera-analytics.ts');
    const { DWELL_BINS_MS } = await import('./dwell-histogram.ts');
    const engine = new CameraAnalytics({ camera: { name: 'c', lines: [], zones: [A] }, sink: { append: () => '' } });
    engine.onZoneVisit(0, 0, 0, 5_000, 10_000);
    engine.onZoneVisit(0, 0, 0, 45_000, 50_000);
    engine.onZoneVisit(0, 0, 0, 3_600_000, 3_700_000);
    const h = engine.dwellHistograms[0]!.byHour;
    expect(Array.from(h.get(0)!)).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(h.get(3_600_000)!)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(DWELL_BINS_MS).toHaveLength(7);
  });
});

describe('zone lookup grid', () => {
  it('gives the same visits with more than 32 zones (no grid) as with the grid', () => {
    const many: ZoneConfig[] = [A, B];
    for (let i = 0; i < 31; i++) many.push({ name: `s${i}`, polygon: [[400 + i * 20, 400], [415 + i * 20, 400], [415 + i * 20, 415], [400 + i * 20, 415]], minStayMs: 0, exitGraceMs: 0 });
    const pts = chain(stay([50, 50], 20), walk([50, 50], [250, 50], 10), stay([250, 50], 20), walk([250, 50], [405, 405], 10), stay([405, 405], 5));
    const withGrid = run([{ id: 1, startFrame: 1, points: pts }], many.slice(0, 32));
    const noGrid = run([{ id: 1, startFrame: 1, points: pts }], many);
    expect(many).toHaveLength(33);
    expect(withGrid.totals.zones.A).toEqual(noGrid.totals.zones.A);
    expect(withGrid.totals.zones.B).toEqual(noGrid.totals.zones.B);
    expect(noGrid.totals.zones.s0!.visits).toBe(1);
    expect(withGrid.totals.paths).toEqual({ 'A>B': 1, 'B>s0': 1 });
  });
});
