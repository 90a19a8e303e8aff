// The daily report against a real EventStore in a temp dir: a fake clock crossing closing
// time makes exactly one `report.daily` event with the seeded figures; a restart after a
// missed closing time makes it once; the report page and API show the stored report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { wireEventSchema } from '../../cloud-sync/contract/index.ts';
import { EventStore } from '../store/index.ts';
import type { NewEvent } from '../shared/types.ts';
import { DailyReportScheduler } from './daily-report-scheduler.ts';
import { LocalZone } from '../shared/local-time.ts';
import { closingMsOf, REPORT_EVENT_TYPE, type DailyReport } from './daily-report.ts';
import { dayWindow, dayWindowOf } from './day-summary.ts';
import { DAY_MS } from '../shared/time-units.ts';
import { login, startHarness, type Harness } from './testing/harness.ts';

const OFFSET = 60; // UTC+1
const ZONE = LocalZone.fixed(OFFSET);
const CLOSING = '22:00';
const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const harnesses: Harness[] = [];

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'footfall-report-'));
  dirs.push(d);
  return d;
}

function openStore(dir: string): EventStore {
  return EventStore.open({ path: join(dir, 'events.db'), flushIntervalMs: 10_000, logger });
}

/** Local time `hh:mm` of `day` (a DayWindow start) as UTC ms. */
const at = (dayFromMs: number, hh: number, mm = 0) => dayFromMs + hh * 3_600_000 + mm * 60_000;

/** Monday 2026-11-16 (local, UTC+1) with a week of history before it. */
function seed(store: EventStore, day = dayWindowOf('2026-11-16', ZONE)!): void {
  const ev = (tsMs: number, type: string, data: Record<string, unknown>, source = 'entrance'): NewEvent => ({ tsMs, type, source, data });
  const d = day.fromMs;
  const events: NewEvent[] = [
    // Entries: 3 at 09h, 5 at 14h (peak), 2 exits at 15h; one entry after closing is not in the report.
    ...Array.from({ length: 3 }, (_, i) => ev(at(d, 9, i), 'line.cross', { line: 'door', direction: 'in' })),
    ...Array.from({ length: 5 }, (_, i) => ev(at(d, 14, i), 'line.cross', { line: 'door', direction: 'in' })),
    ...Array.from({ length: 2 }, (_, i) => ev(at(d, 15, i), 'line.cross', { line: 'door', direction: 'out' })),
    ev(at(d, 22, 30), 'line.cross', { line: 'door', direction: 'in' }),
    // Same weekday last week: 4 entries at 10h, one zone visit.
    ...Array.from({ length: 4 }, (_, i) => ev(at(d - 7 * DAY_MS, 10, i), 'line.cross', { line: 'door', direction: 'in' })),
    ev(at(d - 7 * DAY_MS, 11), 'zone.visit', { zone: 'lobby', dwellMs: 5_000 }),
    // Tuesdays before (tomorrow's forecast): 6 and 10 entries -> 8.
    ...Array.from({ length: 6 }, (_, i) => ev(at(d - 6 * DAY_MS, 12, i), 'line.cross', { line: 'door', direction: 'in' })),
    ...Array.from({ length: 10 }, (_, i) => ev(at(d - 13 * DAY_MS, 12, i), 'line.cross', { line: 'door', direction: 'in' })),
    // Zones, paths, queues.
    ev(at(d, 10), 'zone.visit', { zone: 'lobby', dwellMs: 10_000 }),
    ev(at(d, 11), 'zone.visit', { zone: 'lobby', dwellMs: 20_000 }),
    ev(at(d, 10, 5), 'path', { zones: ['lobby', 'shop', 'lobby'] }),
    ev(at(d, 11, 5), 'path', { zones: ['lobby', 'shop'] }),
    ev(at(d, 12), 'queue', { queue: 'tills', length: 3, waitMs: 60_000 }),
    ev(at(d, 13), 'queue', { queue: 'tills', length: 5, waitMs: 120_000 }),
    // Wi-Fi: a seen-before device, a new one, a randomized one.
    ev(at(d - 3 * DAY_MS, 12), 'wifi.visit', { macHash: 'aaaa', randomized: false, class: 'visitor', dwellMs: 600_000 }, 'wifi-1'),
    ev(at(d, 12), 'wifi.visit', { macHash: 'aaaa', randomized: false, class: 'visitor', dwellMs: 900_000 }, 'wifi-1'),
    ev(at(d, 12, 1), 'wifi.visit', { macHash: 'bbbb', randomized: false, class: 'passerby', dwellMs: 30_000 }, 'wifi-1'),
    ev(at(d, 12, 2), 'wifi.visit', { macHash: 'rrrr', randomized: true, class: 'passerby', dwellMs: 20_000 }, 'wifi-1'),
    // Alerts: one raised (counted), its clearing (not).
    ev(at(d, 14, 10), 'alert', { rule: 'crowding', state: 'raised', value: 12 }, 'analytics'),
    ev(at(d, 14, 40), 'alert', { rule: 'crowding', state: 'cleared', value: 3 }, 'analytics'),
  ];
  for (const e of events) store.append(e);
  store.flush();
}

