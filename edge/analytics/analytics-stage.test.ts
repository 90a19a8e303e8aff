// The stage end to end: track frames on the bus -> events in the real SQLite store
// (per-minute aggregates), heatmap PNGs on disk, forecasts from stored history, alerts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.ts';
import { analyticsSection } from '../config/sections/analytics.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { EventStore } from '../store/index.ts';
import { AnalyticsStage } from './analytics-stage.ts';
import { readMotFile } from '../track/eval/index.ts';
import { motTracksOf, replayMot } from './offline/index.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/analytics/', import.meta.url));
const T0 = Date.UTC(2026, 10, 23, 9, 59, 50); // 10 s before an hour boundary

let dir: string;
let store: EventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-analytics-stage-'));
  store = EventStore.open({ path: join(dir, 'events.db'), flushMaxEvents: 100 });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function doorCamera(capacity?: number) {
  const cfg = validateConfig({
    demoCamera: false,
    cameras: [
      {
        name: 'door-cam',
        url: 'rtsp://x/door',
        lines: [{ name: 'door', points: [[100, 100], [300, 100]] }],
        zones: [
          { name: 'street', polygon: [[0, 0], [400, 0], [400, 90], [0, 90]], minStayMs: 500 },
          { name: 'hall', polygon: [[0, 110], [400, 110], [400, 300], [0, 300]], minStayMs: 500, ...(capacity ? { capacity } : {}) },
        ],
      },
    ],
  });
  return cfg.cameras;
}

