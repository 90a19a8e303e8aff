import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import type { NewEvent, TrackFrame } from '../shared/types.ts';
import { EventStore } from '../store/index.ts';
import type { FragmentBatch, FragmentChunk } from './fragment.ts';
import { SitePathsService } from './site-paths-service.ts';
import { SitePathsStage } from './site-paths-stage.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const rect = (name: string, x0: number, x1: number) => ({ name, polygon: [[x0, -1.5], [x1, -1.5], [x1, 1.5], [x0, 1.5]] });
const points = (x0: number) => [[100, 400, x0, 0], [800, 400, x0 + 10, 0], [100, 100, x0, 8], [800, 100, x0 + 10, 8], [450, 250, x0 + 5, 4]];

function siteConfig(extra: Record<string, unknown> = {}) {
  return configSchema.parse({
    site: 'mall',
    device: 'box-a',
    cameras: [
      { name: 'cam1', width: 960, height: 540, calibration: { points: points(0) } },
      { name: 'cam2', width: 960, height: 540, calibration: { points: points(10) } },
      { name: 'lobby', width: 960, height: 540 },
    ],
    floorPlan: { zones: [rect('A', 1, 6), rect('B', 14, 19)] },
    sitePaths: { k: 3, publishDelayS: 60, boxes: ['box-b'], ...extra },
  });
}

/** People walking x 0 -> 20 along y 0 at 1 m/s: A then B; cam1 sees x < 11, cam2 x >= 9 (box b). */
function batches(people: number, startMs: number): FragmentBatch[] {
  const out: FragmentBatch[] = [];
  for (let p = 0; p < people; p++) {
    const t0 = startMs + p * 30_000;
    const chunk = (box: string, camera: string, a: number, b: number): FragmentChunk => {
      const t: number[] = [];
      const x: number[] = [];
      const y: number[] = [];
      for (let k = 0; k <= 100; k++) {
        const px = k * 0.2;
        if (px >= a && px < b) {
          t.push(t0 + k * 200);
          x.push(px);
          y.push(0);
        }
      }
      return { box, camera, fragment: p + 1, t, x, y, ended: true };
    };
    out.push({ box: 'box-a', upToMs: t0 + 20_000, chunks: [chunk('box-a', 'cam1', 0, 11)] });
    out.push({ box: 'box-b', upToMs: t0 + 20_000, chunks: [chunk('box-b', 'cam2', 9, 21)] });
  }
  return out;
}

function collector() {
  const events: NewEvent[] = [];
  return { events, sink: { append: (e: NewEvent) => (events.push(e), 'id') } };
}

/**
 * Feeds the batches to a service (the clock following their watermarks), then lets time pass
 * to 12:02 with both boxes reporting nothing new, so the 10:00 and 11:00 hours publish.
 */
function runHours(all: FragmentBatch[]): { events: NewEvent[]; verdicts: string[] } {
  let now = T0;
  const { events, sink } = collector();
  const service = new SitePathsService({ config: siteConfig(), sink, logger: silentLogger(), now: () => now });
  const verdicts: string[] = [];
  for (const b of all) {
    now = b.upToMs;
    verdicts.push(service.add(b));
    service.tick();
  }
  for (let t = now; t < T0 + 2 * HOUR + 2 * 60_000; t += 10_000) {
    now = t;
    service.add({ box: 'box-a', upToMs: t, chunks: [] });
    service.add({ box: 'box-b', upToMs: t, chunks: [] });
    service.tick();
  }
  return { events, verdicts };
}

