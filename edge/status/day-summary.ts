// Today against yesterday from the store's per-minute `counts` rows: line crossings in/out
// and zone visits per camera, hourly, plus yesterday up to the same time of day so a
// morning is not compared with a whole day. Days start at local midnight in the site's time
// zone, so a daylight-saving day has 23 or 25 hours.
import type { WifiPresenceData } from '../wifi/index.ts';
import { shiftDay, type LocalZone } from '../shared/local-time.ts';
import type { StatusCountRow, StatusStoreReader } from './store-reader.ts';
import { DAY_MS } from '../shared/time-units.ts';

export interface DayWindow {
  /** Local date, YYYY-MM-DD. */
  day: string;
  fromMs: number;
  toMs: number;
}

/** The local day containing `tsMs` (shifted by `offsetDays` calendar days). */
export function dayWindow(tsMs: number, zone: LocalZone, offsetDays = 0): DayWindow {
  const day = shiftDay(zone.dayOf(tsMs), offsetDays);
  return { day, fromMs: zone.at(day, 0), toMs: zone.at(shiftDay(day, 1), 0) };
}

/** The answer to a day outside what dayWindowOf accepts. */
export const DAY_PARAM_MESSAGE = 'day: must be a date YYYY-MM-DD from 1970-01-01 to 9999-12-30';

/**
 * Parses YYYY-MM-DD into that local day's window, or null. Days before the epoch and the
 * last day of year 9999 (whose end is not a date) are refused, so no route computes on them.
 */
export function dayWindowOf(day: string, zone: LocalZone): DayWindow | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day < '1970-01-01' || day > '9999-12-30') return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) return null;
  const fromMs = zone.at(day, 0);
  const toMs = zone.at(shiftDay(day, 1), 0);
  return Number.isFinite(fromMs) && Number.isFinite(toMs) ? { day, fromMs, toMs } : null;
}

export interface LineDay {
  camera: string;
  line: string;
  in: number;
  out: number;
  yesterdayIn: number;
  yesterdayOut: number;
  /** Yesterday's counts up to the same local time as now. */
  yesterdaySoFarIn: number;
  yesterdaySoFarOut: number;
  hourlyIn: number[];
  hourlyOut: number[];
  yesterdayHourlyIn: number[];
  yesterdayHourlyOut: number[];
}

export interface ZoneDay {
  camera: string;
  zone: string;
  visits: number;
  yesterdayVisits: number;
  yesterdaySoFarVisits: number;
  meanDwellMs: number | null;
  maxOccupancy: number | null;
  hourlyVisits: number[];
  yesterdayHourlyVisits: number[];
}

export interface DaySummary {
  day: string;
  fromMs: number;
  toMs: number;
  nowMs: number;
  /** The site's time zone, and its offset from UTC now (minutes). */
  timeZone: string;
  utcOffsetMinutes: number;
  /** Local hour of day now (0-23). */
  hourNow: number;
  /** The whole site over its entrance lines (null: no entrance line has counted anything). */
  site: SiteDay | null;
  lines: LineDay[];
  zones: ZoneDay[];
}

export interface SiteDay {
  /** Entries into and exits from the site today, over every entrance line. */
  in: number;
  out: number;
  yesterdaySoFarIn: number;
  /** People inside at the end of the latest minute with figures (never below zero), or null. */
  occupancy: number | null;
  occupancyAtMs: number | null;
  /** Occupancy left when the count last started over at closing time (a quality figure), or null. */
  lastDrift: number | null;
}

export interface KnownGeometry {
  camera: string;
  lines: string[];
  zones: string[];
}

const hours = () => new Array<number>(24).fill(0);

