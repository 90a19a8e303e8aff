// Test/benchmark helper: the brno lab's labelled occupancy per bin, and the issue-19 score of
// a presence series against it. Labels are only ever used here, to score.
import { readFileSync } from 'node:fs';
import type { PresenceBinResult } from '../presence-bins.ts';

export interface LabelledBin {
  /** Fewest and most people labelled during the bin (frames of the CSV). */
  min: number;
  max: number;
}

/** Occupancy per bin (UTC start) from a brno CSV; its datetime is local time, UTC+1. */
export function occupancyBins(csvPath: string, binMs: number): Map<number, LabelledBin> {
  const rows = readFileSync(csvPath, 'utf8').trim().split('\n');
  const header = rows[0]!.split(';');
  const cOcc = header.indexOf('occupancy');
  const out = new Map<number, LabelledBin>();
  for (const row of rows.slice(1)) {
    const f = row.split(';');
    const t = Date.parse(`${f[0]!.replace(' ', 'T')}+01:00`);
    const b = Math.floor(t / binMs) * binMs;
    const n = Number(f[cOcc]);
    const cur = out.get(b);
    out.set(b, cur ? { min: Math.min(cur.min, n), max: Math.max(cur.max, n) } : { min: n, max: n });
  }
  return out;
}

export interface PresenceScore {
  occupiedBins: number;
  emptyBins: number;
  /** Occupied bins with people <= estimate <= 2 x people. */
  occupiedOk: number;
  /** Empty bins with estimate <= 1. */
  emptyOk: number;
  /** Share of scored bins meeting the target. */
  okShare: number;
  occupiedRange: [number, number] | null;
  emptyRange: [number, number] | null;
  /** Occupied bins whose low-high range contains the people count. */
  occupiedInRange: number;
}

/**
 * Issue 19's target: bins wholly occupied (same count all bin; bins without frames fall back
 * to the neighbouring label, here: empty when no frame at all) or wholly empty.
 */
export function scorePresence(bins: readonly PresenceBinResult[], labels: ReadonlyMap<number, LabelledBin>, pick: (b: PresenceBinResult) => number = (b) => b.devices): PresenceScore {
  let occupiedBins = 0;
  let emptyBins = 0;
  let occupiedOk = 0;
  let emptyOk = 0;
  let occupiedInRange = 0;
  let occ: [number, number] | null = null;
  let emp: [number, number] | null = null;
  const widen = (r: [number, number] | null, x: number): [number, number] => (r ? [Math.min(r[0], x), Math.max(r[1], x)] : [x, x]);
  for (const b of bins) {
    const l = labels.get(b.startMs) ?? { min: 0, max: 0 };
    if (l.min !== l.max) continue; // partly occupied: not scored
    const est = pick(b);
    if (l.max === 0) {
      emptyBins++;
      if (est <= 1) emptyOk++;
      emp = widen(emp, est);
    } else {
      occupiedBins++;
      if (est >= l.max && est <= 2 * l.max) occupiedOk++;
      if (b.low <= l.max && l.max <= b.high) occupiedInRange++;
      occ = widen(occ, est);
    }
  }
  const n = occupiedBins + emptyBins;
  return { occupiedBins, emptyBins, occupiedOk, emptyOk, okShare: n > 0 ? (occupiedOk + emptyOk) / n : 0, occupiedRange: occ, emptyRange: emp, occupiedInRange };
}
