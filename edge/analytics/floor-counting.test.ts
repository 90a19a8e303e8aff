import { describe, expect, it } from 'vitest';
import { lineSchema } from '../config/sections/analytics.ts';
import { FloorCalibration } from '../shared/floor-calibration.ts';
import { SeededRandom } from '../shared/random.ts';
import type { TrackFrame } from '../shared/types.ts';
import { CameraAnalytics } from './camera-analytics.ts';
import { trackerSection } from '../config/sections/tracker.ts';
import { ByteTracker } from '../track/index.ts';

// A pinhole camera 4 m above a floor, looking level (as scripts/crowd-sim): floor (x, z) in
// metres -> image u = 960 + f x / z, v = 86.4 + 4 f / z; a 1.7 m person is 1.7 f / z px tall.
const F = 972;
const project = (x: number, z: number): [number, number] => [960 + (F * x) / z, 86.4 + (4 * F) / z];
const CAL = FloorCalibration.fromPoints([
  [...project(-2, 4.5), -2, 4.5],
  [...project(2, 4.5), 2, 4.5],
  [...project(-6, 25), -6, 25],
  [...project(6, 25), 6, 25],
] as Array<[number, number, number, number]>);

/** A counting line across the floor at depth z (x from -3 to 3 m), drawn in the image. */
const lineAt = (z: number, extra: Record<string, unknown> = {}) => lineSchema.parse({ name: 'door', points: [project(-3, z), project(3, z)], ...extra });

/** Floor positions (x, z) per frame at 10 fps: straight steps of `speed` m/s through the waypoints. */
function route(points: Array<[number, number]>, speed = 1.2): Array<[number, number]> {
  const out: Array<[number, number]> = [points[0]!];
  for (let k = 1; k < points.length; k++) {
    const [ax, az] = points[k - 1]!;
    const [bx, bz] = points[k]!;
    const n = Math.max(1, Math.round(Math.hypot(bx - ax, bz - az) / (speed / 10)));
    for (let i = 1; i <= n; i++) out.push([ax + ((bx - ax) * i) / n, az + ((bz - az) * i) / n]);
  }
  return out;
}

/**
 * Runs one person along a floor route through analytics: boxes projected from the floor with
 * the crowd simulator's detector jitter (centre N(0, j·h), size × exp(N(0, j))).
 */
function countRoute(path: Array<[number, number]>, line: ReturnType<typeof lineAt>, opts: { floor: boolean; jitter?: number; seed?: number; floorTracker?: boolean }) {
  const rng = new SeededRandom(opts.seed ?? 7);
  const engine = new CameraAnalytics({ camera: { name: 'cam', lines: [line], zones: [], floor: opts.floor ? CAL : null }, sink: { append: () => '' }, heatmapCellPx: null });
  // The product's path on a calibrated camera: detections -> floor tracker -> analytics.
  const tracker = opts.floorTracker ? new ByteTracker(trackerSection.parse({}), { calibration: CAL }) : null;
  const boxes = new Float32Array(4);
  const frame: TrackFrame = { camera: 'cam', tsMs: 0, count: 1, ids: new Int32Array([1]), boxes, endedCount: 0, endedIds: new Int32Array(0) };
  const j = opts.jitter ?? 0;
  path.forEach(([x, z], f) => {
    const [u, v] = project(x, z);
    const h0 = (1.7 * F) / z;
    const w = 0.41 * h0 * Math.exp(rng.normal(0, j));
    const h = h0 * Math.exp(rng.normal(0, j));
    const cx = u + rng.normal(0, j * h0);
    const cy = v - h0 / 2 + rng.normal(0, j * h0);
    boxes.set([cx - w / 2, cy - h / 2, w, h]);
    if (tracker) {
      const out = tracker.update(f * 100, { count: 1, boxes, scores: new Float32Array([0.9]) });
      engine.process({ camera: 'cam', tsMs: out.tsMs, count: out.count, ids: out.ids, boxes: out.boxes, endedCount: out.endedCount, endedIds: out.endedIds, floor: out.floor });
      return;
    }
    frame.tsMs = f * 100;
    engine.process(frame);
  });
  engine.flush();
  return { ...engine.totals().lines.door!, beyondHorizon: engine.beyondHorizon };
}

