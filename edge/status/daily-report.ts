// The end-of-day summary of one local day, built from the store's per-minute `counts` and
// its alert/forecast/Wi-Fi events. Plain JSON so it can be stored as a `report.daily` event,
// published upstream as is, and rendered later without recomputing (docs/status-api.md).
import { shiftDay, type LocalZone } from '../shared/local-time.ts';
import { dayWindowOf, type DayWindow } from './day-summary.ts';
import { DAY_MS, WEEK_MS } from '../shared/time-units.ts';
import type { StatusStoreReader } from './store-reader.ts';

export const REPORT_EVENT_TYPE = 'report.daily';
export const REPORT_EVENT_SOURCE = 'agent';
/** Same-weekday history used for tomorrow's forecast. */
export const FORECAST_WEEKS = 4;
const MAX_PATHS = 20;
const MAX_ALERT_ITEMS = 50;
const MAX_EVENTS_READ = 20_000;

export interface ReportEntrance {
  camera: string;
  line: string;
  in: number;
  out: number;
  lastWeekIn: number;
  lastWeekOut: number;
  hourlyIn: number[];
  hourlyOut: number[];
  lastWeekHourlyIn: number[];
}

export interface ReportZone {
  camera: string;
  zone: string;
  visits: number;
  lastWeekVisits: number;
  meanDwellMs: number | null;
  maxDwellMs: number | null;
  maxOccupancy: number | null;
}

export interface ReportPath {
  camera: string;
  from: string;
  to: string;
  n: number;
}

export interface ReportQueue {
  camera: string;
  queue: string;
  samples: number;
  meanWaitMs: number | null;
  maxWaitMs: number | null;
  meanLength: number | null;
  maxLength: number | null;
}

export interface ReportForecast {
  camera: string;
  line: string;
  /** Mean entries of the same weekday over the last weeks that have data, or null without history. */
  expectedIn: number | null;
  weeksUsed: number;
}

export interface ReportAlert {
  tsMs: number;
  source: string;
  rule: string;
  value: unknown;
}

export interface DailyReport {
  v: 1;
  /** Local date YYYY-MM-DD. */
  day: string;
  /** Local midnight up to closing time (or up to now for a preview of a day not yet closed). */
  fromMs: number;
  toMs: number;
  closingTime: string;
  /** The site's time zone and its offset from UTC at closing time (minutes). */
  timeZone: string;
  utcOffsetMinutes: number;
  generatedAtMs: number;
  /** The same weekday a week earlier, over the same hours. */
  comparisonDay: string;
  totals: { in: number; out: number; lastWeekIn: number; lastWeekOut: number };
  /** Local hour (0-23) with the most entries over all lines, or null on a day without entries. */
  peakHour: { hour: number; in: number } | null;
  entrances: ReportEntrance[];
  zones: ReportZone[];
  /** Zone-to-zone steps, most frequent first. */
  paths: ReportPath[];
  queues: ReportQueue[];
  wifi: {
    visits: number;
    visitsByClass: Record<string, number>;
    /** Share of the day's non-randomized devices also seen in the 7 days before, or null. */
    repeatShare: number | null;
    randomizedShare: number | null;
  };
  forecast: { day: string; method: 'same-weekday-mean'; entrances: ReportForecast[]; totalExpectedIn: number | null };
  alerts: { raised: number; byRule: Record<string, number>; items: ReportAlert[] };
}

export interface ReportWindowOptions {
  closingTime: string;
  zone: LocalZone;
}

/** Minutes after local midnight of "HH:MM". */
export function closingMinuteOf(closingTime: string): number {
  const [h, m] = closingTime.split(':').map(Number);
  return h! * 60 + m!;
}

/** Closing instant (ms) of a local day, by the wall clock (daylight saving included). */
export function closingMsOf(day: DayWindow, closingTime: string, zone: LocalZone): number {
  return zone.at(day.day, closingMinuteOf(closingTime));
}