/** Builds the summary; configured lines and zones appear even with no counts yet. */
export function summarizeDay(store: StatusStoreReader, nowMs: number, localZone: LocalZone, known: KnownGeometry[] = []): DaySummary {
  const today = dayWindow(nowMs, localZone);
  const yesterday = dayWindow(nowMs, localZone, -1);
  // "So far" compares wall-clock times of day, which holds across a daylight-saving change.
  const nowMinuteOfDay = localZone.minuteOfDay(nowMs);
  const lines = new Map<string, LineDay>();
  const zones = new Map<string, ZoneDay & { dwellSum: number }>();
  const line = (camera: string, name: string): LineDay => {
    const key = `${camera}\u0000${name}`;
    let l = lines.get(key);
    if (!l) {
      l = {
        camera, line: name, in: 0, out: 0, yesterdayIn: 0, yesterdayOut: 0, yesterdaySoFarIn: 0, yesterdaySoFarOut: 0,
        hourlyIn: hours(), hourlyOut: hours(), yesterdayHourlyIn: hours(), yesterdayHourlyOut: hours(),
      };
      lines.set(key, l);
    }
    return l;
  };
  const zone = (camera: string, name: string) => {
    const key = `${camera}\u0000${name}`;
    let z = zones.get(key);
    if (!z) {
      z = {
        camera, zone: name, visits: 0, yesterdayVisits: 0, yesterdaySoFarVisits: 0, meanDwellMs: null, maxOccupancy: null,
        hourlyVisits: hours(), yesterdayHourlyVisits: hours(), dwellSum: 0,
      };
      zones.set(key, z);
    }
    return z;
  };
  for (const k of known) {
    for (const l of k.lines) line(k.camera, l);
    for (const z of k.zones) zone(k.camera, z);
  }
  const apply = (row: StatusCountRow, isToday: boolean) => {
    const hour = localZone.hourOfDay(row.minute);
    const soFar = !isToday && localZone.minuteOfDay(row.minute) < nowMinuteOfDay;
    if (row.metric === 'in' || row.metric === 'out') {
      const l = line(row.source, row.subject);
      if (row.metric === 'in') {
        if (isToday) { l.in += row.n; l.hourlyIn[hour]! += row.n; }
        else { l.yesterdayIn += row.n; l.yesterdayHourlyIn[hour]! += row.n; if (soFar) l.yesterdaySoFarIn += row.n; }
      } else if (isToday) { l.out += row.n; l.hourlyOut[hour]! += row.n; }
      else { l.yesterdayOut += row.n; l.yesterdayHourlyOut[hour]! += row.n; if (soFar) l.yesterdaySoFarOut += row.n; }
    } else if (row.metric === 'visits') {
      const z = zone(row.source, row.subject);
      if (isToday) { z.visits += row.n; z.dwellSum += row.sum; z.hourlyVisits[hour]! += row.n; }
      else { z.yesterdayVisits += row.n; z.yesterdayHourlyVisits[hour]! += row.n; if (soFar) z.yesterdaySoFarVisits += row.n; }
    } else if (row.metric === 'occupancy' && isToday) {
      const z = zone(row.source, row.subject);
      if (row.max !== null && (z.maxOccupancy === null || row.max > z.maxOccupancy)) z.maxOccupancy = row.max;
    }
  };
  let site: SiteDay | null = null;
  const siteDay = (): SiteDay => (site ??= { in: 0, out: 0, yesterdaySoFarIn: 0, occupancy: null, occupancyAtMs: null, lastDrift: null });
  const applySite = (row: StatusCountRow, isToday: boolean): void => {
    const s = siteDay();
    if (row.metric === 'site.in') {
      if (isToday) s.in += row.n;
      else if (localZone.minuteOfDay(row.minute) < nowMinuteOfDay) s.yesterdaySoFarIn += row.n;
    } else if (row.metric === 'site.out' && isToday) s.out += row.n;
    else if (row.metric === 'site.occupancy' && isToday && (s.occupancyAtMs === null || row.minute >= s.occupancyAtMs)) {
      s.occupancy = row.n > 0 ? Math.round(row.sum / row.n) : null;
      s.occupancyAtMs = row.minute;
    } else if (row.metric === 'site.drift') s.lastDrift = row.n > 0 ? row.sum / row.n : null;
  };
  for (const row of store.countsBetween(yesterday.fromMs, yesterday.toMs)) {
    if (row.subject === 'site' && row.metric.startsWith('site.')) applySite(row, false);
    else apply(row, false);
  }
  for (const row of store.countsBetween(today.fromMs, today.toMs)) {
    if (row.subject === 'site' && row.metric.startsWith('site.')) applySite(row, true);
    else apply(row, true);
  }
  const byName = <T extends { camera: string }>(a: T, b: T, ka: string, kb: string) => a.camera.localeCompare(b.camera) || ka.localeCompare(kb);
  return {
    day: today.day,
    fromMs: today.fromMs,
    toMs: today.toMs,
    nowMs,
    timeZone: localZone.name,
    utcOffsetMinutes: localZone.offsetMinutesAt(nowMs),
    hourNow: localZone.hourOfDay(nowMs),
    site,
    lines: [...lines.values()].sort((a, b) => byName(a, b, a.line, b.line)),
    zones: [...zones.values()]
      .map(({ dwellSum, ...z }) => ({ ...z, meanDwellMs: z.visits > 0 ? Math.round(dwellSum / z.visits) : null }))
      .sort((a, b) => byName(a, b, a.zone, b.zone)),
  };
}

