// Today against yesterday from the store's per-minute `counts` rows: line crossings in/out
// and zone visits per camera, hourly, plus yesterday up to the same time of day so a
// morning is not compared with a whole day. Days start at local midnight (utcOffsetMinutes).
import type { StatusCountRow, StatusStoreReader } from './store-reader.ts';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface DayWindow {
  /** Local date, YYYY-MM-DD. */
  day: string;
  fromMs: number;
  toMs: number;
}

/** The local day containing `tsMs` (shifted by `offsetDays`). */
export function dayWindow(tsMs: number, utcOffsetMinutes: number, offsetDays = 0): DayWindow {
  const offsetMs = utcOffsetMinutes * 60_000;
  const localMidnight = Math.floor((tsMs + offsetMs) / DAY_MS) * DAY_MS + offsetDays * DAY_MS;
  const fromMs = localMidnight - offsetMs;
  return { day: new Date(localMidnight).toISOString().slice(0, 10), fromMs, toMs: fromMs + DAY_MS };
}

/** Parses YYYY-MM-DD into that local day's window, or null. */
export function dayWindowOf(day: string, utcOffsetMinutes: number): DayWindow | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) return null;
  const fromMs = ms - utcOffsetMinutes * 60_000;
  return { day, fromMs, toMs: fromMs + DAY_MS };
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
  utcOffsetMinutes: number;
  lines: LineDay[];
  zones: ZoneDay[];
}

export interface KnownGeometry {
  camera: string;
  lines: string[];
  zones: string[];
}

const hours = () => new Array<number>(24).fill(0);

/** Builds the summary; configured lines and zones appear even with no counts yet. */
export function summarizeDay(store: StatusStoreReader, nowMs: number, utcOffsetMinutes: number, known: KnownGeometry[] = []): DaySummary {
  const today = dayWindow(nowMs, utcOffsetMinutes);
  const yesterday = dayWindow(nowMs, utcOffsetMinutes, -1);
  const soFarMs = nowMs - today.fromMs;
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
    const base = isToday ? today.fromMs : yesterday.fromMs;
    const hour = Math.min(23, Math.max(0, Math.floor((row.minute - base) / HOUR_MS)));
    const soFar = !isToday && row.minute - base < soFarMs;
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
  for (const row of store.countsBetween(today.fromMs, today.toMs)) apply(row, true);
  for (const row of store.countsBetween(yesterday.fromMs, yesterday.toMs)) apply(row, false);
  const byName = <T extends { camera: string }>(a: T, b: T, ka: string, kb: string) => a.camera.localeCompare(b.camera) || ka.localeCompare(kb);
  return {
    day: today.day,
    fromMs: today.fromMs,
    toMs: today.toMs,
    nowMs,
    utcOffsetMinutes,
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
}

export function summarizeWifi(store: StatusStoreReader, nowMs: number, utcOffsetMinutes: number): WifiSummary {
  const today = dayWindow(nowMs, utcOffsetMinutes);
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
  return { day: today.day, visitsByClass, visits, randomizedShare: seen > 0 ? randomized / seen : null, devicesNow, devicesNowTsMs };
}