describe('AnalyticsStage', () => {
  it('counts on the floor for a calibrated camera and counts foot points beyond the horizon in health', async () => {
    // A level camera: floor (x, z) m -> u = 200 + 300 x / z, v = 30 + 1200 / z (horizon v = 30).
    const project = (x: number, z: number) => [200 + (300 * x) / z, 30 + 1200 / z] as const;
    const points = [[-2, 5], [2, 5], [-4, 20], [4, 20]].map(([x, z]) => [...project(x!, z!), x, z]);
    const cameras = validateConfig({
      demoCamera: false,
      cameras: [{ name: 'hall-cam', url: 'rtsp://x/hall', calibration: { points }, lines: [{ name: 'mid', points: [project(-3, 10), project(3, 10)] }] }],
    }).cameras;
    const bus = new EventBus();
    const stage = new AnalyticsStage({ bus, cameras, analyticsConfig: analyticsSection.parse({}), sink: store, logger: silentLogger(), dataDir: dir });
    await stage.start();
    const ids = new Int32Array([1, 2]);
    for (let f = 0; f <= 40; f++) {
      // Person 1 walks away from 8 m to 12 m (across the line at 10 m); row 2 is a box whose bottom is above the horizon.
      const z = 8 + (4 * f) / 40;
      const [u, v] = project(0, z);
      const h = (1.7 * 300) / z;
      const boxes = new Float32Array([u - 0.2 * h, v - h, 0.4 * h, h, 50, 5, 10, 20]);
      bus.emit('track.frame', { camera: 'hall-cam', tsMs: T0 + f * 100, count: 2, ids, boxes, endedCount: 0, endedIds: new Int32Array(0) });
    }
    expect(stage.health()).toMatchObject({ status: 'ok', metrics: { frames: 41, beyondHorizon: 41 } });
    await stage.stop();
    store.flush();
    const counts = store.countsBetween(T0 - 60_000, T0 + 3_600_000, { source: 'hall-cam', subject: 'mid' });
    expect(counts.filter((r) => r.metric === 'out').reduce((a, r) => a + r.n, 0)).toBe(1);
    expect(counts.filter((r) => r.metric === 'in').reduce((a, r) => a + r.n, 0)).toBe(0);
  });

  it('turns track frames into stored events, aggregates and an hourly heatmap', async () => {
    const bus = new EventBus();
    const stage = new AnalyticsStage({ bus, cameras: doorCamera(), analyticsConfig: analyticsSection.parse({}), sink: store, logger: silentLogger(), dataDir: dir });
    await stage.start();
    await stage.start(); // idempotent
    const snapshot = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    bus.emit('camera.snapshot', { camera: 'door-cam', tsMs: T0, jpeg: snapshot });
    for (const frame of replayMot(motTracksOf(readMotFile(join(FIXTURES, 'door-scenarios.txt'))), { camera: 'door-cam', fps: 10, startMs: T0 })) {
      bus.emit('track.frame', frame);
    }
    expect(stage.health()).toMatchObject({ status: 'ok', metrics: { frames: 120 } });
    await stage.stop();
    await stage.stop();
    expect(bus.listenerCount('track.frame')).toBe(0);
    store.flush();
    const counts = store.countsBetween(T0 - 60_000, T0 + 3_600_000, { source: 'door-cam', subject: 'door' });
    const total = (metric: string) => counts.filter((r) => r.metric === metric).reduce((s, r) => s + r.n, 0);
    expect([total('in'), total('out')]).toEqual([5, 2]);
    const visits = store.countsBetween(T0 - 60_000, T0 + 3_600_000, { subject: 'hall', metric: 'visits' });
    expect(visits.reduce((s, r) => s + r.n, 0)).toBe(7);
    const occupancy = store.countsBetween(T0 - 60_000, T0 + 3_600_000, { subject: 'hall', metric: 'occupancy' });
    expect(occupancy.length).toBeGreaterThanOrEqual(1);
    // The frames span 09:59:50-10:00:02: the 09:00 hour's heatmap was written at the roll-over, 10:00 at stop.
    const heatDir = join(dir, 'heatmaps', 'door-cam');
    expect(readdirSync(heatDir).sort()).toEqual(['2026-11-23T09+0000.json', '2026-11-23T09+0000.png', '2026-11-23T10+0000.json', '2026-11-23T10+0000.png']); // local hour + UTC offset (UTC here)
    const meta = await sharp(join(heatDir, '2026-11-23T09+0000.png')).metadata();
    expect([meta.width, meta.height]).toEqual([400, 300]);
  });

  it('raises a crowding alert from a zone capacity, after its minimum duration', async () => {
    const bus = new EventBus();
    let now = T0;
    const appended: Array<{ type: string; data: Record<string, unknown> }> = [];
    const sink = { append: (e: { type: string; data: Record<string, unknown> }) => (appended.push(e), '') };
    const stage = new AnalyticsStage({ bus, cameras: doorCamera(2), analyticsConfig: analyticsSection.parse({ ruleEveryMs: 600_000 }), sink, logger: silentLogger(), dataDir: dir, now: () => now });
    await stage.start();
    const frame = { camera: 'door-cam', tsMs: T0, count: 3, ids: new Int32Array([1, 2, 3]), boxes: new Float32Array([40, 150, 20, 50, 80, 150, 20, 50, 120, 150, 20, 50]), endedCount: 0, endedIds: new Int32Array(0) };
    for (let t = 0; t <= 70_000; t += 1_000) {
      frame.tsMs = T0 + t;
      now = T0 + t;
      bus.emit('track.frame', frame);
      stage.evaluateRules();
    }
    const alerts = appended.filter((e) => e.type === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({ rule: 'crowding.hall', subject: 'hall', value: 3, threshold: 2, state: 'raised' });
    await stage.stop();
  });

  it('forecasts next-hour and rest-of-day visitors from the stored history', async () => {
    // Two days of history: 12 `in` crossings at every hour 09-20.
    const day0 = Date.UTC(2026, 10, 21);
    for (let d = 0; d < 2; d++) {
      for (let h = 9; h < 21; h++) {
        for (let k = 0; k < 12; k++) store.append({ tsMs: day0 + d * 86_400_000 + h * 3_600_000 + k * 60_000, type: 'line.cross', source: 'door-cam', data: { line: 'door', direction: 'in', trackId: k } });
      }
    }
    store.flush();
    const now = day0 + 2 * 86_400_000 + 14 * 3_600_000 + 5 * 60_000; // day 2, 14:05
    const appended: Array<{ type: string; data: Record<string, unknown> }> = [];
    const stage = new AnalyticsStage({
      bus: new EventBus(),
      cameras: doorCamera(),
      analyticsConfig: analyticsSection.parse({}),
      sink: { append: (e) => (appended.push(e), '') },
      logger: silentLogger(),
      dataDir: dir,
      history: store,
      now: () => now,
    });
    await stage.start();
    const figures = stage.updateForecasts(now);
    const door = figures.find((f) => f.subject === 'door')!;
    // Hours 14..20 of the day remain: 7 x 12, nothing counted yet this hour.
    expect(door).toMatchObject({ nextHourVisitors: 12, restOfDayVisitors: 84, method: 'same-hour-of-day' });
    expect(appended.some((e) => e.type === 'forecast' && e.data.subject === 'door')).toBe(true);
    await stage.stop();
    expect(existsSync(join(dir, 'heatmaps'))).toBe(false);
  });
});

describe('demo camera geometry', () => {
  it('matches fixtures/analytics/pets09-s2l1.yaml and is used for the unconfigured demo camera', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseDocument } = await import('yaml');
    const { DEMO_GEOMETRY } = await import('./demo-geometry.ts');
    const cfg = validateConfig(parseDocument(readFileSync(join(FIXTURES, 'pets09-s2l1.yaml'), 'utf8')).toJS());
    expect(DEMO_GEOMETRY.lines).toEqual(cfg.cameras[0]!.lines);
    expect(DEMO_GEOMETRY.zones).toEqual(cfg.cameras[0]!.zones);
    expect([DEMO_GEOMETRY.width, DEMO_GEOMETRY.height]).toEqual([cfg.cameras[0]!.width, cfg.cameras[0]!.height]);
    const bus = new EventBus();
    // As the agent passes it: the demo camera config, without geometry.
    const demoCamera = { name: 'demo', enabled: true, lines: [], zones: [], queues: [] };
    const stage = new AnalyticsStage({ bus, cameras: [demoCamera], analyticsConfig: analyticsSection.parse({}), sink: { append: () => '' }, logger: silentLogger(), dataDir: dir });
    await stage.start();
    for (const frame of replayMot(motTracksOf(readMotFile(fileURLToPath(new URL('../../../shared/fixtures/mot/PETS09-S2L1/gt.txt', import.meta.url)))), { camera: 'demo', fps: 10, startMs: T0 })) {
      bus.emit('track.frame', frame);
    }
    const snap = stage.snapshot() as { cameras: Record<string, { lines: Record<string, { in: number; out: number }> }> };
    expect(snap.cameras.demo!.lines['west-path']).toEqual({ in: 7, out: 5 });
    await stage.stop();
  });
});
