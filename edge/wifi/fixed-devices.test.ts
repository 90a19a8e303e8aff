// Fixed devices learned from a real day: globally unique addresses seen most hours at a
// steady signal. Randomized addresses never qualify; a device seen for a couple of hours
// (the lab PCs, on only while people work) does not either.
import { describe, expect, it } from 'vitest';
import { FixedDeviceLearner } from './fixed-devices.ts';
import { scanCaptureFile } from './probe-scanner.ts';
import { capture } from './testing/fixtures.ts';
import { parseOuiList } from './oui-filter.ts';

function learn(file: string, minHours = 6) {
  const l = new FixedDeviceLearner({ minHours });
  const randomized = new Set<number>();
  scanCaptureFile(file, Buffer.from('k'), (p, ts, h) => {
    if (p.randomized) randomized.add(h.key53());
    else l.observe(h.key53(), ts, p.rssiDbm);
  });
  return { fixed: l.learn(), randomized, learner: l };
}

describe('FixedDeviceLearner', () => {
  it('finds the all-day devices of the empty Saturday and none of its randomized addresses', () => {
    const { fixed, randomized, learner } = learn(capture('brno-sc6-61_2024-03-16_pos1.pcap'));
    expect(learner.spanHours).toBe(24);
    expect(fixed.size).toBe(3); // 3 globally unique addresses in the file (30 SA, 27 LA), all present all day
    for (const k of fixed) expect(randomized.has(k)).toBe(false);
    expect(Math.abs(learner.levelShiftDb())).toBeLessThan(4);
  });

  it('does not take the lab PCs (on for two hours of a 12-hour capture) for fixed devices', () => {
    const file = capture('brno-sc6-61_2024-03-15_pos1.pcap');
    const all = new Set<number>();
    const notPcs = new Set<number>();
    scanCaptureFile(file, Buffer.from('k'), (_p, _ts, h) => all.add(h.key53()));
    scanCaptureFile(file, Buffer.from('k'), (_p, _ts, h) => notPcs.add(h.key53()), { ignoreOuis: parseOuiList(['dc:fb:48', '40:ec:99'], (m) => new Error(m)) });
    const pcs = [...all].filter((k) => !notPcs.has(k));
    expect(pcs.length).toBe(4);
    for (const minHours of [6, 1]) {
      const { fixed } = learn(file, minHours);
      expect(fixed.size).toBeGreaterThan(0); // the all-day ones are found...
      for (const k of pcs) expect(fixed.has(k)).toBe(false); // ...the PCs are not "most of the day"
    }
  });
});