export interface WifiSummary {
  day: string;
  /** Visits closed today by class (visitor, passerby, ...). */
  visitsByClass: Record<string, number>;
  visits: number;
  /** Share of today's visits from randomized (private) MAC addresses, 0-1, or null with no visits. */
  randomizedShare: number | null;
  /** Devices in the latest wifi.count minute, or null if none today. */
  devicesNow: number | null;
  devicesNowTsMs: number | null;
  /** Devices near the sensors in the latest presence window (wifi.count `presence`, #19), or null if none in the last two hours. */
  presenceNow: WifiPresenceNow | null;
}

/** The latest presence window as the status page shows it (the wifi.count `presence` field without the floors). */
export type WifiPresenceNow = Omit<WifiPresenceData, 'floorsDbm'>;

/** The latest wifi.count presence window ending by `nowMs` (windows are at most an hour, so two hours back is enough). */
function latestPresence(store: StatusStoreReader, fromMs: number, nowMs: number): WifiPresenceNow | null {
  let out: WifiPresenceNow | null = null;
  for (const e of store.eventsBetween(Math.max(fromMs, nowMs - 7_200_000), nowMs + 1, 'wifi.count', 1_000)) {
    const p = e.data.presence as Record<string, unknown> | undefined;
    if (!p || typeof p.devices !== 'number') continue;
    const n = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : 0);
    out = { startMs: n('startMs'), windowMs: n('windowMs'), devices: n('devices'), low: n('low'), high: n('high'), fixedExcluded: n('fixedExcluded') };
  }
  return out;
}

export function summarizeWifi(store: StatusStoreReader, nowMs: number, zone: LocalZone): WifiSummary {
  const today = dayWindow(nowMs, zone);
  const visitsByClass: Record<string, number> = {};
  let visits = 0;
  let devicesNow: number | null = null;
  let devicesNowTsMs: number | null = null;
  for (const row of store.countsBetween(today.fromMs, today.toMs, { subject: 'wifi' })) {
    if (row.metric.startsWith('visits.')) {
      const cls = row.metric.slice('visits.'.length);
      visitsByClass[cls] = (visitsByClass[cls] ?? 0) + row.n;
      visits += row.n;
    } else if (row.metric === 'devices' && (devicesNowTsMs === null || row.minute >= devicesNowTsMs)) {
      devicesNow = row.max;
      devicesNowTsMs = row.minute;
    }
  }
  let randomized = 0;
  let seen = 0;
  for (const e of store.eventsBetween(today.fromMs, today.toMs, 'wifi.visit', 20_000)) {
    seen++;
    if (e.data.randomized === true) randomized++;
  }
  return { day: today.day, visitsByClass, visits, randomizedShare: seen > 0 ? randomized / seen : null, devicesNow, devicesNowTsMs, presenceNow: latestPresence(store, today.fromMs, nowMs) };
}
