// Zone dwell times binned per hour, for the dwell distribution of the status page and reports.
import { HOUR_MS } from '../shared/time-units.ts';

/** Upper bounds (ms) of the dwell-time bins; the last bin is open-ended. */
export const DWELL_BINS_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;

/** Zone visits per dwell bin, per hour (the last `keepHours`). */
export class DwellHistogram {
  readonly byHour = new Map<number, Uint32Array>();
  constructor(private readonly keepHours = 48) {}

  add(dwellMs: number, tsMs: number): void {
    const hour = tsMs - (((tsMs % HOUR_MS) + HOUR_MS) % HOUR_MS);
    let bins = this.byHour.get(hour);
    if (!bins) {
      bins = new Uint32Array(DWELL_BINS_MS.length + 1);
      this.byHour.set(hour, bins);
      if (this.byHour.size > this.keepHours) this.byHour.delete(Math.min(...this.byHour.keys()));
    }
    let i = 0;
    while (i < DWELL_BINS_MS.length && dwellMs >= DWELL_BINS_MS[i]!) i++;
    bins[i]!++;
  }
}