describe('SitePathsService', () => {
  it("publishes each hour's paths once, publishDelayS after the hour, without cells below k", () => {
    // Four people in the 10:00 hour, two in the 11:00 hour (below k = 3).
    const { events, verdicts } = runHours([...batches(4, T0 + 58 * 60_000 - 4 * 30_000), ...batches(2, T0 + HOUR + 5 * 60_000)]);
    expect(new Set(verdicts)).toEqual(new Set(['ok']));
    const hours = events.filter((e) => e.type === 'site.paths');
    expect(hours.map((e) => e.data.hour)).toEqual(['2026-12-05T10:00:00.000Z', '2026-12-05T11:00:00.000Z']);
    expect(hours[0]!.data.transitions).toEqual({ 'A>B': 4 });
    expect(hours[0]!.data.visits).toEqual({ A: 4, B: 4 });
    expect(hours[1]!.data.transitions).toEqual({});
    expect(hours[1]!.data.suppressed).toEqual({ visits: 2, transitions: 1, sequences: 0 });
    expect(hours[0]!.data.boxes).toEqual(['box-a', 'box-b']);
  });

  it("says which cameras and boxes took part in each hour: every box's, not only this one's", () => {
    // 10:00: both boxes see people (cam1 on box a, cam2 on box b); 11:00: only box a's cam1 does.
    const tenOClock = batches(4, T0 + 10 * 60_000);
    const elevenOClock = batches(4, T0 + HOUR + 10 * 60_000).map((b) => (b.box === 'box-b' ? { ...b, chunks: [] } : b));
    const { events } = runHours([...tenOClock, ...elevenOClock]);
    const hours = events.filter((e) => e.type === 'site.paths');
    expect(hours.map((e) => [e.data.hour, e.data.cameras, e.data.boxes])).toEqual([
      ['2026-12-05T10:00:00.000Z', 2, ['box-a', 'box-b']],
      ['2026-12-05T11:00:00.000Z', 1, ['box-a']],
    ]);
    expect(hours[1]!.data.visits).toEqual({ A: 4 });
  });

  it('drops and counts batches from unknown boxes and with times far off', () => {
    const now = T0;
    const { sink } = collector();
    const service = new SitePathsService({ config: siteConfig(), sink, logger: silentLogger(), now: () => now });
    const [a] = batches(1, T0 - 20_000);
    expect(service.add({ ...a!, box: 'box-x', chunks: a!.chunks.map((c) => ({ ...c, box: 'box-x' })) })).toBe('unknown-box');
    expect(service.add({ box: 'box-b', upToMs: T0 + 10 * 60_000, chunks: [] })).toBe('clock-skew');
    // A watermark on time but samples two hours old: dropped as well.
    expect(service.add({ box: 'box-b', upToMs: T0, chunks: [{ box: 'box-b', camera: 'cam2', fragment: 9, t: [T0 - 2 * HOUR], x: [1], y: [0], ended: false }] })).toBe('clock-skew');
    expect(service.counters).toMatchObject({ droppedUnknownBox: 1, droppedClockSkew: 2, batches: 0 });
  });

  it('keeps the hours in progress across a restart (aggregates only)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-sitepaths-'));
    try {
      const store = EventStore.open({ path: join(dir, 'events.db'), logger: silentLogger() });
      let now = T0;
      const { sink } = collector();
      const first = new SitePathsService({ config: siteConfig(), sink, logger: silentLogger(), state: store, now: () => now });
      for (const b of batches(3, T0 + 60_000)) {
        now = b.upToMs;
        first.add(b);
      }
      now += 30_000;
      first.add({ box: 'box-a', upToMs: now, chunks: [] });
      first.add({ box: 'box-b', upToMs: now, chunks: [] });
      first.tick();
      expect(first.hoursInProgress()[0]?.transitions).toEqual({ 'A>B': 3 });
      first.save();
      const second = new SitePathsService({ config: siteConfig(), sink, logger: silentLogger(), state: store, now: () => now });
      expect(second.hoursInProgress()[0]?.transitions).toEqual({ 'A>B': 3 });
      expect(second.hoursInProgress()[0]?.suppressed).toEqual({ visits: 0, transitions: 0, sequences: 0 });
      // With k = 4 the same hour shows nothing, and says how many cells it left out (A, B, A>B).
      const stricter = new SitePathsService({ config: siteConfig({ k: 4 }), sink, logger: silentLogger(), state: store, now: () => now }).hoursInProgress()[0]!;
      expect(stricter).toMatchObject({ visits: {}, transitions: {}, sequences: {}, suppressed: { visits: 2, transitions: 1, sequences: 0 } });
      // The cameras that took part come back too: the hour, published after the restart, names both boxes' cameras.
      const published = collector();
      const third = new SitePathsService({ config: siteConfig({ publishDelayS: 0 }), sink: published.sink, logger: silentLogger(), state: store, now: () => now });
      now = T0 + HOUR + 60_000;
      third.add({ box: 'box-a', upToMs: now, chunks: [] });
      third.add({ box: 'box-b', upToMs: now, chunks: [] });
      third.tick();
      expect(published.events.map((e) => [e.data.cameras, e.data.boxes])).toEqual([[2, ['box-a', 'box-b']]]);
      store.setState('sitePaths.hours', '{broken');
      expect(new SitePathsService({ config: siteConfig(), sink, logger: silentLogger(), state: store, now: () => now }).hoursInProgress()).toEqual([]);
      void store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SitePathsStage', () => {
  let stage: SitePathsStage | null = null;
  afterEach(async () => {
    await stage?.stop();
    stage = null;
  });

  it('builds fragments from floor track frames, stitches them and says which cameras take no part', async () => {
    const bus = new EventBus();
    let now = T0;
    const { events, sink } = collector();
    stage = new SitePathsStage({ bus, config: siteConfig({ boxes: [], publishDelayS: 0, k: 1 }), sink, logger: silentLogger(), now: () => now });
    await stage.start();
    const frame = (camera: string, tsMs: number, ids: number[], xs: number[]): TrackFrame => ({
      camera,
      tsMs,
      count: ids.length,
      ids: Int32Array.from(ids),
      boxes: Float32Array.from(ids.flatMap(() => [400, 200, 40, 120])),
      floor: Float32Array.from(xs.flatMap((x) => [x, 0])),
      endedCount: 0,
      endedIds: new Int32Array(0),
    });
    // One person walks x 0 -> 20 at 1 m/s seen by cam1 (x < 11) and cam2 (x >= 9), 10 fps.
    for (let k = 0; k <= 200; k++) {
      now = T0 + k * 100;
      const x = k * 0.1;
      if (x < 11) bus.emit('track.frame', frame('cam1', now, [7], [x]));
      if (x >= 9) bus.emit('track.frame', frame('cam2', now, [3], [x]));
      if (k % 10 === 0) stage.flush();
    }
    for (let k = 201; k <= 200 + 3700 * 10; k += 10) {
      now = T0 + k * 100;
      bus.emit('track.frame', frame('cam1', now, [], []));
      bus.emit('track.frame', frame('cam2', now, [], []));
      stage.flush();
    }
    const view = stage.view();
    expect(view.cameras).toEqual(['cam1', 'cam2']);
    expect(view.uncalibrated).toEqual(['lobby']);
    const h = stage.health();
    expect(h.status).toBe('degraded');
    expect(h.detail).toContain('no calibration (no part in site paths): lobby');
    expect(h.metrics).toMatchObject({ handovers: 1 });
    expect(h.detail).not.toContain('zones outside');
    const paths = events.filter((e) => e.type === 'site.paths');
    expect(paths).toHaveLength(1);
    expect(paths[0]!.data.transitions).toEqual({ 'A>B': 1 });
  });
});
