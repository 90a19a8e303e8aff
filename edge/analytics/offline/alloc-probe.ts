// Allocation probe for analytics' zero-allocation test (run in a child process with
// `node --expose-gc --no-memory-reducer --max-semi-space-size=64 --import tsx`): feeds
// CameraAnalytics N frames of a deterministic crowd walking circles on a calibrated camera
// (floor counting: lines mapped to metres, every line sees every point) near lines it never
// crosses and in zones it never leaves (events allocate; the per-frame path must not), and
// prints JSON with the young-generation growth and garbage collections during the measured
// frames. Modes: `floor` (foot points mapped through the calibration), `tracker-floor`
// (TrackFrame.floor given, as from the floor tracker), `image` (no calibration), `leak` (control).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { lineSchema, zoneSchema } from '../../config/sections/analytics.ts';
import { FloorCalibration } from '../../shared/floor-calibration.ts';
import type { TrackFrame } from '../../shared/types.ts';
import { CameraAnalytics } from '../camera-analytics.ts';

const frames = Number(process.argv[2] ?? 100_000);
const people = Number(process.argv[3] ?? 24);
const mode = process.argv[4] ?? 'floor';
let sink: { v: number } | undefined;
const calibration = FloorCalibration.fromPoints([
  [0, 1080, -3, 2],
  [1920, 1080, 3, 2],
  [1920, 0, 12, 30],
  [0, 0, -12, 30],
]);
// People circle around (200 + 220 k, 200 + 160 m) with radii 60 x 40 px: lines lie between
// the circles' columns and rows, the zone covers everyone.
const lines = [
  lineSchema.parse({ name: 'v', points: [[310 + 440, 100], [310 + 440, 1000]] }),
  lineSchema.parse({ name: 'h', points: [[100, 280], [1800, 280]] }),
];
const zones = [zoneSchema.parse({ name: 'all', polygon: [[50, 50], [1900, 50], [1900, 1070], [50, 1070]] })];
let events = 0;
const engine = new CameraAnalytics({
  camera: { name: 'probe', lines, zones, floor: mode === 'image' ? null : calibration, width: 1920, height: 1080 },
  sink: { append: () => (events++, '') },
  heatmapCellPx: 16,
});

const CYCLE = 400;
const boxes = new Float32Array(people * 4);
const floor = new Float32Array(people * 2);
const ids = new Int32Array(people);
for (let p = 0; p < people; p++) ids[p] = p + 1;
const frame: TrackFrame = { camera: 'probe', tsMs: 0, count: people, ids, boxes, endedCount: 0, endedIds: new Int32Array(0), floor: mode === 'tracker-floor' ? floor : undefined };
const tmp = new Float64Array(2);

let frameNo = 0;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) {
    const f = frameNo % CYCLE;
    for (let p = 0; p < people; p++) {
      const angle = (2 * Math.PI * f * (1 + (p % 3))) / CYCLE + p;
      const cx = 200 + (p % 8) * 220 + 60 * Math.cos(angle);
      const cy = 200 + Math.floor(p / 8) * 160 + 40 * Math.sin(angle) + 160;
      boxes[4 * p] = cx - 20;
      boxes[4 * p + 1] = cy - 100;
      boxes[4 * p + 2] = 40;
      boxes[4 * p + 3] = 100;
      if (calibration.toFloor(cx, cy, tmp, 0)) {
        floor[2 * p] = tmp[0]!;
        floor[2 * p + 1] = tmp[1]!;
      }
    }
    // Within one minute of frame time: minute roll-ups emit events, which allocate.
    frame.tsMs = frameNo * 0.5;
    engine.process(frame);
    if (mode === 'leak') sink = { v: frameNo * 0.5 };
    frameNo++;
  }
};

let gcs = 0;
const obs = new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
});
run(20_000);
const g = (globalThis as { gc?: () => void }).gc;
if (!g) throw new Error('run with --expose-gc');
g();
g();
obs.observe({ entryTypes: ['gc'] });
const newSpaceUsed = (): number => getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
const newBefore = newSpaceUsed();
const eventsBefore = events;
run(frames);
const newAfter = newSpaceUsed();
setTimeout(() => {
  obs.disconnect();
  process.stdout.write(
    `${JSON.stringify({ sink: sink?.v ?? null, frames, newSpaceGrowthBytes: newAfter - newBefore, gcs, events: events - eventsBefore, trackUpdates: engine.trackUpdates, beyondHorizon: engine.beyondHorizon, lines: engine.totals().lines })}\n`,
  );
}, 50);
