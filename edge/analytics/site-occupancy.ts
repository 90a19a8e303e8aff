// The site as a whole: entries and exits through every entrance line (role: entrance) of the
// box's cameras, people inside now (never below zero), a `site.occupancy` event per minute
// with activity, and a reset at closing time. The occupancy left at the reset is the drift
// (people counted in but never out, or the reverse): commercial counters report it as a
// quality figure, and so does `site.reset`.
import type { LocalZone } from '../shared/local-time.ts';
import type { EventSink } from '../shared/types.ts';
import type { CountsReader } from './counts-reader.ts';
import { MINUTE_MS } from '../shared/time-units.ts';

export interface SiteOccupancyOptions {
  sink: EventSink;
  zone: LocalZone;
  /** Local "HH:MM" when the count starts over (the mall closes); null: never. */
  closingTime: string | null;
}

export interface SiteFigures {
  occupancy: number;
  inSinceReset: number;
  outSinceReset: number;
  /** Exits counted while nobody was inside (the count stayed at 0). */
  exitsAtZero: number;
  lastResetMs: number | null;
  lastDrift: number | null;
}

export class SiteOccupancy {
  private occupancy = 0;
  private inSinceReset = 0;
  private outSinceReset = 0;
  private exitsAtZero = 0;
  private minuteMs = NaN;
  private minuteIn = 0;
  private minuteOut = 0;
  private minuteMax = 0;
  private nextResetMs = NaN;
  private lastResetMs: number | null = null;
  private lastDrift: number | null = null;

  constructor(private readonly options: SiteOccupancyOptions) {}

  /** The closing instant after `tsMs` (local time, daylight saving included). */
  private closingAfter(tsMs: number): number {
    const closing = this.options.closingTime;
    if (!closing) return Infinity;
    const [h, m] = closing.split(':').map(Number) as [number, number];
    const zone = this.options.zone;
    const today = zone.at(zone.dayOf(tsMs), h * 60 + m);
    return today > tsMs ? today : zone.at(zone.dayOf(zone.startOfDay(tsMs, 1)), h * 60 + m);
  }

  /** Picks up after a restart: entries minus exits stored since the last closing time. */
  restore(history: CountsReader, nowMs: number): void {
    const since = this.options.closingTime ? this.closingAfter(nowMs - 86_400_000 - MINUTE_MS) : nowMs - 86_400_000;
    const from = Math.min(since, nowMs);
    for (const r of history.countsBetween(from, nowMs, { subject: 'site', metric: 'site.in' })) this.inSinceReset += r.n;
    for (const r of history.countsBetween(from, nowMs, { subject: 'site', metric: 'site.out' })) this.outSinceReset += r.n;
    this.occupancy = Math.max(0, this.inSinceReset - this.outSinceReset);
    this.nextResetMs = this.closingAfter(nowMs);
  }

  /** An entrance crossing: `direction` is into (`in`) or out of the site. */
  onCross(direction: 'in' | 'out', tsMs: number): void {
    this.advance(tsMs);
    if (direction === 'in') {
      this.inSinceReset++;
      this.minuteIn++;
      this.occupancy++;
    } else {
      this.outSinceReset++;
      this.minuteOut++;
      if (this.occupancy > 0) this.occupancy--;
      else this.exitsAtZero++;
    }
    if (this.occupancy > this.minuteMax) this.minuteMax = this.occupancy;
  }

  /** Closes minutes and resets at closing time up to `nowMs` (called on crossings and by a timer). */
  advance(nowMs: number): void {
    if (Number.isNaN(this.nextResetMs)) this.nextResetMs = this.closingAfter(nowMs);
    if (Number.isNaN(this.minuteMs)) this.minuteMs = nowMs - (nowMs % MINUTE_MS);
    for (;;) {
      const minuteEnd = this.minuteMs + MINUTE_MS;
      if (this.nextResetMs <= nowMs && this.nextResetMs <= minuteEnd) {
        // Closing time inside the open minute: its figures so far, then the reset.
        this.closeMinute();
        this.reset(this.nextResetMs);
      } else if (minuteEnd <= nowMs) {
        const quiet = this.minuteIn === 0 && this.minuteOut === 0 && this.occupancy === 0;
        this.closeMinute();
        // Nobody inside and nothing happening: skip straight to the minute holding `nowMs`.
        this.minuteMs = quiet ? Math.min(nowMs - (nowMs % MINUTE_MS), Math.max(minuteEnd, this.nextResetMs - (this.nextResetMs % MINUTE_MS))) : minuteEnd;
      } else return;
    }
  }

  private closeMinute(): void {
    if (this.minuteIn > 0 || this.minuteOut > 0 || this.occupancy > 0) {
      this.options.sink.append({
        tsMs: this.minuteMs,
        type: 'site.occupancy',
        source: 'site',
        data: { occupancy: this.occupancy, max: Math.max(this.minuteMax, this.occupancy), in: this.minuteIn, out: this.minuteOut },
      });
    }
    this.minuteIn = 0;
    this.minuteOut = 0;
    this.minuteMax = this.occupancy;
  }

  private reset(atMs: number): void {
    const drift = this.occupancy;
    this.options.sink.append({
      tsMs: atMs,
      type: 'site.reset',
      source: 'site',
      data: { drift, in: this.inSinceReset, out: this.outSinceReset, exitsAtZero: this.exitsAtZero },
    });
    this.lastDrift = drift;
    this.lastResetMs = atMs;
    this.occupancy = 0;
    this.minuteMax = 0;
    this.inSinceReset = 0;
    this.outSinceReset = 0;
    this.exitsAtZero = 0;
    this.nextResetMs = this.closingAfter(atMs);
  }

  figures(): SiteFigures {
    return {
      occupancy: this.occupancy,
      inSinceReset: this.inSinceReset,
      outSinceReset: this.outSinceReset,
      exitsAtZero: this.exitsAtZero,
      lastResetMs: this.lastResetMs,
      lastDrift: this.lastDrift,
    };
  }
}