function reportEvents(store: EventStore, fromMs: number, toMs: number) {
  return store.eventsBetween(fromMs, toMs, REPORT_EVENT_TYPE);
}

describe('DailyReportScheduler', () => {
  it('makes exactly one report when the clock crosses closing time, with the seeded figures', async () => {
    const store = openStore(tempDir());
    await store.start();
    seed(store);
    const day = dayWindowOf('2026-11-16', ZONE)!;
    const closingMs = closingMsOf(day, CLOSING, ZONE);
    let nowMs = closingMs - 60_000;
    const scheduler = new DailyReportScheduler({ store, sink: store, closingTime: CLOSING, zone: ZONE, logger, now: () => nowMs });

    // Before closing: the last closed day (Sunday) had no counts, so nothing is made.
    expect(scheduler.check()).toBeNull();
    nowMs = closingMs + 5_000;
    const made = scheduler.check();
    expect(made?.day).toBe('2026-11-16');
    nowMs = closingMs + 35_000;
    expect(scheduler.check()).toBeNull();
    nowMs = day.toMs - 1;
    expect(scheduler.check()).toBeNull();
    store.flush();

    const stored = reportEvents(store, day.fromMs - DAY_MS, day.toMs + DAY_MS);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.source).toBe('agent');
    expect(stored[0]!.tsMs).toBe(closingMs);
    const r = stored[0]!.data as unknown as DailyReport;
    expect(r).toMatchObject({
      v: 1,
      day: '2026-11-16',
      comparisonDay: '2026-11-09',
      fromMs: day.fromMs,
      toMs: closingMs,
      closingTime: CLOSING,
      utcOffsetMinutes: OFFSET,
      totals: { in: 8, out: 2, lastWeekIn: 4, lastWeekOut: 0 },
      peakHour: { hour: 14, in: 5 },
    });
    const door = r.entrances.find((e) => e.line === 'door')!;
    expect(door.hourlyIn[9]).toBe(3);
    expect(door.hourlyIn[14]).toBe(5);
    expect(door.hourlyIn[22]).toBe(0); // after closing
    expect(door.lastWeekHourlyIn[10]).toBe(4);
    expect(r.zones).toEqual([{ camera: 'entrance', zone: 'lobby', visits: 2, lastWeekVisits: 1, meanDwellMs: 15_000, maxDwellMs: 20_000, maxOccupancy: null }]);
    expect(r.paths).toEqual([
      { camera: 'entrance', from: 'lobby', to: 'shop', n: 2 },
      { camera: 'entrance', from: 'shop', to: 'lobby', n: 1 },
    ]);
    expect(r.queues).toEqual([{ camera: 'entrance', queue: 'tills', samples: 2, meanWaitMs: 90_000, maxWaitMs: 120_000, meanLength: 4, maxLength: 5 }]);
    expect(r.wifi).toEqual({ visits: 3, visitsByClass: { visitor: 1, passerby: 2 }, repeatShare: 0.5, randomizedShare: 0.333 });
    expect(r.forecast).toEqual({ day: '2026-11-17', method: 'same-weekday-mean', totalExpectedIn: 8, entrances: [{ camera: 'entrance', line: 'door', expectedIn: 8, weeksUsed: 2 }] });
    expect(r.alerts).toEqual({ raised: 1, byRule: { crowding: 1 }, items: [{ tsMs: at(day.fromMs, 14, 10), source: 'analytics', rule: 'crowding', value: 12 }] });
    // What the outbox publishes passes the v1 wire contract.
    expect(wireEventSchema.safeParse({ id: stored[0]!.id, ts: stored[0]!.tsMs, type: stored[0]!.type, source: stored[0]!.source, data: stored[0]!.data }).success).toBe(true);
    store.close();
  });

  it('after a restart past a missed closing time makes the report once', async () => {
    const dir = tempDir();
    const day = dayWindowOf('2026-11-16', ZONE)!;
    const first = openStore(dir);
    await first.start();
    seed(first, day);
    first.close(); // the agent was down at 22:00

    const nextMorning = at(day.toMs, 8);
    for (let run = 0; run < 2; run++) {
      const store = openStore(dir);
      await store.start();
      const scheduler = new DailyReportScheduler({ store, sink: store, closingTime: CLOSING, zone: ZONE, logger, now: () => nextMorning + run * 60_000 });
      scheduler.start();
      scheduler.stop();
      expect(scheduler.reportsMade).toBe(run === 0 ? 1 : 0);
      store.close();
    }
    const store = openStore(dir);
    const stored = reportEvents(store, day.fromMs, day.toMs + DAY_MS);
    expect(stored).toHaveLength(1);
    expect((stored[0]!.data as unknown as DailyReport).totals.in).toBe(8);
    store.close();
  });

  it('makes no catch-up report for a day the box saw nothing of', async () => {
    const store = openStore(tempDir());
    await store.start();
    const scheduler = new DailyReportScheduler({ store, sink: store, closingTime: CLOSING, zone: ZONE, logger, now: () => Date.parse('2026-11-20T10:00:00Z') });
    expect(scheduler.check()).toBeNull();
    expect(scheduler.reportsMade).toBe(0);
    store.close();
  });
});

