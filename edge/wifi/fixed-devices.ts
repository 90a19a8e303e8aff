// Learns the fixed devices of a site from a day of frames: globally unique (not randomized)
// addresses seen in most hours of the day at a steady signal are PCs, printers, access points
// and staff phones, not visitors. Randomized addresses never qualify (they rotate).
import { HOUR_MS } from '../shared/time-units.ts';

export interface FixedDeviceOptions {
  /** Seen in at least this many distinct hours (the config's staffMinHoursPerDay). */
  minHours: number;
  /** ...and in at least this share of the capture's hours (default 0.5: "most of the day"). */
  minHourShare?: number;
  /** Spread (max - min) of the device's hourly median RSSI at most this (dB, default 12): it does not move. */
  maxLevelSpreadDb?: number;
}


interface AddressHours {
  /** Hour index (since the first frame) -> RSSI values of that hour (at most 16 kept). */
  hours: Map<number, number[]>;
}

export class FixedDeviceLearner {
  private readonly addresses = new Map<number, AddressHours>();
  private firstMs = NaN;
  private lastMs = NaN;

  constructor(private readonly options: FixedDeviceOptions) {}

  /** One frame of a globally unique address (callers skip randomized ones). */
  observe(key: number, tsMs: number, rssiDbm: number): void {
    if (Number.isNaN(this.firstMs)) this.firstMs = tsMs;
    if (!(tsMs <= this.lastMs)) this.lastMs = tsMs;
    const hour = Math.floor((tsMs - this.firstMs) / HOUR_MS);
    let a = this.addresses.get(key);
    if (a === undefined) {
      a = { hours: new Map() };
      this.addresses.set(key, a);
    }
    let v = a.hours.get(hour);
    if (v === undefined) {
      v = [];
      a.hours.set(hour, v);
    }
    if (v.length < 16 && !Number.isNaN(rssiDbm)) v.push(rssiDbm);
  }

  /** Hours the capture spans (partial hours count). */
  get spanHours(): number {
    return Number.isNaN(this.firstMs) ? 0 : Math.floor((this.lastMs - this.firstMs) / HOUR_MS) + 1;
  }

  /**
   * How far the signal of the long-present unique addresses stepped between the first and the
   * second half of the capture (median over them, dB; NaN without any): devices that stay put
   * all seem to move when the sensor moved. Long-present = seen in the needed hours, any spread.
   */
  levelShiftDb(): number {
    const needHours = this.neededHours();
    const half = this.spanHours / 2;
    const shifts: number[] = [];
    for (const a of this.addresses.values()) {
      if (a.hours.size < needHours) continue;
      const first: number[] = [];
      const second: number[] = [];
      for (const [h, v] of a.hours) (h < half ? first : second).push(...v);
      if (first.length < 3 || second.length < 3) continue;
      shifts.push(median(second) - median(first));
    }
    return shifts.length === 0 ? NaN : median(shifts);
  }

  private neededHours(): number {
    const minShare = this.options.minHourShare ?? 0.5;
    return Math.max(2, Math.ceil(Math.max(this.options.minHours, minShare * this.spanHours)));
  }

  /** Keys of the fixed devices. */
  learn(): Set<number> {
    const maxSpread = this.options.maxLevelSpreadDb ?? 12;
    const needHours = this.neededHours();
    const out = new Set<number>();
    for (const [key, a] of this.addresses) {
      if (a.hours.size < needHours) continue;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of a.hours.values()) {
        if (v.length === 0) continue;
        const m = median(v);
        if (m < lo) lo = m;
        if (m > hi) hi = m;
      }
      if (hi - lo <= maxSpread || !Number.isFinite(lo)) out.add(key);
    }
    return out;
  }
}

function median(v: readonly number[]): number {
  const s = v.slice().sort((x, y) => x - y);
  return s[(s.length - 1) >> 1]!;
}
