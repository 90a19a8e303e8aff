// The sequence of zones each track visits (in order of entry, with dwell), handed out
// when the track ends, and the zone-to-zone transition matrix per hour it feeds ("of
// people who left A, how many went to B"). Allocates only when a visit happens.

import { HOUR_MS } from '../shared/time-units.ts';

export interface FinishedPath {
  zones: number[];
  dwellsMs: number[];
}

export class PathRecorder {
  private zones: Array<number[] | null> = [];
  private starts: Array<number[] | null> = [];
  private dwells: Array<number[] | null> = [];

  ensureCapacity(n: number): void {
    while (this.zones.length < n) {
      this.zones.push(null);
      this.starts.push(null);
      this.dwells.push(null);
    }
  }

  reset(slot: number): void {
    this.zones[slot] = null;
    this.starts[slot] = null;
    this.dwells[slot] = null;
  }

  addVisit(slot: number, zoneIndex: number, startTsMs: number, dwellMs: number): void {
    let z = this.zones[slot];
    if (!z) {
      z = this.zones[slot] = [];
      this.starts[slot] = [];
      this.dwells[slot] = [];
    }
    // Visits close in exit order; keep them in entry order (overlapping zones).
    const s = this.starts[slot]!;
    const d = this.dwells[slot]!;
    let i = z.length;
    while (i > 0 && s[i - 1]! > startTsMs) i--;
    z.splice(i, 0, zoneIndex);
    s.splice(i, 0, startTsMs);
    d.splice(i, 0, dwellMs);
  }

  /** The path of a finished track (null if it visited no zone); clears the slot. */
  take(slot: number): FinishedPath | null {
    const zones = this.zones[slot];
    const dwellsMs = this.dwells[slot];
    this.reset(slot);
    if (!zones || !dwellsMs) return null;
    return { zones, dwellsMs };
  }
}

/** Counts of A -> B moves between consecutive zones of paths, per hour and in total. */
export class TransitionMatrix {
  /** hourStartMs -> "A>B" -> n */
  readonly byHour = new Map<number, Map<string, number>>();
  readonly total = new Map<string, number>();
  /** How many hours to keep in memory. */
  constructor(private readonly keepHours = 48) {}

  add(zoneNames: readonly string[], tsMs: number): void {
    if (zoneNames.length < 2) return;
    const hour = tsMs - (((tsMs % HOUR_MS) + HOUR_MS) % HOUR_MS);
    let m = this.byHour.get(hour);
    if (!m) {
      m = new Map();
      this.byHour.set(hour, m);
      if (this.byHour.size > this.keepHours) this.byHour.delete(Math.min(...this.byHour.keys()));
    }
    for (let i = 1; i < zoneNames.length; i++) {
      const a = zoneNames[i - 1]!;
      const b = zoneNames[i]!;
      if (a === b) continue;
      const key = `${a}>${b}`;
      m.set(key, (m.get(key) ?? 0) + 1);
      this.total.set(key, (this.total.get(key) ?? 0) + 1);
    }
  }

  /** Of the moves out of `from` (in total), the share to each destination. */
  sharesFrom(from: string): Record<string, number> {
    let all = 0;
    const out: Record<string, number> = {};
    for (const [key, n] of this.total) {
      const [a, b] = key.split('>') as [string, string];
      if (a !== from) continue;
      all += n;
      out[b] = n;
    }
    for (const k of Object.keys(out)) out[k] = out[k]! / all;
    return out;
  }
}
