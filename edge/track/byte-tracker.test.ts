import { describe, expect, it } from 'vitest';
import { trackerSection, type TrackerConfigInput } from '../config/sections/tracker.ts';
import { TrackState } from '../shared/types.ts';
import { ByteTracker, newTrackInfo } from './byte-tracker.ts';

function tracker(overrides: TrackerConfigInput = {}): ByteTracker {
  return new ByteTracker(trackerSection.parse(overrides));
}

/** Builds one frame of detections from [x, y, w, h, score] rows. */
function frame(rows: number[][]) {
  const boxes = new Float32Array(rows.length * 4);
  const scores = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    boxes.set(r.slice(0, 4), 4 * i);
    scores[i] = r[4]!;
  });
  return { count: rows.length, boxes, scores };
}

const STEP = 100; // 10 fps
const ids = (t: ByteTracker) => Array.from(t.output.ids.subarray(0, t.output.count));

describe('ByteTracker lifecycle', () => {
  it('confirms everything on the first frame, then needs confirmHits matches for newcomers', () => {
    const t = tracker();
    t.update(0, frame([[100, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([1]);
    t.update(STEP, frame([[102, 100, 40, 100, 0.9], [400, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([1]); // the newcomer is tentative
    t.update(2 * STEP, frame([[104, 100, 40, 100, 0.9], [402, 100, 40, 100, 0.9]]));
    expect(ids(t).sort()).toEqual([1, 2]);
  });

  it('a tentative track that misses its second frame dies without ever getting an id', () => {
    const t = tracker();
    t.update(0, frame([[100, 100, 40, 100, 0.9]]));
    t.update(STEP, frame([[100, 100, 40, 100, 0.9], [500, 100, 40, 100, 0.9]]));
    t.update(2 * STEP, frame([[100, 100, 40, 100, 0.9]]));
    t.update(3 * STEP, frame([[100, 100, 40, 100, 0.9], [500, 100, 40, 100, 0.9]]));
    t.update(4 * STEP, frame([[100, 100, 40, 100, 0.9], [500, 100, 40, 100, 0.9]]));
    expect(ids(t).sort()).toEqual([1, 2]); // id 2, not 3: the dead tentative consumed none
    expect(t.output.endedCount).toBe(0);
  });

  it('keeps the id through a short miss (lost -> re-activated) and predicts the motion', () => {
    const t = tracker({ maxLostMs: 1000 });
    for (let k = 0; k < 10; k++) t.update(k * STEP, frame([[100 + 10 * k, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([1]);
    const info = newTrackInfo();
    expect(t.readTrack(1, info)).toBe(true);
    expect(info.velocity[0]).toBeCloseTo(100, -1); // 10 px per 100 ms
    expect(info.state).toBe(TrackState.Confirmed);
    // Three frames without detection: lost, not reported, not ended.
    for (let k = 10; k < 13; k++) {
      t.update(k * STEP, frame([]));
      expect(t.output.count).toBe(0);
      expect(t.output.endedCount).toBe(0);
    }
    expect(t.readTrack(1, info)).toBe(true);
    expect(info.state).toBe(TrackState.Lost);
    // It reappears where constant velocity says: same id.
    t.update(13 * STEP, frame([[230, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([1]);
  });

  it('removes a lost track after maxLostMs and reports its id as ended exactly once', () => {
    const t = tracker({ maxLostMs: 500 });
    for (let k = 0; k < 5; k++) t.update(k * STEP, frame([[100, 100, 40, 100, 0.9]]));
    const ended: number[] = [];
    for (let k = 5; k < 20; k++) {
      t.update(k * STEP, frame([]));
      ended.push(...Array.from(t.output.endedIds.subarray(0, t.output.endedCount)));
    }
    expect(ended).toEqual([1]);
    expect(t.liveTracks).toBe(0);
    // A detection at the old place now starts a new identity.
    t.update(20 * STEP, frame([[100, 100, 40, 100, 0.9]]));
    t.update(21 * STEP, frame([[100, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([2]);
  });

  it('low-score detections extend a track (second association) but never start one', () => {
    const t = tracker();
    t.update(0, frame([[100, 100, 40, 100, 0.9]]));
    for (let k = 1; k < 6; k++) {
      t.update(k * STEP, frame([[100 + k, 100, 40, 100, 0.3], [600, 100, 40, 100, 0.3]]));
      expect(ids(t)).toEqual([1]);
    }
    expect(t.liveTracks).toBe(1);
  });

  it('ends every track across a huge time gap instead of extrapolating it', () => {
    const t = tracker({ maxLostMs: 1000 });
    for (let k = 0; k < 5; k++) t.update(k * STEP, frame([[100 + 20 * k, 100, 40, 100, 0.9]]));
    t.update(3_600_000, frame([[180, 100, 40, 100, 0.9]]));
    expect(Array.from(t.output.endedIds.subarray(0, t.output.endedCount))).toEqual([1]);
    expect(t.output.count).toBe(0); // the new detection starts a tentative track
  });

  it('drops frames older than the previous one, skips invalid boxes, and counts both', () => {
    const t = tracker();
    t.update(1000, frame([[100, 100, 40, 100, 0.9]]));
    t.update(500, frame([[100, 100, 40, 100, 0.9]]));
    expect(t.counters.outOfOrderFrames).toBe(1);
    expect(t.output.count).toBe(0);
    t.update(NaN, frame([]));
    expect(t.counters.outOfOrderFrames).toBe(2);
    t.update(1100, frame([[NaN, 100, 40, 100, 0.9], [100, 100, -5, 100, 0.9], [100, 100, 40, 0, 0.9], [101, 100, 40, 100, NaN], [101, 100, 40, 100, 0.9]]));
    expect(t.counters.invalidDetections).toBe(4);
    expect(ids(t)).toEqual([1]);
    const box = Array.from(t.output.boxes.subarray(0, 4));
    expect(box.every(Number.isFinite)).toBe(true);
  });

  it('handles many targets beyond the initial pool and keeps ids unique', () => {
    const t = tracker();
    const rows: number[][] = [];
    for (let i = 0; i < 300; i++) rows.push([(i % 30) * 60, Math.floor(i / 30) * 110, 40, 100, 0.9]);
    for (let k = 0; k < 3; k++) t.update(k * STEP, frame(rows));
    const out = ids(t);
    expect(out.length).toBe(300);
    expect(new Set(out).size).toBe(300);
  });

  it('maps ACF-style scores (up to ~140) by rank so the thresholds still apply', () => {
    const t = tracker({ scoreMapping: 'auto' });
    // Frame 0 teaches the distribution; the strong person is in the top ranks, the weak box at the bottom.
    const strong = [100, 100, 40, 100, 120];
    const weak = [600, 100, 40, 100, -2];
    for (let k = 0; k < 5; k++) {
      t.update(k * STEP, frame([strong, weak, [900, 100, 40, 100, 30], [1200, 100, 40, 100, 60]]));
    }
    // Quantiles 1, 0.75, 0.5, 0.25 map (^0.5) to 1, 0.87, 0.71, 0.5: all but the weakest box
    // reach newTrackScore 0.6.
    const xs = Array.from({ length: t.output.count }, (_, r) => Math.round(t.output.boxes[4 * r]!)).sort((a, b) => a - b);
    expect(xs).toEqual([100, 900, 1200]);
    expect(Array.from(t.output.scores.subarray(0, t.output.count)).every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it('two people crossing keep their ids (motion prediction + assignment)', () => {
    const t = tracker();
    const path = (k: number) => [
      [100 + 15 * k, 200, 40, 100, 0.9],
      [400 - 15 * k, 205, 40, 100, 0.9],
    ];
    const start: Record<number, number> = {};
    for (let k = 0; k <= 20; k++) {
      t.update(k * STEP, frame(path(k)));
      if (k === 2) for (let r = 0; r < t.output.count; r++) start[t.output.ids[r]!] = t.output.boxes[4 * r]!;
    }
    // Each id kept moving in its own direction.
    for (let r = 0; r < t.output.count; r++) {
      const id = t.output.ids[r]!;
      const movedRight = t.output.boxes[4 * r]! > start[id]!;
      expect(movedRight).toBe(start[id]! < 250);
    }
  });

  it('recovers a track by its last observed box when the prediction has drifted away (OC-SORT OCR)', () => {
    const scenario = (recoveryIou: number) => {
      const t = tracker({ recoveryIou });
      // Walks right at 200 px/s, then stops while hidden for 6 frames and reappears where it stopped.
      for (let k = 0; k < 10; k++) t.update(k * STEP, frame([[100 + 20 * k, 100, 40, 100, 0.9]]));
      for (let k = 10; k < 16; k++) t.update(k * STEP, frame([]));
      for (let k = 16; k < 19; k++) t.update(k * STEP, frame([[282, 100, 40, 100, 0.9]]));
      return ids(t);
    };
    expect(scenario(0.5)).toEqual([1]);
    expect(scenario(0)).toEqual([2]); // without recovery the prediction ran off: a new identity
  });

  it('coastMs reports a mature lost track at its predicted box for a short time only', () => {
    const t = tracker({ coastMs: 250, coastMinHits: 5 });
    for (let k = 0; k < 10; k++) t.update(k * STEP, frame([[100 + 10 * k, 100, 40, 100, 0.9]]));
    t.update(10 * STEP, frame([]));
    expect(ids(t)).toEqual([1]);
    expect(t.output.states[0]).toBe(TrackState.Lost);
    expect(t.output.boxes[0]).toBeGreaterThan(190); // moved on with its velocity
    t.update(11 * STEP, frame([]));
    expect(ids(t)).toEqual([1]);
    t.update(12 * STEP, frame([]));
    t.update(13 * STEP, frame([]));
    expect(ids(t)).toEqual([]);
    // Off by default.
    const d = tracker();
    for (let k = 0; k < 10; k++) d.update(k * STEP, frame([[100, 100, 40, 100, 0.9]]));
    d.update(10 * STEP, frame([]));
    expect(ids(d)).toEqual([]);
  });
});

describe('ByteTracker predict-only step (sparse detection)', () => {
  /** A person walking right at 20 px per frame (200 px/s at 10 fps), detected on frames 0..5. */
  function walking(t: ByteTracker, frames: number): void {
    for (let f = 0; f < frames; f++) t.update(f * STEP, frame([[100 + 20 * f, 100, 40, 100, 0.9]]));
  }

  it('reports confirmed tracks at their predicted boxes, moved by their velocity, without losing them', () => {
    const t = tracker();
    walking(t, 6);
    const x5 = t.output.boxes[0]!;
    const vx = t.output.velocities[0]!;
    expect(vx).toBeGreaterThan(100); // px/s, learned from the detections
    const xs: number[] = [];
    for (let f = 6; f < 9; f++) {
      const out = t.predict(f * STEP);
      expect(ids(t)).toEqual([1]);
      expect(out.states[0]).toBe(TrackState.Confirmed);
      xs.push(out.boxes[0]!);
    }
    // Each predicted frame moves the box by velocity x 100 ms.
    expect(xs[0]! - x5).toBeCloseTo(vx * 0.1, 0);
    expect(xs[2]! - xs[1]!).toBeCloseTo(vx * 0.1, 0);
    const info = newTrackInfo();
    expect(t.readTrack(1, info)).toBe(true);
    expect(info.state).toBe(TrackState.Confirmed);
    expect(info.lastSeenMs).toBe(5 * STEP); // no detection reached it
    expect(t.counters.predictedFrames).toBe(3);
    // The next detection continues the same track.
    t.update(9 * STEP, frame([[100 + 20 * 9, 100, 40, 100, 0.9]]));
    expect(ids(t)).toEqual([1]);
    expect(Math.abs(t.output.boxes[0]! - (100 + 20 * 9))).toBeLessThan(10);
  });

  it('a predicted frame is not an empty frame: empty detections lose the track, predict keeps it', () => {
    const predicted = tracker();
    const empty = tracker();
    walking(predicted, 6);
    walking(empty, 6);
    for (let f = 6; f < 9; f++) {
      predicted.predict(f * STEP);
      empty.update(f * STEP, frame([]));
    }
    expect(ids(predicted)).toEqual([1]);
    expect(ids(empty)).toEqual([]); // treated as "everyone vanished": the track is lost, not reported
    const info = newTrackInfo();
    empty.readTrack(1, info);
    expect(info.state).toBe(TrackState.Lost);
    expect(empty.output.uncertainCount).toBe(1);
    expect(predicted.output.uncertainCount).toBe(0);
  });

  it('does not confirm, kill or expire tracks on predicted frames, and counts tentative ones as uncertain', () => {
    const t = tracker({ maxLostMs: 250 });
    t.update(0, frame([[100, 100, 40, 100, 0.9]]));
    t.update(STEP, frame([[100, 100, 40, 100, 0.9], [500, 100, 40, 100, 0.9]]));
    expect(t.output.uncertainCount).toBe(1); // the newcomer is tentative
    for (let f = 2; f < 8; f++) t.predict(f * STEP); // 600 ms without detections: longer than maxLostMs
    expect(t.output.uncertainCount).toBe(1);
    expect(ids(t)).toEqual([1]);
    expect(t.output.endedCount).toBe(0);
    expect(t.liveTracks).toBe(2);
    // An out-of-order predicted frame is counted and dropped, as in update.
    t.predict(0);
    expect(t.counters.outOfOrderFrames).toBe(1);
  });
});