describe('counting on the floor (calibrated camera)', () => {
  it('counts a person wobbling along a line at 6% jitter once (20 seeds, near and far), where no band counts many times', () => {
    // Up to the line, 4 m along it (on it), then away on the far side. At 8 m the 6% jitter is
    // about 0.2 m on the floor in depth, more than bandM: the noise-widened band and the hold
    // keep it to one count. Not always: the defaults are chosen on crowds (BENCHMARKS.md), and
    // at 6% some walks still count 3 (out, in, out). Measured: once in 18/20 walks at 5 m (mean
    // 1.2 counts) and 16/20 at 8 m (mean 1.4); without a band, about 21 counts per walk.
    for (const z of [5, 8]) {
      const path = route([[-2.5, z - 1.5], [-2, z], [2, z], [2, z + 1.5]], 1.0);
      let once = 0;
      let total = 0;
      let noBand = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const r = countRoute(path, lineAt(z), { floor: true, jitter: 0.06, seed });
        if (r.in === 0 && r.out === 1) once++;
        total += r.in + r.out;
        const c = countRoute(path, lineAt(z, { bandM: 0, bandNoiseBoxFraction: 0, holdS: 0 }), { floor: true, jitter: 0.06, seed });
        noBand += c.in + c.out;
      }
      expect(once, `exactly once at ${z} m`).toBeGreaterThanOrEqual(16);
      expect(total / 20, `mean count at ${z} m`).toBeLessThanOrEqual(1.4);
      expect(noBand / 20, `control: no band at ${z} m`).toBeGreaterThan(10);
    }
  });

  it('counts a person crossing once per direction', () => {
    const path = route([[0, 5], [0, 12], [0.5, 12], [0.5, 5]]);
    expect(countRoute(path, lineAt(8), { floor: true, jitter: 0.03 })).toMatchObject({ in: 1, out: 1 });
    // Floor y (depth) grows away from the camera, the mirror image of the picture: `in` stays as drawn.
    expect(countRoute(route([[0, 5], [0, 12]]), lineAt(8), { floor: false })).toMatchObject({ in: 0, out: 1 });
    expect(countRoute(route([[0, 5], [0, 12]]), lineAt(8), { floor: true })).toMatchObject({ in: 0, out: 1 });
  });

  it('gives a far and a near person the same band in metres', () => {
    // Without the noise widening (bandNoiseBoxFraction 0) the band is bandM, whatever the depth.
    const line = (z: number) => lineAt(z, { bandM: 0.3, holdS: 0, bandNoiseBoxFraction: 0 });
    // Step 0.45 m over the line and back: beyond the 0.3 m band, two crossings, near and far alike.
    for (const z of [5, 20]) {
      const over = route([[0, z - 1.5], [0, z + 0.45], [0, z - 1.5]]);
      expect(countRoute(over, line(z), { floor: true }), `over at ${z} m`).toMatchObject({ in: 1, out: 1 });
      // 0.2 m over is inside the band: no crossing at either depth.
      const short = route([[0, z - 1.5], [0, z + 0.2], [0, z - 1.5]]);
      expect(countRoute(short, line(z), { floor: true }), `short at ${z} m`).toMatchObject({ in: 0, out: 0 });
    }
    // In pixels the two steps differ tenfold: the image counter's 8 px band counts the near one only.
    expect(countRoute(route([[0, 3.5], [0, 5.45], [0, 3.5]]), lineAt(5, { minSideMs: 0 }), { floor: false })).toMatchObject({ in: 1, out: 1 });
    expect(countRoute(route([[0, 18.5], [0, 20.45], [0, 18.5]]), lineAt(20, { minSideMs: 0 }), { floor: false })).toMatchObject({ in: 0, out: 0 });
  });

  it('widens the band where pixel noise reaches farther on the floor: far people crossing in depth', () => {
    // 0.45 m over a line at 20 m depth and back: 6% of the box height there is 0.51 m in depth.
    const over = route([[0, 18.5], [0, 20.45], [0, 18.5]]);
    expect(countRoute(over, lineAt(20, { bandM: 0.3, holdS: 0, bandNoiseBoxFraction: 0.06 }), { floor: true })).toMatchObject({ in: 0, out: 0 });
    expect(countRoute(over, lineAt(20, { bandM: 0.3, holdS: 0, bandNoiseBoxFraction: 0 }), { floor: true })).toMatchObject({ in: 1, out: 1 });
    // Near (5 m), the same 6% is 0.13 m: bandM rules.
    expect(countRoute(route([[0, 3.5], [0, 5.45], [0, 3.5]]), lineAt(5, { bandM: 0.3, holdS: 0, bandNoiseBoxFraction: 0.06 }), { floor: true })).toMatchObject({ in: 1, out: 1 });
  });

  it("counts a queue's service line on the floor: a near step 0.1 m over it is no service, walking through is", () => {
    // Queue area from 5 to 8 m depth (x -1..1), served crossing the counter at 8 m (away from the camera).
    const queue = {
      name: 'till',
      polygon: [project(-1, 5), project(1, 5), project(1, 8), project(-1, 8)] as Array<[number, number]>,
      serviceLine: { points: [project(-1.5, 8), project(1.5, 8)] as [[number, number], [number, number]], direction: 'any' as const, minDistancePx: 4, minSideMs: 0 },
      minStayMs: 1_000,
      exitGraceMs: 500,
      smoothing: 1,
    };
    const served = (path: Array<[number, number]>, floor: boolean) => {
      const engine = new CameraAnalytics({ camera: { name: 'cam', lines: [], zones: [], queues: [queue], floor: floor ? CAL : null }, sink: { append: () => '' }, heatmapCellPx: null });
      const boxes = new Float32Array(4);
      const frame: TrackFrame = { camera: 'cam', tsMs: 0, count: 1, ids: new Int32Array([1]), boxes, endedCount: 0, endedIds: new Int32Array(0) };
      path.forEach(([x, z], f) => {
        const [u, v] = project(x, z);
        const h = (1.7 * F) / z;
        boxes.set([u - 0.2 * h, v - h, 0.4 * h, h]);
        frame.tsMs = f * 100;
        engine.process(frame);
      });
      engine.flush();
      return engine.queues[0]!.servedTotal;
    };
    const wait = route([[0, 6], [0, 6.1], [0, 6], [0, 6.1], [0, 6], [0, 6.1], [0, 6]], 0.1);
    // 0.1 m past the counter and back (6 px in the image here, beyond the 4 px image band).
    const step = [...wait, ...route([[0, 6], [0, 8.1], [0, 6.5]], 1)];
    expect(served(step, false)).toBe(1); // the image band takes the step for a service
    expect(served(step, true)).toBe(0);
    const through = [...wait, ...route([[0, 6], [0, 10]], 1)];
    expect(served(through, true)).toBe(1);
  });

  it('drops foot points beyond the horizon from floor logic and counts them', () => {
    const engine = new CameraAnalytics({ camera: { name: 'cam', lines: [lineAt(8)], zones: [], floor: CAL }, sink: { append: () => '' }, heatmapCellPx: null });
    // A box whose bottom is above the horizon row (v < 86.4): a bird, a sign, a false positive.
    const frame: TrackFrame = { camera: 'cam', tsMs: 0, count: 1, ids: new Int32Array([1]), boxes: new Float32Array([900, 10, 20, 50]), endedCount: 0, endedIds: new Int32Array(0) };
    engine.process(frame);
    frame.tsMs = 100;
    engine.process(frame);
    expect(engine.beyondHorizon).toBe(2);
    expect(engine.totals().lines.door).toEqual({ in: 0, out: 0 });
  });

  it("uses the tracker's floor positions (TrackFrame.floor) when given", () => {
    const engine = new CameraAnalytics({ camera: { name: 'cam', lines: [lineAt(8, { holdS: 0 })], zones: [], floor: CAL }, sink: { append: () => '' }, heatmapCellPx: null });
    // The boxes stand still on the near side; the floor positions walk across the line.
    const [u, v] = project(0, 6);
    const frame: TrackFrame = { camera: 'cam', tsMs: 0, count: 1, ids: new Int32Array([1]), boxes: new Float32Array([u - 20, v - 100, 40, 100]), endedCount: 0, endedIds: new Int32Array(0), floor: new Float32Array(2) };
    route([[0, 6], [0, 10]]).forEach(([x, z], f) => {
      frame.floor![0] = x;
      frame.floor![1] = z;
      frame.tsMs = f * 100;
      engine.process(frame);
    });
    engine.flush();
    expect(engine.totals().lines.door).toEqual({ in: 0, out: 1 });
  });
});
