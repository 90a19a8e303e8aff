import { describe, expect, it } from 'vitest';
import { MonotonicClock, SimulatedTime } from './clock.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('MonotonicClock', () => {
  it('gives wall anchor + monotonic elapsed, and does not follow small wall wobble backwards', () => {
    const t = new SimulatedTime(T0);
    const clock = new MonotonicClock({ wallNow: t.wallNow, monotonicNow: t.monotonicNow });
    t.advance(1_000);
    expect(clock.now()).toBe(T0 + 1_000);
    t.step(-500); // within the threshold: slewing, not a step
    expect(clock.now()).toBe(T0 + 1_000);
    expect(clock.jumps).toMatchObject({ forward: 0, backward: 0 });
  });

  it('detects, counts and follows forward and backward steps', () => {
    const t = new SimulatedTime(T0);
    const steps: number[] = [];
    const clock = new MonotonicClock({ wallNow: t.wallNow, monotonicNow: t.monotonicNow, onJump: (s) => steps.push(s) });
    t.advance(60_000);
    t.step(3_600_000);
    expect(clock.now()).toBe(T0 + 60_000 + 3_600_000);
    t.advance(1_000);
    t.step(-7_200_000);
    expect(clock.now()).toBe(T0 + 61_000 - 3_600_000);
    expect(clock.jumps).toMatchObject({ forward: 1, backward: 1, lastJumpMs: -7_200_000 });
    expect(steps).toEqual([3_600_000, -7_200_000]);
    expect(clock.health()).toMatchObject({ forwardJumps: 1, backwardJumps: 1 });
  });

  it('keeps retention time from moving ahead on a forward step', () => {
    const t = new SimulatedTime(T0);
    const clock = new MonotonicClock({ wallNow: t.wallNow, monotonicNow: t.monotonicNow });
    t.advance(10_000);
    t.step(30 * 86_400_000);
    expect(clock.now()).toBe(T0 + 10_000 + 30 * 86_400_000);
    expect(clock.retentionNowMs()).toBe(T0 + 10_000);
    t.step(-40 * 86_400_000);
    expect(clock.retentionNowMs()).toBe(T0 + 10_000 - 10 * 86_400_000);
  });

  it('refuses a bad threshold with a message naming it', () => {
    expect(() => new MonotonicClock({ jumpThresholdMs: 0 })).toThrow(/jumpThresholdMs: must be a number of ms between 50 and 86400000, got 0/);
    expect(() => new MonotonicClock({ jumpThresholdMs: Number.NaN })).toThrow(/jumpThresholdMs/);
  });
});