describe('daily report in the status stage and pages', () => {
  it('the stage makes the missed report on start; the page, list and API show the stored one', async () => {
    const dir = tempDir();
    // Yesterday (UTC) so the report is among the listed past days.
    const yesterday = dayWindow(Date.now(), LocalZone.fixed(0), -1);
    const pre = openStore(dir);
    await pre.start();
    const ev = (tsMs: number, direction: string): NewEvent => ({ tsMs, type: 'line.cross', source: 'entrance', data: { line: 'door', direction } });
    for (let i = 0; i < 7; i++) pre.append(ev(at(yesterday.fromMs, 11, i), 'in'));
    pre.append(ev(at(yesterday.fromMs, 12), 'out'));
    pre.append({ tsMs: at(yesterday.fromMs, 12, 30), type: 'alert', source: 'analytics', data: { rule: 'crowding<script>', state: 'raised', value: 9 } });
    pre.close();

    const h = await startHarness({ dir, withSink: true, status: { report: { enabled: true, closingTime: '20:00' }, utcOffsetMinutes: 0 } });
    harnesses.push(h);
    expect(h.stage.health().metrics?.dailyReportsMade).toBe(1);
    h.store.flush();
    const s = await login(h);
    const get = (p: string) => fetch(`${h.baseUrl}${p}`, { headers: { cookie: s.cookie } });

    const page = await (await get(`/report?day=${yesterday.day}`)).text();
    expect(page).toContain(`Daily report ${yesterday.day}`);
    expect(page).toContain('data-role="report-stored"');
    expect(page).toMatch(/data-role="total-in">7</);
    expect(page).toMatch(/data-role="peak-hour">11:00–12:00 \(7\)/);
    expect(page).toContain('crowding&lt;script&gt;');
    expect(page).not.toContain('crowding<script>');
    expect(page).toContain(`/api/counts.csv?day=${yesterday.day}`);
    expect(page).toMatch(new RegExp(`<a href="/report\\?day=${yesterday.day}" class="stored"`));

    // Today has no stored report: the live-computed page, listing yesterday as a past day.
    const today = await (await get('/report')).text();
    expect(today).toContain('data-role="report-live"');
    expect(today).toContain(`/report?day=${yesterday.day}`);

    expect(await (await get('/api/reports')).json()).toEqual({ days: [yesterday.day] });
    const api = (await (await get(`/api/reports/${yesterday.day}`)).json()) as { stored: boolean; report: DailyReport };
    expect(api.stored).toBe(true);
    expect(api.report.totals).toEqual({ in: 7, out: 1, lastWeekIn: 0, lastWeekOut: 0 });
    // docs/status-api.md documents every key the report has.
    const doc = readFileSync(new URL('../../docs/status-api.md', import.meta.url), 'utf8');
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => [k, ...(v && typeof v === 'object' && !Array.isArray(v) && k !== 'visitsByClass' && k !== 'byRule' ? keys(v) : [])]);
    for (const k of keys(api.report)) expect(doc, `report key ${k}`).toContain(`"${k}"`);
    for (const k of keys(api.report.entrances[0]!)) expect(doc, `entrance key ${k}`).toContain(`"${k}"`);
    for (const k of keys(api.report.alerts.items[0]!)) expect(doc, `alert key ${k}`).toContain(`"${k}"`);
    const live = (await (await get(`/api/reports/${dayWindow(Date.now(), LocalZone.fixed(0)).day}`)).json()) as { stored: boolean; report: DailyReport };
    expect(live.stored).toBe(false);
    expect((await get('/api/reports/2026-13-40')).status).toBe(400);

    // The CSV export is unchanged: the day's per-minute counts.
    const csv = await (await get(`/api/counts.csv?day=${yesterday.day}`)).text();
    expect(csv.split('\n')[0]).toBe('minute_utc,source,subject,metric,n,sum,max');
    expect(csv).toContain(',entrance,door,in,1,1,1');
  });
});
