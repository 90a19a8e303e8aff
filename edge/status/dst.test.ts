// Local days across both daylight-saving changes (Europe/Berlin, 2026): the spring day has 23
// hours and the autumn day 25. The day summary, the daily report (closing time, hours, the
// same weekday a week before) and the forecast's weekday-hour season follow the wall clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { forecastSeries, hourOfWeek } from '../analytics/index.ts';
import { HOUR_MS } from '../shared/time-units.ts';
import { LocalZone } from '../shared/local-time.ts';
import type { NewEvent } from '../shared/types.ts';
import { EventStore } from '../store/index.ts';
import { buildDailyReport, closingMsOf } from './daily-report.ts';
import { dayWindowOf, summarizeDay } from './day-summary.ts';

const BERLIN = LocalZone.of('Europe/Berlin');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store with one entry at hh:30 local of every wall-clock hour of `day` (both 02:30s on the autumn day). */
function storeWithHourlyEntries(days: string[]): EventStore {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-dst-'));
  dirs.push(dir);
  const store = EventStore.open({ path: join(dir, 'events.db'), flushIntervalMs: 10_000, logger: pino({ level: 'silent' }) });
  for (const day of days) {
    const w = dayWindowOf(day, BERLIN)!;
    for (let t = w.fromMs + 30 * 60_000; t < w.toMs; t += HOUR_MS) {
      const e: NewEvent = { tsMs: t, type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in' } };
      store.append(e);
    }
  }
  store.flush();
  return store;
}

describe('local days across daylight saving (Europe/Berlin)', () => {
  it('cuts a 23-hour spring day and a 25-hour autumn day at local midnight', () => {
    const spring = dayWindowOf('2026-03-29', BERLIN)!;
    const autumn = dayWindowOf('2026-10-25', BERLIN)!;
    expect(new Date(spring.fromMs).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect((spring.toMs - spring.fromMs) / HOUR_MS).toBe(23);
    expect(new Date(autumn.fromMs).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect((autumn.toMs - autumn.fromMs) / HOUR_MS).toBe(25);
  });

  it('day summary: every entry in its wall-clock hour, none lost or shifted, yesterday compared by the clock', () => {
    const store = storeWithHourlyEntries(['2026-03-28', '2026-03-29', '2026-10-24', '2026-10-25']);
    try {
      // Spring: 23 entries, no 02:xx hour (the clocks skip it).
      const spring = summarizeDay(store, dayWindowOf('2026-03-29', BERLIN)!.toMs - 1, BERLIN);
      const sDoor = spring.lines.find((l) => l.line === 'door')!;
      expect(sDoor.in).toBe(23);
      expect(sDoor.hourlyIn[2]).toBe(0);
      expect(sDoor.hourlyIn.filter((n) => n === 1)).toHaveLength(23);
      expect(sDoor.yesterdayIn).toBe(24);
      expect(spring).toMatchObject({ timeZone: 'Europe/Berlin', utcOffsetMinutes: 120 });
      // Autumn: 25 entries, two in the repeated 02:xx hour.
      const autumn = summarizeDay(store, dayWindowOf('2026-10-25', BERLIN)!.toMs - 1, BERLIN);
      const aDoor = autumn.lines.find((l) => l.line === 'door')!;
      expect(aDoor.in).toBe(25);
      expect(aDoor.hourlyIn[2]).toBe(2);
      expect(autumn.utcOffsetMinutes).toBe(60);
      // At 10:45 on the autumn day, "yesterday so far" is yesterday up to 10:45 by the clock: 11 entries (00:30 .. 10:30).
      const morning = summarizeDay(store, BERLIN.at('2026-10-25', 10 * 60 + 45), BERLIN);
      expect(morning.lines.find((l) => l.line === 'door')!.yesterdaySoFarIn).toBe(11);
    } finally {
      store.close();
    }
  });

  it('daily report: closes at 22:00 by the wall clock and compares with the same hours a week before', () => {
    const store = storeWithHourlyEntries(['2026-03-22', '2026-03-29', '2026-10-18', '2026-10-25']);
    try {
      for (const [day, hoursToClosing, weekBefore] of [['2026-03-29', 21, '2026-03-22'], ['2026-10-25', 23, '2026-10-18']] as const) {
        const w = dayWindowOf(day, BERLIN)!;
        const closing = closingMsOf(w, '22:00', BERLIN);
        expect(BERLIN.clock(closing)).toBe('22:00');
        const r = buildDailyReport(store, w, closing, { closingTime: '22:00', zone: BERLIN, nowMs: closing });
        expect(r).toMatchObject({ day, comparisonDay: weekBefore, timeZone: 'Europe/Berlin' });
        // Entries from 00:30 to 21:30 by the clock: 22 on a normal day, 21 in spring (no 02:30), 23 in autumn (two 02:30s).
        expect(r.totals.in).toBe(hoursToClosing);
        // A week before has no daylight-saving change: 22 entries up to 22:00.
        expect(r.totals.lastWeekIn).toBe(22);
      }
    } finally {
      store.close();
    }
  });

  it('forecast: the weekday-hour season follows the wall clock across the change', () => {
    // Sunday 09:00 local before and after the spring change is the same season slot.
    const before = BERLIN.at('2026-03-22', 9 * 60);
    const after = BERLIN.at('2026-03-29', 9 * 60);
    expect(after - before).toBe(7 * 24 * HOUR_MS - HOUR_MS);
    expect(hourOfWeek(before, BERLIN)).toBe(hourOfWeek(after, BERLIN));
    expect(hourOfWeek(before, BERLIN)).toBe(9); // Sunday = 0
    // Three weeks of a mall that is busy 10:00-20:00 local, spanning the spring change: the
    // forecast for the Monday after keeps the busy hours at 10-20 local, not shifted by one.
    const start = BERLIN.at('2026-03-16', 0);
    const hours = Math.round((BERLIN.at('2026-04-06', 0) - start) / HOUR_MS);
    const series = Array.from({ length: hours }, (_, i) => {
      const h = BERLIN.hourOfDay(start + i * HOUR_MS);
      return h >= 10 && h < 20 ? 100 : 0;
    });
    const fc = forecastSeries(series, start, 24, { alpha: 0.2, gamma: 0.3, minHistoryWeeks: 2, zone: BERLIN });
    const next = start + hours * HOUR_MS;
    for (let i = 0; i < 24; i++) {
      const h = BERLIN.hourOfDay(next + i * HOUR_MS);
      if (h >= 10 && h < 20) expect(fc.values[i], `local hour ${h}`).toBeGreaterThan(80);
      else expect(fc.values[i], `local hour ${h}`).toBeLessThan(20);
    }
  });
});
