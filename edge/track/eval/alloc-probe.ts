// Allocation probe for the zero-allocation test: run in a child process with
// `node --expose-gc --no-memory-reducer --max-semi-space-size=64 --import tsx` (a young
// generation large enough that any per-frame allocation shows as new-space growth instead
// of being hidden by a scavenge), tracks N frames of a deterministic moving crowd (with
// misses, low scores, exits and entries, rank-mapped raw scores) and prints JSON with the
// heap growth and the number of garbage collections during the measured frames.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { trackerSection } from '../../config/sections/tracker.ts';
import { ByteTracker } from '../index.ts';
import { FloorCalibration } from '../../shared/floor-calibration.ts';
import { DetectionScheduler, geometrySegments, ScheduleDecision } from '../../detect/index.ts';

const frames = Number(process.argv[2] ?? 100_000);
const people = Number(process.argv[3] ?? 40);
/** Control mode for the test: allocate one small object per frame, which the probe must see. */
const leak = process.argv[4] === 'leak';
/** Floor mode: the same crowd seen by a calibrated camera (4 m up, looking down the floor). */
const floor = process.argv[4] === 'floor';
/**
 * Sparse mode: the detector's DetectionScheduler (every 3rd frame, a counting line across the
 * crowd) decides per frame, the tracker updates or predicts, the scheduler learns the tracks.
 */
const sparse = process.argv[4] === 'sparse';
const scheduler = new DetectionScheduler({ detectEveryFrames: 3, speedBoxHeightsPerS: 1.5, newTrackMs: 1000, segments: geometrySegments({ lines: [{ points: [[900, 0], [900, 1080]] }] }) });
let predicted = 0;
let schedulerPredicts = 0;
let sink: { v: number } | undefined;
const calibration = FloorCalibration.fromPoints([
  [0, 1080, -3, 2],
  [1920, 1080, 3, 2],
  [1920, 0, 12, 30],
  [0, 0, -12, 30],
]);
const tracker = new ByteTracker(trackerSection.parse({ scoreMapping: 'auto', maxLostMs: 500 }), floor ? { calibration } : undefined);

// Precomputed input: CYCLE frames of detections, people on circular paths whose period
// divides CYCLE, so replaying the cycle is seamless; every 7th person blinks out for a while.
const CYCLE = 400;
const boxes = new Float32Array(CYCLE * people * 4);
const scores = new Float32Array(CYCLE * people);
const counts = new Int32Array(CYCLE);
for (let f = 0; f < CYCLE; f++) {
  let n = 0;
  for (let p = 0; p < people; p++) {
    if (p % 7 === 0 && (f + p * 13) % 100 < 12) continue; // occluded for 12 frames
    if (p % 11 === 0 && (f + p) % 200 >= 150) continue; // leaves for 5 s (track ends, new one starts)
    const angle = (2 * Math.PI * f * (1 + (p % 3))) / CYCLE + p;
    const cx = 200 + (p % 8) * 220 + 60 * Math.cos(angle);
    const cy = 200 + Math.floor(p / 8) * 160 + 40 * Math.sin(angle);
    const o = (f * people + n) * 4;
    boxes[o] = cx - 20;
    boxes[o + 1] = cy - 50;
    boxes[o + 2] = 40;
    boxes[o + 3] = 100;
    // Raw ACF-like scores (0..130): forces the rank mapping; some are low.
    scores[f * people + n] = p % 5 === 0 ? 5 + (f % 10) : 60 + ((p * 17 + f) % 70);
    n++;
  }
  counts[f] = n;
}
const views = Array.from({ length: CYCLE }, (_, f) => ({
  count: counts[f]!,
  boxes: boxes.subarray(f * people * 4, (f + 1) * people * 4),
  scores: scores.subarray(f * people, (f + 1) * people),
}));

let frameNo = 0;
let rows = 0;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) {
    const view = views[frameNo % CYCLE]!;
    let out;
    // This crowd always has someone occluded (an uncertain track), so the scheduler would detect
    // every frame: its decision is counted, and the tracker predicts two frames in three anyway.
    if (sparse && scheduler.decide(frameNo * 100, view.boxes, view.count, false) === ScheduleDecision.Predict) schedulerPredicts++;
    if (sparse && frameNo % 3 !== 0) {
      out = tracker.predict(frameNo * 100);
      predicted++;
    } else out = tracker.update(frameNo * 100, view);
    if (sparse) scheduler.observeTracks(out.count, out.boxes, out.agesMs, out.uncertainCount);
    rows += out.count;
    if (leak) sink = { v: frameNo * 0.5 };
    frameNo++;
  }
};

let gcs = 0;
const gcKinds: number[] = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs++;
    gcKinds.push((e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1);
  }
});

run(20_000); // warm-up: JIT, pool and buffer growth
const g = (globalThis as { gc?: () => void }).gc;
if (!g) throw new Error('run with --expose-gc');
g();
g();
obs.observe({ entryTypes: ['gc'] });
const newSpaceUsed = (): number => getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
const before = process.memoryUsage().heapUsed;
const newBefore = newSpaceUsed();
const t0 = performance.now();
run(frames);
const ms = performance.now() - t0;
const after = process.memoryUsage().heapUsed;
const newAfter = newSpaceUsed();
// Let the observer deliver buffered entries.
setTimeout(() => {
  obs.disconnect();
  process.stdout.write(
    `${JSON.stringify({ sink: sink?.v ?? null, frames, heapGrowthBytes: after - before, newSpaceGrowthBytes: newAfter - newBefore, gcs, gcKinds, rows, predicted, schedulerPredicts, framesPerS: Math.round(frames / (ms / 1000)), counters: tracker.counters })}\n`,
  );
}, 50);
