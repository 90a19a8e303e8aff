// Presence against reality: the brno lab on 2024-03-15 (5 people from 14:01 to 15:51 local,
// nobody before or after), the lab's fixed PCs dropped by vendor prefix. Devices present per
// 10 minutes must follow the labelled occupancy, and the randomized-MAC estimate must be closer
// to it than the naive address count. Figures are recorded in BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeCapture } from './capture-summary.ts';
import { parseOuiList } from './oui-filter.ts';
import { capture } from './testing/fixtures.ts';

const BIN_MS = 600_000;

/** Labelled occupancy per 10-minute bin (UTC); the CSV's datetime is local time, UTC+1. */
function occupancyBins(): Map<number, number> {
  const rows = readFileSync(capture('brno-sc6-61_2024-03-15_pos1.csv'), 'utf8').trim().split('\n').slice(1);
  const out = new Map<number, number>();
  for (const row of rows) {
    const f = row.split(';');
    const t = Date.parse(`${f[0]!.replace(' ', 'T')}+01:00`);
    const b = Math.floor(t / BIN_MS) * BIN_MS;
    out.set(b, Math.max(out.get(b) ?? 0, Number(f[13])));
  }
  return out;
}

describe('presence on the brno lab day against labelled occupancy', () => {
  it('estimates devices per 10 minutes close to the people in the room', () => {
    const labels = occupancyBins();
    const s = summarizeCapture(capture('brno-sc6-61_2024-03-15_pos1.pcap'), Buffer.from('brno'), {
      presenceBinMs: BIN_MS,
      minRssiDbm: -70,
      ignoreOuis: parseOuiList(['dc:fb:48', '40:ec:99'], (m) => new Error(m)),
    });
    expect(s.ignored).toBe(923);
    expect(s.presence.length).toBe(69); // 11:30 .. 22:50 UTC
    const rows = s.presence.map((b) => ({ label: labels.get(b.startMs) ?? 0, est: b.devices, naive: b.addresses }));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const occupied = rows.filter((r) => r.label > 0);
    const empty = rows.filter((r) => r.label === 0);
    expect(occupied.length).toBe(12); // 13:00 .. 14:50 UTC
    const maeEst = mean(rows.map((r) => Math.abs(r.est - r.label)));
    const maeNaive = mean(rows.map((r) => Math.abs(r.naive - r.label)));
    expect(maeEst).toBeLessThan(maeNaive);
    expect(maeEst).toBeLessThan(1);
    expect(mean(occupied.map((r) => r.est))).toBeGreaterThan(3);
    expect(mean(occupied.map((r) => r.est))).toBeLessThan(9);
    expect(mean(empty.map((r) => r.est))).toBeLessThan(0.5);
  });
});
