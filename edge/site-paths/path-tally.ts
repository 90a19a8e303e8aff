// Hourly aggregates of a site's paths: visits per zone, transitions "A>B" and sequences "A>B>C",
// each bucketed by the hour (UTC hour start, ms) in which the person reached the last zone.
// Counts are occurrences (a person who goes A>B twice in an hour counts twice). Only these
// aggregates are kept; fragments and site tracks never are. `anonymised` drops every cell below k.
import type { PathListener } from './stitcher.ts';

export const HOUR_MS = 3_600_000;

export interface PathCounts {
  visits: Record<string, number>;
  transitions: Record<string, number>;
  sequences: Record<string, number>;
}

export interface HourPaths extends PathCounts {
  /** Hour start, ms since epoch (UTC). */
  hourMs: number;
}

class HourBucket {
  readonly visits = new Map<string, number>();
  readonly transitions = new Map<string, number>();
  readonly sequences = new Map<string, number>();
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function recordOf(map: Map<string, number>, k = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) {
    const n = map.get(key)!;
    if (n >= k) out[key] = n;
  }
  return out;
}

export class PathTally implements PathListener {
  private readonly hours = new Map<number, HourBucket>();
  readonly totals = new HourBucket();

  private bucket(tsMs: number): HourBucket {
    const hour = Math.floor(tsMs / HOUR_MS) * HOUR_MS;
    let b = this.hours.get(hour);
    if (!b) this.hours.set(hour, (b = new HourBucket()));
    return b;
  }

  visit(zone: string, tsMs: number): void {
    bump(this.bucket(tsMs).visits, zone);
    bump(this.totals.visits, zone);
  }

  transition(from: string, to: string, tsMs: number): void {
    const key = `${from}>${to}`;
    bump(this.bucket(tsMs).transitions, key);
    bump(this.totals.transitions, key);
  }

  sequence(a: string, b: string, c: string, tsMs: number): void {
    const key = `${a}>${b}>${c}`;
    bump(this.bucket(tsMs).sequences, key);
    bump(this.totals.sequences, key);
  }

  /** All counts so far (k = 1: everything; offline use). */
  total(k = 1): PathCounts {
    return { visits: recordOf(this.totals.visits, k), transitions: recordOf(this.totals.transitions, k), sequences: recordOf(this.totals.sequences, k) };
  }

  /** The hours still held, oldest first, with cells below k left out. */
  hoursHeld(k = 1): HourPaths[] {
    return [...this.hours.keys()].sort((a, b) => a - b).map((hourMs) => this.hourOf(hourMs, k));
  }

  /** Removes and returns the hours that ended before `beforeMs`, oldest first, cells below k left out. */
  takeHoursBefore(beforeMs: number, k: number): HourPaths[] {
    const out: HourPaths[] = [];
    for (const hourMs of [...this.hours.keys()].sort((a, b) => a - b)) {
      if (hourMs + HOUR_MS > beforeMs) break;
      out.push(this.hourOf(hourMs, k));
      this.hours.delete(hourMs);
    }
    return out;
  }

  /** The hours held, unfiltered, as JSON (kept across a restart: aggregates only). */
  saveHours(): string {
    return JSON.stringify(this.hoursHeld(1));
  }

  /** Adds hours saved by saveHours; a malformed text is ignored and reported as false. */
  restoreHours(text: string): boolean {
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch {
      return false;
    }
    if (!Array.isArray(rows)) return false;
    for (const row of rows as HourPaths[]) {
      if (!row || typeof row.hourMs !== 'number' || !Number.isFinite(row.hourMs)) continue;
      let b = this.hours.get(row.hourMs);
      if (!b) this.hours.set(row.hourMs, (b = new HourBucket()));
      const add = (map: Map<string, number>, rec: unknown) => {
        if (!rec || typeof rec !== 'object') return;
        for (const [key, n] of Object.entries(rec as Record<string, unknown>)) if (typeof n === 'number' && Number.isInteger(n) && n > 0) map.set(key, (map.get(key) ?? 0) + n);
      };
      add(b.visits, row.visits);
      add(b.transitions, row.transitions);
      add(b.sequences, row.sequences);
    }
    return true;
  }

  private hourOf(hourMs: number, k: number): HourPaths {
    const b = this.hours.get(hourMs)!;
    return { hourMs, visits: recordOf(b.visits, k), transitions: recordOf(b.transitions, k), sequences: recordOf(b.sequences, k) };
  }
}
