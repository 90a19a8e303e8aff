import { describe, expect, it } from 'vitest';
import { DEFAULT_KALMAN_NOISE, KF_STRIDE, KfCoord, KfField, kalmanBox, kalmanInit as init, kalmanPredict as predict, kalmanUpdate as update } from './kalman.ts';
import type { KalmanNoise } from './kalman.ts';

// Number-argument wrappers for readability (the real API takes typed arrays).
const kalmanInit = (s: Float64Array, slot: number, cx: number, cy: number, w: number, h: number, n: KalmanNoise) =>
  init(s, slot, Float64Array.of(cx, cy, w, h), 0, n);
const kalmanUpdate = (s: Float64Array, slot: number, cx: number, cy: number, w: number, h: number, n: KalmanNoise) =>
  update(s, slot, Float64Array.of(cx, cy, w, h), 0, n);
const kalmanPredict = (s: Float64Array, slot: number, dtMs: number, n: KalmanNoise, freeze: boolean) =>
  predict(s, slot, Float64Array.of(0, dtMs), 1, n, freeze);

/** Feeds a box moving at vx px/s for durationMs at the given frame interval; returns the state. */
function follow(vxPxPerS: number, intervalMs: number, durationMs: number): Float64Array {
  const s = new Float64Array(2 * KF_STRIDE);
  const slot = 1; // a non-zero slot checks the offsets
  kalmanInit(s, slot, 100, 200, 40, 100, DEFAULT_KALMAN_NOISE);
  for (let t = intervalMs; t <= durationMs; t += intervalMs) {
    kalmanPredict(s, slot, intervalMs, DEFAULT_KALMAN_NOISE, false);
    kalmanUpdate(s, slot, 100 + (vxPxPerS * t) / 1000, 200, 40, 100, DEFAULT_KALMAN_NOISE);
  }
  return s;
}

describe('Kalman filter (constant velocity, time-aware)', () => {
  it('converges to the true velocity and position', () => {
    const s = follow(60, 40, 4000);
    const o = KF_STRIDE;
    const vPerS = (s[o + KfCoord.X + KfField.Vel]! * 1000) / DEFAULT_KALMAN_NOISE.referenceIntervalMs;
    expect(vPerS).toBeCloseTo(60, 0);
    expect(s[o]!).toBeCloseTo(100 + 60 * 4, 0);
    // Slot 0 untouched.
    expect(s.subarray(0, KF_STRIDE).every((v) => v === 0)).toBe(true);
  });

  it('estimates the same velocity in px/s at 5 fps as at 30 fps', () => {
    const fast = follow(80, 1000 / 30, 6000);
    const slow = follow(80, 200, 6000);
    const ref = DEFAULT_KALMAN_NOISE.referenceIntervalMs;
    const vFast = (fast[KF_STRIDE + 1]! * 1000) / ref;
    const vSlow = (slow[KF_STRIDE + 1]! * 1000) / ref;
    expect(vFast).toBeCloseTo(80, 0);
    expect(vSlow).toBeCloseTo(80, 0);
  });

  it('predicts along the velocity over a real time gap and grows the uncertainty with it', () => {
    const s = follow(60, 100, 3000);
    const o = KF_STRIDE;
    const x = s[o]!;
    const p00 = s[o + KfField.P00]!;
    kalmanPredict(s, 1, 500, DEFAULT_KALMAN_NOISE, false);
    expect(s[o]! - x).toBeCloseTo(30, 0); // 60 px/s for 0.5 s
    const after500 = s[o + KfField.P00]!;
    expect(after500).toBeGreaterThan(p00);
    kalmanPredict(s, 1, 1000, DEFAULT_KALMAN_NOISE, false);
    expect(s[o + KfField.P00]! - after500).toBeGreaterThan(after500 - p00);
  });

  it('ignores zero or negative time steps and freezes size velocity on request', () => {
    const s = new Float64Array(KF_STRIDE);
    kalmanInit(s, 0, 50, 50, 20, 40, DEFAULT_KALMAN_NOISE);
    s[11] = 2; // width velocity
    const before = Float64Array.from(s);
    kalmanPredict(s, 0, 0, DEFAULT_KALMAN_NOISE, false);
    kalmanPredict(s, 0, -100, DEFAULT_KALMAN_NOISE, false);
    expect(Array.from(s)).toEqual(Array.from(before));
    kalmanPredict(s, 0, 1000 / 30, DEFAULT_KALMAN_NOISE, true);
    expect(s[11]).toBe(0);
    expect(s[10]).toBe(20);
  });

  it('writes top-left boxes and never lets sizes go below one pixel', () => {
    const s = new Float64Array(KF_STRIDE);
    kalmanInit(s, 0, 50, 60, 20, 40, DEFAULT_KALMAN_NOISE);
    const out = new Float32Array(4);
    kalmanBox(s, 0, out, 0);
    expect(Array.from(out)).toEqual([40, 40, 20, 40]);
    s[16] = -100; // shrinking height fast
    kalmanPredict(s, 0, 1000, DEFAULT_KALMAN_NOISE, false);
    expect(s[15]).toBeGreaterThanOrEqual(1);
  });
});
