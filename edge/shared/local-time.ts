// The site's local time: an IANA time zone (daylight saving included, so a day can last 23
// or 25 hours) or, for old configs, a fixed UTC offset. Everything that cuts a local day or
// hour (daily report, today vs yesterday, forecasts' weekday-hour season, rules with hours)
// goes through one LocalZone. Not a hot path: Intl does the zone arithmetic.

import { DAY_MS, MINUTE_MS } from './time-units.ts';

interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Whether `timeZone` is an IANA zone this Node knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone.length > 0;
  } catch {
    return false;
  }
}

/** The machine's own zone (the config's default). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export class LocalZone {
  private readonly format: Intl.DateTimeFormat | null;

  private constructor(
    /** IANA name, or `UTC+02:00` style for a fixed offset. */
    readonly name: string,
    timeZone: string | null,
    private readonly fixedOffsetMinutes: number,
  ) {
    this.format = timeZone
      ? new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      : null;
  }

  /** An IANA zone; throws RangeError for an unknown name. */
  static of(timeZone: string): LocalZone {
    if (!isKnownTimeZone(timeZone)) throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
    return new LocalZone(timeZone, timeZone, 0);
  }

  /** A constant offset from UTC (the deprecated utcOffsetMinutes settings). */
  static fixed(offsetMinutes: number): LocalZone {
    const sign = offsetMinutes < 0 ? '-' : '+';
    const a = Math.abs(offsetMinutes);
    return new LocalZone(`UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`, null, offsetMinutes);
  }

  private parts(tsMs: number): LocalParts {
    if (!this.format) {
      const d = new Date(tsMs + this.fixedOffsetMinutes * MINUTE_MS);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
    }
    const p: Partial<LocalParts> = {};
    for (const part of this.format.formatToParts(tsMs)) {
      if (part.type === 'weekday') p.weekday = WEEKDAYS[part.value] ?? 0;
      else if (part.type === 'year' || part.type === 'month' || part.type === 'day' || part.type === 'hour' || part.type === 'minute' || part.type === 'second') p[part.type] = Number(part.value);
    }
    return p as LocalParts;
  }

  /** Minutes the local clock is ahead of UTC at `tsMs` (Berlin: 60 in winter, 120 in summer). */
  offsetMinutesAt(tsMs: number): number {
    if (!this.format) return this.fixedOffsetMinutes;
    const p = this.parts(tsMs);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((asUtc - Math.floor(tsMs / 1000) * 1000) / MINUTE_MS);
  }

  /** Local date of `tsMs`, YYYY-MM-DD. */
  dayOf(tsMs: number): string {
    const p = this.parts(tsMs);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  }

  /** Local hour of day (0-23) and weekday (0 = Sunday) of `tsMs`. */
  hourOfDay(tsMs: number): number {
    return this.parts(tsMs).hour;
  }

  weekday(tsMs: number): number {
    return this.parts(tsMs).weekday;
  }

  /** Minutes since local midnight by the wall clock (0-1439). */
  minuteOfDay(tsMs: number): number {
    const p = this.parts(tsMs);
    return p.hour * 60 + p.minute;
  }

  /** Local wall-clock time of `tsMs`, HH:MM. */
  clock(tsMs: number): string {
    const p = this.parts(tsMs);
    return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  }

  /**
   * The instant of local time `minutesOfDay` on local date `day` (YYYY-MM-DD). A time the
   * clocks skip (spring forward) lands just after the gap.
   */
  at(day: string, minutesOfDay: number): number {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const wall = Date.UTC(y, m - 1, d) + minutesOfDay * MINUTE_MS;
    let t = wall - this.offsetMinutesAt(wall) * MINUTE_MS;
    t = wall - this.offsetMinutesAt(t) * MINUTE_MS;
    return t;
  }

  /** Local midnight starting the day `offsetDays` calendar days from the one holding `tsMs`. */
  startOfDay(tsMs: number, offsetDays = 0): number {
    return this.at(shiftDay(this.dayOf(tsMs), offsetDays), 0);
  }
}

/** YYYY-MM-DD moved by `days` calendar days. */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}
