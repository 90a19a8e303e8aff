import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../shared/types.ts';
import { RandomizedDeviceEstimator } from './device-estimator.ts';
import { PresenceTracker, type PresenceOptions } from './presence.ts';

const OPTIONS: PresenceOptions = {
  sensors: ['east', 'west'],
  sessionGapMs: 600_000,
  visitorMinDwellMs: 300_000,
  visitorMinRssiDbm: -75,
  minRssiDbm: -95,
  staffMinHoursPerDay: 6,
  rssiSmoothing: 0.3,
};
const T0 = Date.UTC(2026, 2, 14, 10, 0, 0);
const MIN = 60_000;

function tracker() {
  const events: NewEvent[] = [];
  const t = new PresenceTracker(OPTIONS, (e) => events.push(e));
  // hi/lo/key: small distinct numbers stand in for hashes here.
  const see = (dev: number, tsMs: number, rssi: number, sensor = 0, randomized = false, fp = 1, seq = 0) =>
    t.observe(sensor, tsMs, 0xabc00000, dev, dev, randomized, rssi, fp, seq);
  const visits = () => events.filter((e) => e.type === 'wifi.visit');
  const counts = () => events.filter((e) => e.type === 'wifi.count');
  return { t, see, visits, counts, events };
}

describe('PresenceTracker', () => {
  it('closes sessions after the gap and classifies visitor, passerby (short), passerby (weak) and repeat visits', () => {
    const { t, see, visits } = tracker();
    for (let s = 0; s <= 600; s += 20) see(1, T0 + s * 1000, -60); // 10 min strong: visitor
    for (let s = 0; s <= 120; s += 20) see(2, T0 + s * 1000, -60); // 2 min: passerby
    for (let s = 0; s <= 600; s += 20) see(3, T0 + s * 1000, -85); // 10 min but weak: passerby
    see(4, T0, -99); // below minRssiDbm: ignored
    t.advance(T0 + 25 * MIN); // everyone silent > 10 min
    const v = visits();
    expect(v.map((e) => [e.data.macHash, e.data.class, e.data.dwellMs, e.data.visit])).toEqual([
      ['abc0000000000001', 'visitor', 600_000, 1],
      ['abc0000000000002', 'passerby', 120_000, 1],
      ['abc0000000000003', 'passerby', 600_000, 1],
    ]);
    expect(v[0]!.tsMs).toBe(T0 + 600_000);
    expect(v[0]!.data.rssiMaxDbm).toBe(-60);
    expect(t.counters.weak).toBe(1);
    // Device 1 comes back: a repeat visit within the key period.
    see(1, T0 + 40 * MIN, -62);
    t.flushAll();
    expect(visits().at(-1)!.data).toMatchObject({ macHash: 'abc0000000000001', visit: 2, dwellMs: 0, class: 'passerby' });
  });

  it('marks a device seen more than staffMinHoursPerDay as staff, also in later visits', () => {
    const { t, see, visits } = tracker();
    for (let s = 0; s <= 7 * 3600; s += 60) see(9, T0 + s * 1000, -55);
    t.flushAll();
    expect(visits()[0]!.data.class).toBe('staff');
  });

  it('follows the strongest sensor as the path and lists every sensor', () => {
    const { t, see, visits } = tracker();
    for (let s = 0; s < 300; s += 10) {
      see(5, T0 + s * 1000, -50 - s / 10, 0); // fading at east
      see(5, T0 + s * 1000 + 1, -80 + s / 10, 1); // growing at west
    }
    t.flushAll();
    const v = visits()[0]!;
    expect(v.data.path).toEqual(['east', 'west']);
    expect(v.data.sensors).toEqual(['east', 'west']);
    expect(v.source).toBe('west');
  });

  it('emits one wifi.count per minute, zeros for quiet minutes, with the randomized share and estimate', () => {
    const { t, see, counts } = tracker();
    see(1, T0 + 1_000, -60);
    see(2, T0 + 2_000, -60, 0, true, 7, 100);
    see(3, T0 + 3_000, -60, 0, true, 7, 101); // same model, continuing sequence: same device
    see(1, T0 + 30_000, -60);
    see(1, T0 + 3 * MIN + 5_000, -60);
    t.advance(T0 + 4 * MIN);
    const c = counts();
    expect(c.map((e) => e.tsMs)).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(c[0]!.data).toMatchObject({ all: 3, randomized: 2, randomizedShare: 0.667, estimatedDevices: 2, visitors: 0, frames: 4 });
    expect(c[1]!.data).toMatchObject({ all: 0, frames: 0, estimatedDevices: 0 });
    expect(c[3]!.data).toMatchObject({ all: 1, randomized: 0 });
  });
});

describe('RandomizedDeviceEstimator', () => {
  it('links a new address by sequence continuity, by same-scan timing, and after a quiet gap', () => {
    const e = new RandomizedDeviceEstimator({ minRelinkGapMs: 30_000, sameScanMs: 1_000, maxSeqGap: 16 });
    const a = e.observe(1, 0, 42, 100, -60);
    expect(e.observe(2, 5_000, 42, 103, -62)).toBe(a); // seq continues: Android-style rotation
    expect(e.seqLinks).toBe(1);
    expect(e.observe(3, 5_300, 42, 3000, -61)).toBe(a); // same scan, fresh address (iOS per channel)
    const b = e.observe(4, 12_000, 42, 1500, -61); // 6.7 s later, no continuity: another phone
    expect(b).not.toBe(a);
    expect(e.observe(5, 60_000, 42, 2500, -60)).toBeGreaterThanOrEqual(0); // after the gap: joins a quiet chain
    expect(e.devices).toBe(2);
    expect(e.addresses).toBe(5);
  });

  it('keeps different fingerprints and far-apart signals apart', () => {
    const e = new RandomizedDeviceEstimator({ minRelinkGapMs: 10_000, rssiToleranceDb: 10 });
    e.observe(1, 0, 1, 10, -50);
    e.observe(2, 20_000, 2, 11, -50); // other model
    e.observe(3, 40_000, 1, 500, -85); // same model, 35 dB weaker
    expect(e.devices).toBe(3);
    expect(e.chainOf(1)).not.toBe(e.chainOf(3));
  });
});

describe('PresenceTracker key period change', () => {
  it('closes every session on resetPeriod and starts devices over, with one count per minute', () => {
    const events: NewEvent[] = [];
    const t = new PresenceTracker(OPTIONS, (e) => events.push(e));
    t.observe(0, T0 + 1_000, 1, 1, 1, false, -60, 1, 0);
    t.observe(0, T0 + 2_000, 1, 2, 2, true, -60, 5, 10);
    t.resetPeriod();
    expect(events.filter((e) => e.type === 'wifi.visit').length).toBe(2);
    t.observe(0, T0 + 3_000, 9, 9, 9, true, -60, 5, 3000); // new key: new hash, chain ids restart
    t.advance(T0 + MIN + 1);
    const counts = events.filter((e) => e.type === 'wifi.count');
    expect(counts.length).toBe(1);
    expect(counts[0]!.data).toMatchObject({ all: 3, estimatedDevices: 3 });
    t.flushAll();
    expect(events.filter((e) => e.type === 'wifi.visit').at(-1)!.data).toMatchObject({ macHash: '0000000900000009', visit: 1 });
  });
});
