// The JSON API against the real EventStore: today's counts by line and zone against
// yesterday, recent events, the Wi-Fi summary, cameras, health, and the CSV export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalZone } from '../shared/local-time.ts';
import { dayWindow, dayWindowOf } from './day-summary.ts';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';


describe('status JSON API', () => {
  let h: Harness;
  let s: LoggedIn;
  const now = Date.now();
  const today = dayWindow(now, LocalZone.fixed(0));

  beforeAll(async () => {
    h = await startHarness();
    s = await login(h);
    // Yesterday: 3 in before this time of day, 1 in after it (when there is an after); today: 5 in, 2 out.
    const soFar = now - today.fromMs;
    const y = today.fromMs - 86_400_000;
    for (let i = 0; i < 3; i++) h.store.append({ tsMs: y + Math.floor((soFar * i) / 4), type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in', trackId: i } });
    h.store.append({ tsMs: y + 86_400_000 - 1_000, type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in', trackId: 9 } });
    for (let i = 0; i < 5; i++) h.store.append({ tsMs: today.fromMs + Math.floor((soFar * i) / 5), type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in', trackId: 10 + i } });
    for (let i = 0; i < 2; i++) h.store.append({ tsMs: now - 1000 * (i + 1), type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'out', trackId: 20 + i } });
    h.store.append({ tsMs: now - 5_000, type: 'zone.visit', source: 'entrance', data: { zone: 'lobby', trackId: 30, dwellMs: 4_000 } });
    h.store.append({ tsMs: now - 4_000, type: 'zone.visit', source: 'entrance', data: { zone: 'lobby', trackId: 31, dwellMs: 8_000 } });
    h.store.append({ tsMs: now - 3_000, type: 'wifi.visit', source: 'wifi-east', data: { macHash: 'a', randomized: true, dwellMs: 400_000, class: 'visitor' } });
    h.store.append({ tsMs: now - 2_000, type: 'wifi.visit', source: 'wifi-east', data: { macHash: 'b', randomized: false, dwellMs: 10_000, class: 'passerby' } });
    h.store.append({ tsMs: now - 1_500, type: 'wifi.visit', source: 'wifi-east', data: { macHash: 'c', randomized: true, dwellMs: 20_000, class: 'passerby' } });
    h.store.append({ tsMs: now - 1_000, type: 'alert', source: 'entrance', data: { rule: 'crowding', state: 'raised', value: 50 } });
    h.store.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  it('sums today by line and zone against yesterday at the same time and the whole day', async () => {
    const d = await get<{ day: string; lines: Array<Record<string, unknown>>; zones: Array<Record<string, unknown>> }>('/api/counts/today');
    expect(d.day).toBe(today.day);
    expect(d.lines).toHaveLength(1);
    const door = d.lines[0]!;
    expect(door).toMatchObject({ camera: 'entrance', line: 'door', in: 5, out: 2, yesterdayIn: 4, yesterdaySoFarIn: 3, yesterdayOut: 0 });
    expect((door.hourlyIn as number[]).reduce((a, b) => a + b, 0)).toBe(5);
    expect(door.hourlyIn as number[]).toHaveLength(24);
    expect(d.zones).toEqual([expect.objectContaining({ camera: 'entrance', zone: 'lobby', visits: 2, meanDwellMs: 6_000, yesterdayVisits: 0 })]);
  });

  it('summarises a past day by date and rejects a malformed one', async () => {
    const y = dayWindow(now, LocalZone.fixed(0), -1);
    const d = await get<{ day: string; lines: Array<{ in: number }> }>(`/api/counts/day/${y.day}`);
    expect(d.day).toBe(y.day);
    expect(d.lines[0]!.in).toBe(4);
    expect((await fetch(`${h.baseUrl}/api/counts/day/2026-13-45`, { headers: { cookie: s.cookie } })).status).toBe(400);
    expect(dayWindowOf('2026-02-30', LocalZone.fixed(0))).toBeNull();
  });

  it('answers 400 naming the range for dates outside 1970-01-01..9999-12-30, on every day route (#27)', async () => {
    for (const day of ['9999-12-31', '0000-01-01', '1969-12-31']) {
      for (const path of [`/api/counts/day/${day}`, `/api/reports/${day}`, `/api/counts.csv?day=${day}`, `/report?day=${day}`, `/api/site-paths?day=${day}`, `/site-paths?day=${day}`]) {
        const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie } });
        expect(res.status, path).toBe(400);
        expect(await res.text(), path).toContain('1970-01-01');
      }
    }
    expect(dayWindowOf('0000-01-01', LocalZone.fixed(0))).toBeNull();
    expect(dayWindowOf('1970-01-01', LocalZone.fixed(0))).toMatchObject({ fromMs: 0 });
    expect(dayWindowOf('9999-12-30', LocalZone.fixed(60))).not.toBeNull();
  });

  it('lists recent events newest first, filtered by type and limited', async () => {
    const all = await get<{ events: Array<{ type: string; tsMs: number; sent: boolean }> }>('/api/events/recent?limit=3');
    expect(all.events).toHaveLength(3);
    expect(all.events[0]!.type).toBe('alert');
    expect(all.events[0]!.tsMs).toBeGreaterThanOrEqual(all.events[1]!.tsMs);
    expect(all.events[0]!.sent).toBe(false);
    const zones = await get<{ events: Array<{ type: string }> }>('/api/events/recent?type=zone.visit');
    expect(zones.events.map((e) => e.type)).toEqual(['zone.visit', 'zone.visit']);
  });

  it('summarises Wi-Fi visits by class with the randomized share', async () => {
    const w = await get<{ visits: number; visitsByClass: Record<string, number>; randomizedShare: number }>('/api/wifi');
    expect(w.visits).toBe(3);
    expect(w.visitsByClass).toEqual({ visitor: 1, passerby: 2 });
    expect(w.randomizedShare).toBeCloseTo(2 / 3, 5);
  });

  it('reports health with store backlog, stages and recent alerts', async () => {
    const d = await get<{ stages: Record<string, { status: string }>; store: { unsentEvents: number; sizeBytes: number; oldestUnsentTsMs: number }; system: { cpus: number }; recentAlerts: unknown[] }>('/api/health');
    expect(d.stages.store!.status).toBe('ok');
    expect(d.stages.status!.status).toBe('ok');
    expect(d.store.unsentEvents).toBe(17);
    expect(d.store.sizeBytes).toBeGreaterThan(0);
    expect(d.store.oldestUnsentTsMs).toBeLessThan(today.fromMs);
    expect(d.system.cpus).toBeGreaterThan(0);
    expect(d.recentAlerts).toHaveLength(1);
  });

  it('lists cameras with their lines and zones', async () => {
    const d = await get<{ cameras: Array<{ name: string; lines: Array<{ name: string }>; zones: Array<{ name: string }>; snapshotUrl: string | null }> }>('/api/cameras');
    expect(d.cameras.map((c) => c.name)).toEqual(['entrance']);
    expect(d.cameras[0]!.lines[0]!.name).toBe('door');
    expect(d.cameras[0]!.zones[0]!.name).toBe('lobby');
    expect(d.cameras[0]!.snapshotUrl).toBeNull();
  });

  it('exports the day as CSV of per-minute counts', async () => {
    const res = await fetch(`${h.baseUrl}/api/counts.csv?day=${today.day}`, { headers: { cookie: s.cookie } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain(`footfall-counts-${today.day}.csv`);
    const rows = (await res.text()).trim().split('\n');
    expect(rows[0]).toBe('minute_utc,source,subject,metric,n,sum,max');
    const doorIn = rows.filter((r) => r.includes(',entrance,door,in,')).reduce((a, r) => a + Number(r.split(',')[4]), 0);
    expect(doorIn).toBe(5);
  });

  it('renders the overview, health and report pages with the same numbers', async () => {
    const page = async (path: string) => (await fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie } })).text();
    const overview = await page('/');
    expect(overview).toContain('data-camera="entrance"');
    expect(overview).toMatch(/door: in <tspan data-role="in">5<\/tspan> · out <tspan data-role="out">2<\/tspan>/);
    expect(overview).toContain('<svg viewBox="0 0 288 96"');
    const health = await page('/health');
    expect(health).toContain('data-stage="store"');
    expect(health).toContain('crowding raised');
    const report = await page(`/report?day=${today.day}`);
    expect(report).toContain(`Daily report ${today.day}`);
    expect(report).toContain(`/api/counts.csv?day=${today.day}`);
  });

  it('escapes names that reach the page', async () => {
    h.store.append({ tsMs: now, type: 'alert', source: '<img src=x onerror=alert(1)>', data: { rule: '<script>x</script>', state: 'raised' } });
    h.store.flush();
    const health = await (await fetch(`${h.baseUrl}/health`, { headers: { cookie: s.cookie } })).text();
    expect(health).not.toContain('<script>x');
    expect(health).not.toContain('<img src=x');
    expect(health).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

