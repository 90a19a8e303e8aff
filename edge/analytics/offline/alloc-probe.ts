// Allocation probe for analytics' zero-allocation test (run in a child process with
// `node --expose-gc --no-memory-reducer --max-semi-space-size=64 --import tsx`): feeds
// CameraAnalytics N frames of a deterministic crowd walking circles on a calibrated camera
// (floor counting: lines mapped to metres, every line sees every point) near lines it never
// crosses and in zones it never leaves (events allocate; the per-frame path must not), and
// prints JSON with the young-generation growth and garbage collections during the measured
// frames. Modes: `floor` (foot points mapped through the calibration), `tracker-floor`
// (TrackFrame.floor given, as from the floor tracker), `image` (no calibration), `leak` (image, plus one small object per frame: the control).
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
  camera: { name: 'probe', lines, zones, floor: mode === 'image' || mode === 'leak' ? null : calibration, width: 1920, height: 1080 },
  sink: { append: () => (events++, '') },
  heatmapCellPx: 16,
});

// Precomputed input (CYCLE frames, replayed): the probe's own arithmetic allocates nothing.
const CYCLE = 400;
const allBoxes = new Float32Array(CYCLE * people * 4);
const allFloor = new Float32Array(CYCLE * people * 2);
const tmp = new Float64Array(2);
for (let f = 0; f < CYCLE; f++) {
  for (let p = 0; p < people; p++) {
    const angle = (2 * Math.PI * f * (1 + (p % 3))) / CYCLE + p;
    const cx = 200 + (p % 8) * 220 + 60 * Math.cos(angle);
    const cy = 200 + Math.floor(p / 8) * 160 + 40 * Math.sin(angle) + 160;
    const o = (f * people + p) * 4;
    allBoxes[o] = cx - 20;
    allBoxes[o + 1] = cy - 100;
    allBoxes[o + 2] = 40;
    allBoxes[o + 3] = 100;
    if (calibration.toFloor(cx, cy, tmp, 0)) {
      allFloor[(f * people + p) * 2] = tmp[0]!;
      allFloor[(f * people + p) * 2 + 1] = tmp[1]!;
    }
  }
}
const ids = new Int32Array(people);
for (let p = 0; p < people; p++) ids[p] = p + 1;
const frames400 = Array.from({ length: CYCLE }, (_, f): TrackFrame => ({
  camera: 'probe',
  tsMs: 0,
  count: people,
  ids,
  boxes: allBoxes.subarray(f * people * 4, (f + 1) * people * 4),
  endedCount: 0,
  endedIds: new Int32Array(0),
  floor: mode === 'tracker-floor' ? allFloor.subarray(f * people * 2, (f + 1) * people * 2) : undefined,
}));
// Frame times (ms), precomputed: within one minute (minute roll-ups emit events, which allocate).
const WARMUP = Number(process.env.ALLOC_PROBE_WARMUP ?? 20_000);
const times = new Float64Array(frames + WARMUP);
for (let i = 0; i < times.length; i++) times[i] = i * 0.5;

let frameNo = 0;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) {
    const frame = frames400[frameNo % CYCLE]!;
    frame.tsMs = times[frameNo]!;
    engine.process(frame);
    if (mode === 'leak') sink = { v: frameNo };
    frameNo++;
  }
};

let gcs = 0;
const obs = new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
});
run(WARMUP);
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
