import { describe, expect, it } from 'vitest';
import { trackerSection } from '../config/sections/tracker.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import type { DetectionFrame, TrackFrame } from '../shared/types.ts';
import { TrackerStage } from './tracker-stage.ts';

function detections(camera: string, tsMs: number, xs: number[]): DetectionFrame {
  const boxes = new Float32Array(xs.length * 4);
  const scores = new Float32Array(xs.length).fill(0.9);
  xs.forEach((x, i) => boxes.set([x, 100, 40, 100], 4 * i));
  return { camera, tsMs, frameIndex: tsMs / 100, width: 1280, height: 720, count: xs.length, boxes, scores };
}

describe('TrackerStage', () => {
  it('tracks each camera independently from detect.frame and emits track.frame', async () => {
    const bus = new EventBus();
    const stage = new TrackerStage({ bus, config: trackerSection.parse({}), logger: silentLogger() });
    const seen: { camera: string; tsMs: number; ids: number[] }[] = [];
    bus.on('test', 'track.frame', (f: TrackFrame) => seen.push({ camera: f.camera, tsMs: f.tsMs, ids: Array.from(f.ids.subarray(0, f.count)) }));
    expect(stage.health().status).toBe('stopped');
    await stage.start();
    await stage.start(); // idempotent: one subscription only
    expect(bus.listenerCount('detect.frame')).toBe(1);
    for (let k = 0; k < 3; k++) {
      bus.emit('detect.frame', detections('entrance', k * 100, [100 + k, 400 + k]));
      bus.emit('detect.frame', detections('food-court', k * 100, [700 + k]));
    }
    expect(seen.length).toBe(6);
    // Ids are per camera: both cameras start at 1.
    expect(seen[4]).toEqual({ camera: 'entrance', tsMs: 200, ids: [1, 2] });
    expect(seen[5]).toEqual({ camera: 'food-court', tsMs: 200, ids: [1] });
    const h = stage.health();
    expect(h.status).toBe('ok');
    expect(h.metrics).toMatchObject({ cameras: 2, framesIn: 6, framesOut: 6, liveTracks: 3 });
    await stage.stop();
    await stage.stop();
    expect(bus.listenerCount('detect.frame')).toBe(0);
    bus.emit('detect.frame', detections('entrance', 300, [103]));
    expect(seen.length).toBe(6);
  });

  it('counts an out-of-order frame without emitting it, and reports ended ids', async () => {
    const bus = new EventBus();
    const stage = new TrackerStage({ bus, config: trackerSection.parse({ maxLostMs: 300 }), logger: silentLogger() });
    const ended: number[] = [];
    let frames = 0;
    bus.on('test', 'track.frame', (f) => {
      frames++;
      ended.push(...Array.from(f.endedIds.subarray(0, f.endedCount)));
    });
    await stage.start();
    bus.emit('detect.frame', detections('c', 1000, [100]));
    bus.emit('detect.frame', detections('c', 900, [100]));
    expect(frames).toBe(1);
    expect(stage.health().metrics).toMatchObject({ outOfOrderFrames: 1 });
    for (let t = 1100; t <= 1600; t += 100) bus.emit('detect.frame', detections('c', t, []));
    expect(ended).toEqual([1]);
    await stage.stop();
  });
});

describe('TrackerStage with predicted frames', () => {
  it('predicts on a frame marked predicted and passes ages, uncertainty and the mark on', async () => {
    const bus = new EventBus();
    const stage = new TrackerStage({ bus, config: trackerSection.parse({}), logger: silentLogger() });
    const seen: Array<{ ids: number[]; x: number; predicted: boolean; age: number }> = [];
    bus.on('test', 'track.frame', (f: TrackFrame) => seen.push({ ids: Array.from(f.ids.subarray(0, f.count)), x: f.boxes[0]!, predicted: f.predicted === true, age: f.agesMs?.[0] ?? NaN }));
    await stage.start();
    for (let k = 0; k < 4; k++) bus.emit('detect.frame', detections('c', k * 100, [100 + 10 * k]));
    bus.emit('detect.frame', { ...detections('c', 400, []), predicted: true, gate: 'predicted' });
    bus.emit('detect.frame', { ...detections('c', 500, []), predicted: true, gate: 'predicted' });
    expect(seen.map((s) => s.ids)).toEqual([[1], [1], [1], [1], [1], [1]]);
    expect(seen[5]!.predicted).toBe(true);
    expect(seen[3]!.predicted).toBe(false);
    expect(seen[5]!.x).toBeGreaterThan(seen[4]!.x); // moving on by its velocity
    expect(seen[5]!.age).toBe(500);
    expect(stage.health().metrics).toMatchObject({ framesPredicted: 2 });
    await stage.stop();
  });
});
