// Issue 19's targets, as a new user runs it (no floor, no vendor list, nothing from the labels):
// the floor learned from each brno capture, fixed devices learned, randomized addresses grouped.
// Labels are read only to score. In >= 95% of the 10-minute bins wholly occupied or wholly
// empty: between 1x and 2x the people when occupied, <= 1 when empty. The polimi one-phone
// files (where the floor and the grouping were tuned: a regression guard, not a validation)
// give 1-2 devices per bin. The pipeline before #19 must fail the same check.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeCapture, type SummaryOptions } from './capture-summary.ts';
import { occupancyBins, scorePresence } from './testing/brno-occupancy.ts';
import { capture, PCAP_DIR } from './testing/fixtures.ts';

const BIN_MS = 600_000;
const DEFAULTS: SummaryOptions = { presenceBinMs: BIN_MS, calibrate: true, fixedMinHours: 6 };

function score(day: string, options: SummaryOptions) {
  const s = summarizeCapture(capture(`brno-sc6-61_${day}_pos1.pcap`), Buffer.from('score'), options);
  return { s, score: scorePresence(s.presence, occupancyBins(capture(`brno-sc6-61_${day}_pos1.csv`), BIN_MS)) };
}

describe('presence out of the box against the brno labels', () => {
  it('lab day with five people (validation day): >= 95% of whole bins right, floor learned', () => {
    const { s, score: sc } = score('2024-03-15', DEFAULTS);
    expect(s.floor.source).toBe('learned');
    expect(sc.occupiedBins).toBe(10); // 13:10 .. 14:40 UTC
    expect(sc.emptyBins).toBeGreaterThan(50);
    expect(sc.okShare).toBeGreaterThanOrEqual(0.95);
    // Every bin's point estimate lies in its low-high range.
    for (const b of s.presence) expect(b.low <= b.devices && b.devices <= b.high).toBe(true);
  });

  it('empty Saturday (tuning day): nothing learned (one signal group), the default floor keeps >= 95% of bins at <= 1', () => {
    const { s, score: sc } = score('2024-03-16', DEFAULTS);
    expect(s.floor.source).toBe('default');
    expect(sc.emptyBins).toBe(144);
    expect(sc.okShare).toBeGreaterThanOrEqual(0.95);
  });

  it('the pipeline before #19 (floor -95 dBm, chains, no fixed devices) fails the same check', () => {
    const { score: sc } = score('2024-03-15', { presenceBinMs: BIN_MS, minRssiDbm: -95, grouping: 'chains' });
    expect(sc.okShare).toBeLessThan(0.5);
  });

  it('polimi one-phone files: 1-2 devices in >= 95% of their bins', () => {
    const dir = join(PCAP_DIR, 'polimi-probing-patterns');
    let ok = 0;
    let n = 0;
    for (const f of readdirSync(dir)) {
      const s = summarizeCapture(join(dir, f), Buffer.from('p'), { ...DEFAULTS, allRandomized: true });
      for (const b of s.presence) {
        if (b.high === 0) continue;
        n++;
        if (b.devices >= 1 && b.devices <= 2) ok++;
      }
    }
    expect(n).toBe(40);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
  });
});
