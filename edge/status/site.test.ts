// The site card: entries and exits over entrance lines, people inside now and the drift at the
// last closing, from the real store, shown first on the overview page. Fixed clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';

const NOW = Date.parse('2026-11-17T10:30:00Z'); // UTC test zone: 10:30 local
const YAML = `site: test-site
cameras:
  - name: entrance
    fps: 5
    lines:
      - name: main-door
        points: [[100, 400], [600, 400]]
        role: entrance
`;

describe('site occupancy on the status page', () => {
  let h: Harness;
  let s: LoggedIn;
  beforeAll(async () => {
    h = await startHarness({ yaml: YAML, now: () => NOW });
    s = await login(h);
    const cross = (tsMs: number, site: 'in' | 'out') => h.store.append({ tsMs, type: 'line.cross', source: 'entrance', data: { line: 'main-door', direction: site, site } });
    // Yesterday: closed at 22:00 with 2 people still counted inside; 4 entries before 10:30.
    for (let i = 0; i < 4; i++) cross(Date.parse('2026-11-16T09:00:00Z') + i * 60_000, 'in');
    h.store.append({ tsMs: Date.parse('2026-11-16T22:00:00Z'), type: 'site.reset', source: 'site', data: { drift: 2, in: 40, out: 38 } });
    // Today: 3 in, 1 out, and the minute figures.
    for (let i = 0; i < 3; i++) cross(Date.parse('2026-11-17T09:00:00Z') + i * 1000, 'in');
    cross(Date.parse('2026-11-17T09:30:00Z'), 'out');
    h.store.append({ tsMs: Date.parse('2026-11-17T09:00:00Z'), type: 'site.occupancy', source: 'site', data: { occupancy: 3, max: 3, in: 3, out: 0 } });
    h.store.append({ tsMs: Date.parse('2026-11-17T09:30:00Z'), type: 'site.occupancy', source: 'site', data: { occupancy: 2, max: 3, in: 0, out: 1 } });
    h.store.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sums the site in /api/counts/today, apart from the lines', async () => {
    const res = await fetch(`${h.baseUrl}/api/counts/today`, { headers: { cookie: s.cookie } });
    const d = (await res.json()) as { site: Record<string, unknown>; lines: Array<{ line: string; in: number }> };
    expect(d.site).toEqual({ in: 3, out: 1, yesterdaySoFarIn: 4, occupancy: 2, occupancyAtMs: Date.parse('2026-11-17T09:30:00Z'), lastDrift: 2 });
    expect(d.lines).toEqual([expect.objectContaining({ line: 'main-door', in: 3, out: 1 })]);
  });

  it('shows the site first on the overview', async () => {
    const page = await (await fetch(`${h.baseUrl}/`, { headers: { cookie: s.cookie } })).text();
    const site = page.indexOf('data-role="site"');
    expect(site).toBeGreaterThan(0);
    expect(site).toBeLessThan(page.indexOf('data-camera="entrance"'));
    expect(page).toMatch(/data-role="site-occupancy">2</);
    expect(page).toMatch(/data-role="site-drift">2</);
  });
});