const hours = () => new Array<number>(24).fill(0);
const key = (a: string, b: string) => `${a}\u0000${b}`;
const round = (v: number) => Math.round(v);

/** Builds the report of `day` over [local midnight, toMs). Reads only; stores nothing. */
export function buildDailyReport(store: StatusStoreReader, day: DayWindow, toMs: number, o: ReportWindowOptions & { nowMs: number }): DailyReport {
  const fromMs = day.fromMs;
  const entrances = new Map<string, ReportEntrance>();
  const entrance = (camera: string, line: string) => {
    let e = entrances.get(key(camera, line));
    if (!e) {
      e = { camera, line, in: 0, out: 0, lastWeekIn: 0, lastWeekOut: 0, hourlyIn: hours(), hourlyOut: hours(), lastWeekHourlyIn: hours() };
      entrances.set(key(camera, line), e);
    }
    return e;
  };
  const zones = new Map<string, ReportZone & { dwellSum: number }>();
  const zone = (camera: string, name: string) => {
    let z = zones.get(key(camera, name));
    if (!z) {
      z = { camera, zone: name, visits: 0, lastWeekVisits: 0, meanDwellMs: null, maxDwellMs: null, maxOccupancy: null, dwellSum: 0 };
      zones.set(key(camera, name), z);
    }
    return z;
  };
  const paths = new Map<string, ReportPath>();
  const queues = new Map<string, { camera: string; queue: string; waitN: number; waitSum: number; waitMax: number | null; lenN: number; lenSum: number; lenMax: number | null }>();
  const wifiByClass: Record<string, number> = {};
  let wifiVisits = 0;

  const site = o.zone;
  for (const r of store.countsBetween(fromMs, toMs)) {
    const hour = site.hourOfDay(r.minute);
    if (r.metric === 'in' || r.metric === 'out') {
      const e = entrance(r.source, r.subject);
      if (r.metric === 'in') { e.in += r.n; e.hourlyIn[hour]! += r.n; } else { e.out += r.n; e.hourlyOut[hour]! += r.n; }
    } else if (r.metric === 'visits') {
      const z = zone(r.source, r.subject);
      z.visits += r.n;
      z.dwellSum += r.sum;
      if (r.max !== null && (z.maxDwellMs === null || r.max > z.maxDwellMs)) z.maxDwellMs = r.max;
    } else if (r.metric === 'occupancy') {
      const z = zone(r.source, r.subject);
      if (r.max !== null && (z.maxOccupancy === null || r.max > z.maxOccupancy)) z.maxOccupancy = r.max;
    } else if (r.metric === 'transitions') {
      const [from, to] = r.subject.split('>');
      if (from && to) {
        const k = key(r.source, r.subject);
        const p = paths.get(k) ?? { camera: r.source, from, to, n: 0 };
        p.n += r.n;
        paths.set(k, p);
      }
    } else if (r.metric === 'waitMs' || r.metric === 'length') {
      const k = key(r.source, r.subject);
      let q = queues.get(k);
      if (!q) {
        q = { camera: r.source, queue: r.subject, waitN: 0, waitSum: 0, waitMax: null, lenN: 0, lenSum: 0, lenMax: null };
        queues.set(k, q);
      }
      if (r.metric === 'waitMs') {
        q.waitN += r.n; q.waitSum += r.sum;
        if (r.max !== null && (q.waitMax === null || r.max > q.waitMax)) q.waitMax = r.max;
      } else {
        q.lenN += r.n; q.lenSum += r.sum;
        if (r.max !== null && (q.lenMax === null || r.max > q.lenMax)) q.lenMax = r.max;
      }
    } else if (r.subject === 'wifi' && r.metric.startsWith('visits.')) {
      const cls = r.metric.slice('visits.'.length);
      wifiByClass[cls] = (wifiByClass[cls] ?? 0) + r.n;
      wifiVisits += r.n;
    }
  }

  // Same weekday last week, same hours of the day (by the wall clock: a week is not always 168 h).
  const lastWeek = dayWindowOf(shiftDay(day.day, -7), site)!;
  const lastWeekTo = toMs >= day.toMs ? lastWeek.toMs : Math.min(lastWeek.toMs, site.at(lastWeek.day, site.minuteOfDay(toMs)));
  for (const r of store.countsBetween(lastWeek.fromMs, lastWeekTo)) {
    const hour = site.hourOfDay(r.minute);
    if (r.metric === 'in') { const e = entrance(r.source, r.subject); e.lastWeekIn += r.n; e.lastWeekHourlyIn[hour]! += r.n; }
    else if (r.metric === 'out') entrance(r.source, r.subject).lastWeekOut += r.n;
    else if (r.metric === 'visits') zone(r.source, r.subject).lastWeekVisits += r.n;
  }

  const entranceList = [...entrances.values()].sort((a, b) => a.camera.localeCompare(b.camera) || a.line.localeCompare(b.line));
  const hourlyAll = hours();
  for (const e of entranceList) for (let h = 0; h < 24; h++) hourlyAll[h]! += e.hourlyIn[h]!;
  let peak = -1;
  for (let h = 0; h < 24; h++) if (hourlyAll[h]! > 0 && (peak < 0 || hourlyAll[h]! > hourlyAll[peak]!)) peak = h;

  // Tomorrow: mean of the same weekday's whole-day entries over the last weeks with data.
  const tomorrow = shiftDay(day.day, 1);
  const forecastSum = new Map<string, { sum: number; weeks: number }>();
  for (let w = 1; w <= FORECAST_WEEKS; w++) {
    const past = dayWindowOf(shiftDay(tomorrow, -7 * w), site)!;
    const seen = new Set<string>();
    const dayIn = new Map<string, number>();
    for (const r of store.countsBetween(past.fromMs, past.toMs, { metric: 'in' })) {
      const k = key(r.source, r.subject);
      entrance(r.source, r.subject);
      dayIn.set(k, (dayIn.get(k) ?? 0) + r.n);
      seen.add(k);
    }
    for (const k of seen) {
      const f = forecastSum.get(k) ?? { sum: 0, weeks: 0 };
      f.sum += dayIn.get(k)!;
      f.weeks++;
      forecastSum.set(k, f);
    }
  }
  const allEntrances = [...entrances.values()].sort((a, b) => a.camera.localeCompare(b.camera) || a.line.localeCompare(b.line));
  const forecasts: ReportForecast[] = allEntrances.map((e) => {
    const f = forecastSum.get(key(e.camera, e.line));
    return { camera: e.camera, line: e.line, expectedIn: f ? round(f.sum / f.weeks) : null, weeksUsed: f?.weeks ?? 0 };
  });
  const withForecast = forecasts.filter((f) => f.expectedIn !== null);

  // Wi-Fi repeat share: of the day's non-randomized devices, those also seen in the week before.
  const todayHashes = new Set<string>();
  let randomized = 0;
  let wifiEvents = 0;
  for (const e of store.eventsBetween(fromMs, toMs, 'wifi.visit', MAX_EVENTS_READ)) {
    wifiEvents++;
    if (e.data.randomized === true) randomized++;
    else if (typeof e.data.macHash === 'string') todayHashes.add(e.data.macHash);
  }
  let repeats = 0;
  if (todayHashes.size > 0) {
    const before = new Set<string>();
    for (const e of store.eventsBetween(fromMs - WEEK_MS, fromMs, 'wifi.visit', MAX_EVENTS_READ * 7)) {
      if (e.data.randomized !== true && typeof e.data.macHash === 'string') before.add(e.data.macHash);
    }
    for (const h of todayHashes) if (before.has(h)) repeats++;
  }

  const byRule: Record<string, number> = {};
  const items: ReportAlert[] = [];
  let raised = 0;
  for (const e of store.eventsBetween(fromMs, toMs, 'alert', MAX_EVENTS_READ)) {
    if (e.data.state !== 'raised') continue;
    const rule = typeof e.data.rule === 'string' ? e.data.rule : 'unknown';
    raised++;
    byRule[rule] = (byRule[rule] ?? 0) + 1;
    if (items.length < MAX_ALERT_ITEMS) items.push({ tsMs: e.tsMs, source: e.source, rule, value: e.data.value ?? null });
  }

  const sum = (f: (e: ReportEntrance) => number) => entranceList.reduce((a, e) => a + f(e), 0);
  return {
    v: 1,
    day: day.day,
    fromMs,
    toMs,
    closingTime: o.closingTime,
    timeZone: site.name,
    utcOffsetMinutes: site.offsetMinutesAt(toMs - 1),
    generatedAtMs: o.nowMs,
    comparisonDay: lastWeek.day,
    totals: { in: sum((e) => e.in), out: sum((e) => e.out), lastWeekIn: sum((e) => e.lastWeekIn), lastWeekOut: sum((e) => e.lastWeekOut) },
    peakHour: peak < 0 ? null : { hour: peak, in: hourlyAll[peak]! },
    entrances: entranceList,
    zones: [...zones.values()]
      .map(({ dwellSum, ...z }) => ({ ...z, meanDwellMs: z.visits > 0 ? round(dwellSum / z.visits) : null }))
      .sort((a, b) => a.camera.localeCompare(b.camera) || a.zone.localeCompare(b.zone)),
    paths: [...paths.values()].sort((a, b) => b.n - a.n || a.from.localeCompare(b.from) || a.to.localeCompare(b.to)).slice(0, MAX_PATHS),
    queues: [...queues.values()]
      .map((q) => ({
        camera: q.camera,
        queue: q.queue,
        samples: q.waitN,
        meanWaitMs: q.waitN > 0 ? round(q.waitSum / q.waitN) : null,
        maxWaitMs: q.waitMax,
        meanLength: q.lenN > 0 ? Math.round((q.lenSum / q.lenN) * 10) / 10 : null,
        maxLength: q.lenMax,
      }))
      .sort((a, b) => a.camera.localeCompare(b.camera) || a.queue.localeCompare(b.queue)),
    wifi: {
      visits: wifiVisits,
      visitsByClass: wifiByClass,
      repeatShare: todayHashes.size > 0 ? Math.round((repeats / todayHashes.size) * 1000) / 1000 : null,
      randomizedShare: wifiEvents > 0 ? Math.round((randomized / wifiEvents) * 1000) / 1000 : null,
    },
    forecast: {
      day: tomorrow,
      method: 'same-weekday-mean',
      entrances: forecasts,
      totalExpectedIn: withForecast.length ? withForecast.reduce((a, f) => a + f.expectedIn!, 0) : null,
    },
    alerts: { raised, byRule, items },
  };
}

/** The stored report of a local day, if one was made. */
export function storedReportOf(store: StatusStoreReader, day: DayWindow): DailyReport | null {
  // Stored at the closing instant, which lies inside the day.
  for (const e of store.eventsBetween(day.fromMs, day.toMs, REPORT_EVENT_TYPE, 100)) {
    if (e.source === REPORT_EVENT_SOURCE && e.data.day === day.day) return e.data as unknown as DailyReport;
  }
  return null;
}

/** Days (newest first) with a stored report in the `days` before `nowMs`. */
export function storedReportDays(store: StatusStoreReader, nowMs: number, days = 60): string[] {
  const out = new Set<string>();
  for (const e of store.eventsBetween(nowMs - days * DAY_MS, nowMs + 1, REPORT_EVENT_TYPE, 1_000)) {
    if (e.source === REPORT_EVENT_SOURCE && typeof e.data.day === 'string') out.add(e.data.day);
  }
  return [...out].sort().reverse();
}
