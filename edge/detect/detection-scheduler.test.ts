import { describe, expect, it } from 'vitest';
import { DetectionScheduler, DetectReason, geometrySegments, ScheduleDecision } from './detection-scheduler.ts';

const Detect = ScheduleDecision.Detect;
const Predict = ScheduleDecision.Predict;
const FRAME_MS = 200; // 5 fps

/** A scheduler with a vertical line at x = 500 (y 0..600), 5 fps, every 3rd frame. */
function scheduler(every = 3, segments = geometrySegments({ lines: [{ points: [[500, 0], [500, 600]] }] })): DetectionScheduler {
  return new DetectionScheduler({ detectEveryFrames: every, speedBoxHeightsPerS: 1.5, newTrackMs: 1000, segments });
}

/** One established track (age 5 s) with its box x, y, w, h. */
function oneTrack(s: DetectionScheduler, x: number, y = 100, w = 40, h = 100, ageMs = 5000, uncertain = 0): void {
  s.observeTracks(1, Float32Array.of(x, y, w, h), Float64Array.of(ageMs), uncertain);
}

/** Feeds frames 0..n-1 (no motion) and returns the decisions. */
function run(s: DetectionScheduler, n: number, from = 0, motion: Float32Array | null = null, motionCount = 0): ScheduleDecision[] {
  const out: ScheduleDecision[] = [];
  for (let f = from; f < from + n; f++) out.push(s.decide(f * FRAME_MS, motion, motionCount, false));
  return out;
}

describe('DetectionScheduler', () => {
  it('detects every Nth frame when nothing depends on the frames between', () => {
    const s = scheduler(3);
    oneTrack(s, 100); // far from the line
    expect(run(s, 11)).toEqual([Detect, Predict, Predict, Detect, Predict, Predict, Detect, Predict, Predict, Detect, Predict]);
    expect(s.framesPredicted).toBe(7);
    expect(s.detectsBy[DetectReason.Interval]).toBe(3);
    expect(s.detectsBy[DetectReason.Forced]).toBe(1); // the first frame
  });

  it('detects every frame with detectEveryFrames 1', () => {
    const s = scheduler(1);
    oneTrack(s, 100);
    expect(run(s, 5)).toEqual([Detect, Detect, Detect, Detect, Detect]);
  });

  it('detects every frame while a track is within its margin of a line (margin grows with box height)', () => {
    const s = scheduler(3);
    run(s, 2);
    // Margin: 8 px + 1.5 box h/s x (3 x 0.2 s) x 100 px = 98 px. Foot point x = 420 + 20 = 440: 60 px away.
    oneTrack(s, 420);
    expect(run(s, 3, 2)).toEqual([Detect, Detect, Detect]);
    expect(s.detectsBy[DetectReason.NearGeometry]).toBeGreaterThanOrEqual(2);
    // A small (far) person 60 px away: margin 8 + 0.9 x 30 = 35 px, so predicted.
    oneTrack(s, 420 + 20 - 5, 100, 10, 30);
    expect(run(s, 2, 5)).toContain(Predict);
  });

  it('detects the edges of zones and queues, and the service line', () => {
    const seg = geometrySegments({
      zones: [{ polygon: [[0, 0], [200, 0], [200, 200]] }],
      queues: [{ polygon: [[300, 300], [400, 300], [400, 400]], serviceLine: { points: [[700, 700], [800, 700]] } }],
    });
    expect(seg.length).toBe(4 * (3 + 3 + 1));
    const s = scheduler(4, seg);
    run(s, 2);
    oneTrack(s, 730, 580, 40, 100); // foot point (750, 680): 20 px above the service line
    expect(run(s, 2, 2)).toEqual([Detect, Detect]);
    oneTrack(s, 1200, 1000, 40, 100); // far from everything
    expect(run(s, 2, 4)).toEqual([Predict, Predict]);
  });

  it('detects while a track is new or the tracker reports tentative or recently lost tracks', () => {
    const s = scheduler(4);
    run(s, 2);
    oneTrack(s, 100, 100, 40, 100, 300); // confirmed 300 ms ago
    expect(run(s, 2, 2)).toEqual([Detect, Detect]);
    expect(s.detectsBy[DetectReason.NewTrack]).toBe(2);
    oneTrack(s, 100, 100, 40, 100, 5000, 1); // one tentative track somewhere
    expect(run(s, 1, 4)).toEqual([Detect]);
    expect(s.detectsBy[DetectReason.UncertainTrack]).toBe(1);
    oneTrack(s, 100);
    expect(run(s, 1, 5)).toEqual([Predict]);
  });

  it('detects motion that no track covers (someone entering) but not motion of tracked people', () => {
    const s = scheduler(4);
    run(s, 2); // no track yet, no motion information: both detected
    expect(s.detectsBy[DetectReason.UntrackedMotion]).toBe(1);
    oneTrack(s, 100, 100, 40, 100);
    const onTrack = Float32Array.of(105, 110, 35, 90);
    expect(run(s, 1, 2, onTrack, 1)).toEqual([Predict]);
    const elsewhere = Float32Array.of(105, 110, 35, 90, 900, 300, 40, 90);
    expect(run(s, 1, 3, elsewhere, 2)).toEqual([Detect]);
    expect(s.detectsBy[DetectReason.UntrackedMotion]).toBe(2);
    // null motion: no motion information (motion gate off): tracked people alone do not need the frame...
    expect(run(s, 1, 4, null, 0)).toEqual([Predict]);
    // ...but an empty scene is detected every frame (someone may be entering).
    s.observeTracks(0, new Float32Array(0), null, 0);
    expect(run(s, 2, 5, null, 0)).toEqual([Detect, Detect]);
    expect(s.detectsBy[DetectReason.UntrackedMotion]).toBe(4);
  });

  it('keeps the gap in time when frames are dropped upstream, and detects on force', () => {
    const s = scheduler(3);
    oneTrack(s, 100);
    run(s, 3); // D P P
    expect(s.decide(3 * FRAME_MS, null, 0, false)).toBe(Detect);
    // The next frame arrives 3 intervals later (two dropped): 600 ms >= 2.5 intervals since the last detection.
    expect(s.decide(6 * FRAME_MS, null, 0, false)).toBe(Detect);
    expect(s.detectsBy[DetectReason.Interval]).toBe(2);
    expect(s.decide(7 * FRAME_MS, null, 0, false)).toBe(Predict);
    expect(s.decide(8 * FRAME_MS, null, 0, true)).toBe(Detect);
    expect(s.detectsBy[DetectReason.Forced]).toBe(2);
  });

  // Allocation-free per frame: edge/track/zero-alloc.test.ts runs the scheduler with the tracker ('sparse').

  it('rejects a bad interval or geometry', () => {
    expect(() => new DetectionScheduler({ detectEveryFrames: 0, speedBoxHeightsPerS: 1, newTrackMs: 0, segments: new Float64Array(0) })).toThrow(/detectEveryFrames/);
    expect(() => new DetectionScheduler({ detectEveryFrames: 2, speedBoxHeightsPerS: 1, newTrackMs: 0, segments: new Float64Array(3) })).toThrow(/segments/);
  });
});
