// The Site paths API and page against the real EventStore: stored `site.paths` hours and the
// hours the stage still holds, merged into the day's matrix, top sequences and visits, with no
// cell below k answered (not even as a sum of withheld hours); the page says where paths are
// stitched; the site-paths stage's health reads plainly on the health page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { SitePathsStage, type AnonymisedHour, type SitePathsView } from '../site-paths/index.ts';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';

const HOUR = 3_600_000;
const DAY = '2026-12-03';
const at = (hour: number, day = DAY) => Date.parse(`${day}T00:00:00Z`) + hour * HOUR;
const NOW = at(15.5);

interface Cells {
  visits?: Record<string, number>;
  transitions?: Record<string, number>;
  sequences?: Record<string, number>;
  suppressed?: { visits: number; transitions: number; sequences: number };
  k?: number;
}

interface Answer {
  day: string;
  hour: number | null;
  k: number;
  stitching: { role: string; cameras: string[]; sources: string[] };
  hours: Array<{ hourStartMs: number; localTime: string; published: boolean; inProgress: boolean; transitions: number; withheld: { visits: number; transitions: number; sequences: number } }>;
  zones: string[];
  visits: Record<string, number>;
  transitions: Array<Array<number | null>>;
  transitionsTotal: number;
  topSequences: Array<{ sequence: string; n: number }>;
  withheld: { visits: number; transitions: number; sequences: number };
}

describe('site paths on the status page', () => {
  let h: Harness;
  let s: LoggedIn;
  let view: SitePathsView | null;
  const bus = new EventBus();
  let stage: SitePathsStage;

  const publish = (hourMs: number, c: Cells) =>
    h.store.append({
      tsMs: hourMs,
      type: 'site.paths',
      source: 'site',
      data: {
        hour: new Date(hourMs).toISOString(),
        hourStartMs: hourMs,
        k: c.k ?? 10,
        visits: c.visits ?? {},
        transitions: c.transitions ?? {},
        sequences: c.sequences ?? {},
        suppressed: c.suppressed ?? { visits: 0, transitions: 0, sequences: 0 },
        cameras: 4,
        boxes: ['box-a', 'box-b'],
      },
    });
  const held = (hourMs: number, c: Cells): AnonymisedHour => ({
    hourMs,
    visits: c.visits ?? {},
    transitions: c.transitions ?? {},
    sequences: c.sequences ?? {},
    suppressed: c.suppressed ?? { visits: 0, transitions: 0, sequences: 0 },
  });
  const localView = (): SitePathsView => ({
    role: 'local',
    k: 10,
    // The hour in progress: A>B reaches 10 here; B>A>B too; two visit cells and one transition below k.
    hours: [held(at(12), { visits: { A: 10 }, transitions: { 'A>B': 10 }, sequences: { 'B>A>B': 10 }, suppressed: { visits: 2, transitions: 1, sequences: 0 } })],
    cameras: ['cam1', 'cam2'],
    uncalibrated: [],
    unseenZones: [],
    sources: ['box-a', 'box-b'],
  });

  beforeAll(async () => {
    view = localView();
    // A real site-paths stage for the health page: one camera without calibration, one zone no camera sees.
    const config = configSchema.parse({
      site: 'mall',
      device: 'box-a',
      cameras: [
        { name: 'cam1', width: 960, height: 540, calibration: { points: [[100, 400, 0, 0], [800, 400, 10, 0], [100, 100, 0, 8], [800, 100, 10, 8], [450, 250, 5, 4]] } },
        { name: 'lobby', width: 960, height: 540 },
      ],
      floorPlan: { zones: [{ name: 'A', polygon: [[1, 1], [4, 1], [4, 3], [1, 3]] }, { name: 'far-kiosk', polygon: [[500, 500], [504, 500], [504, 504], [500, 504]] }] },
      sitePaths: { boxes: ['box-b'] },
    });
    stage = new SitePathsStage({ bus, config, sink: { append: () => 'id' }, logger: silentLogger(), now: () => Date.now() });
    await stage.start();
    stage.acceptRemote({ box: 'box-x', upToMs: Date.now(), chunks: [] });
    h = await startHarness({ now: () => NOW, sitePaths: () => view, health: () => ({ 'site-paths': stage.health() }) });
    s = await login(h);
    // 10:00: B>C 10 shown; C>A 6 and B>A 4 withheld (suppressed.transitions 2).
    publish(at(10), { visits: { A: 30, B: 25, C: 12 }, transitions: { 'A>B': 15, 'B>C': 10 }, sequences: { 'A>B>C': 10 }, suppressed: { visits: 1, transitions: 2, sequences: 3 } });
    // 11:00: C>A 7 and B>C 4 withheld. C>A is 6 + 7 = 13 over the day, but no hour showed it.
    publish(at(11), { visits: { A: 20, B: 18 }, transitions: { 'A>B': 12, 'B>A': 11 }, sequences: { 'A>B>A': 11 }, suppressed: { visits: 1, transitions: 2, sequences: 1 } });
    // 13:00, published while k was 5: C>B 7 is below today's k and is withheld now.
    publish(at(13), { k: 5, transitions: { 'C>B': 7, 'A>C': 14 } });
    // The days around it stay out.
    publish(at(23, '2026-12-02'), { visits: { A: 99 }, transitions: { 'A>B': 99 } });
    publish(at(0, '2026-12-04'), { visits: { A: 99 }, transitions: { 'A>B': 99 } });
    // Two days before: twelve sequences, for the top ten.
    const many: Record<string, number> = {};
    for (let i = 0; i < 12; i++) many[`Z${String(i).padStart(2, '0')}>A>B`] = 10 + i;
    many['Z99>A>B'] = 21; // ties with Z11 (21): by name
    publish(at(9, '2026-12-01'), { sequences: many });
    h.store.flush();
  });
  afterAll(async () => {
    await stage?.stop();
    await h?.close();
  });

  const get = async (path: string) => fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie } });
  const json = async (path: string): Promise<Answer> => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as Answer;
  };

  it("sums the day's published hours and the hour in progress into visits, the matrix and the top sequences", async () => {
    const d = await json(`/api/site-paths?day=${DAY}`);
    expect(d.day).toBe(DAY);
    expect(d.k).toBe(10);
    expect(d.stitching).toMatchObject({ role: 'local', cameras: ['cam1', 'cam2'], sources: ['box-a', 'box-b'] });
    expect(d.zones).toEqual(['A', 'B', 'C']);
    expect(d.visits).toEqual({ A: 60, B: 43, C: 12 });
    // Rows from, columns to: A>B 15 + 12 + 10, A>C 14 (k 5 hour, 14 >= 10), B>A 11, B>C 10 (10:00; its 11:00 hour was withheld).
    expect(d.transitions).toEqual([
      [null, 37, 14],
      [11, null, 10],
      [null, null, null],
    ]);
    expect(d.transitionsTotal).toBe(72);
    const matrixSum = d.transitions.flat().reduce<number>((a, n) => a + (n ?? 0), 0);
    expect(matrixSum).toBe(d.transitionsTotal);
    expect(d.topSequences).toEqual([
      { sequence: 'A>B>A', n: 11 },
      { sequence: 'A>B>C', n: 10 },
      { sequence: 'B>A>B', n: 10 },
    ]);
    expect(d.hours.map((r) => [r.localTime, r.published, r.inProgress, r.transitions])).toEqual([
      ['10:00', true, false, 25],
      ['11:00', true, false, 23],
      ['12:00', false, true, 10],
      ['13:00', true, false, 14],
    ]);
    // Withheld hour cells: published (1+1, 2+2, 3+1), in progress (2, 1, 0), and C>B of the k 5 hour.
    expect(d.withheld).toEqual({ visits: 4, transitions: 6, sequences: 4 });
  });

  it('never answers a cell below k, not even one whose withheld hours would add up to k', async () => {
    const res = await get(`/api/site-paths?day=${DAY}`);
    const text = await res.text();
    const d = JSON.parse(text) as Answer;
    // C>A was 6 at 10:00 and 7 at 11:00 (13 >= k together) but no hour showed it: it stays withheld.
    expect(d.transitions[2]![0]).toBeNull();
    // C>B 7, shown by an hour published with k 5, is below today's k.
    expect(d.transitions[2]![1]).toBeNull();
    expect(text).not.toContain('C>A');
    expect(text).not.toContain('C>B');
    for (const n of [...d.transitions.flat(), ...Object.values(d.visits), ...d.topSequences.map((q) => q.n)]) if (n !== null) expect(n).toBeGreaterThanOrEqual(d.k);
    // With k 12 in force now, the 11:00 hour's B>A 11 and A>B>A 11 and the 12:00 hour's cells go too.
    view = { ...localView(), k: 12 };
    try {
      const strict = await json(`/api/site-paths?day=${DAY}`);
      expect(strict.k).toBe(12);
      expect(strict.zones).toEqual(['A', 'B', 'C']);
      expect(strict.transitions).toEqual([
        [null, 27, 14],
        [null, null, null],
        [null, null, null],
      ]);
      expect(strict.visits).toEqual({ A: 50, B: 43, C: 12 });
      expect(strict.topSequences).toEqual([]);
    } finally {
      view = localView();
    }
  });

  it('narrows to one hour and lists only the top ten sequences, most first', async () => {
    const d = await json(`/api/site-paths?day=${DAY}&hour=${at(11)}`);
    expect(d.hour).toBe(at(11));
    expect(d.hours).toHaveLength(4);
    expect(d.zones).toEqual(['A', 'B']);
    expect(d.transitions).toEqual([
      [null, 12],
      [11, null],
    ]);
    expect(d.withheld).toEqual({ visits: 1, transitions: 2, sequences: 1 });
    const top = await json('/api/site-paths?day=2026-12-01');
    expect(top.topSequences).toHaveLength(10);
    expect(top.topSequences.slice(0, 3)).toEqual([
      { sequence: 'Z11>A>B', n: 21 },
      { sequence: 'Z99>A>B', n: 21 },
      { sequence: 'Z10>A>B', n: 20 },
    ]);
    expect(top.topSequences.at(-1)).toEqual({ sequence: 'Z03>A>B', n: 13 });
  });

  it('answers 400 for a day outside 1970-01-01..9999-12-30 and an hour not of the day', async () => {
    for (const q of ['day=9999-12-31', 'day=1969-12-31', 'day=2026-02-30', `day=${DAY}&hour=abc`, `day=${DAY}&hour=${at(11) + 1}`, `day=${DAY}&hour=${at(24)}`]) {
      const res = await get(`/api/site-paths?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()) as { error: string }, q).toMatchObject({ error: 'INPUT_INVALID' });
      expect((await get(`/site-paths?${q}`)).status, q).toBe(400);
    }
    expect(((await (await get('/api/site-paths?day=9999-12-31')).json()) as { message: string }).message).toContain('1970-01-01');
    // Without a day: today on the site's clock.
    expect((await json('/api/site-paths')).day).toBe(DAY);
  });

  it('renders the matrix, the top sequences and the visits on the Site paths page', async () => {
    const res = await get(`/site-paths?day=${DAY}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('aria-current="page">Site paths</a>');
    expect(page).toContain('data-role="matrix"');
    expect(page).toMatch(/<td class="num heat5" data-from="A" data-to="B" title="A > B: 37">37<\/td>/);
    expect(page).toMatch(/<td class="num heat2" data-from="B" data-to="C" title="B > C: 10">10<\/td>/);
    // C>A and C>B: empty cells, no number.
    expect(page).not.toContain('data-from="C"');
    expect(page).toContain('A &gt; B &gt; A: <strong>11</strong>');
    expect(page.indexOf('A &gt; B &gt; A:')).toBeLessThan(page.indexOf('A &gt; B &gt; C:'));
    expect(page).toMatch(/<tr><td>A<\/td><td class="num">60<\/td><\/tr>/);
    expect(page).toContain('data-state="local"');
    expect(page).toContain('<strong data-role="k">10</strong>');
    expect(page).toContain(`<option value="${at(11)}"`);
    const hour = await (await get(`/site-paths?day=${DAY}&hour=${at(12)}`)).text();
    expect(hour).toContain(`<option value="${at(12)}" selected>12:00 (in progress)</option>`);
    expect(hour).toContain('title="A > B: 10"');
  });

  it('says plainly when site paths are off or this box only publishes to the site broker', async () => {
    try {
      view = null;
      const off = await (await get(`/site-paths?day=${DAY}`)).text();
      expect(off).toContain('data-state="off"');
      expect(off).toContain('Site paths are off on this box');
      expect(off).toContain('title="A > B: 27"'); // the stored hours are still shown
      expect((await json(`/api/site-paths?day=${DAY}`)).stitching.role).toBe('off');
      view = { ...localView(), role: 'broker', hours: [], sources: [] };
      const broker = await (await get('/site-paths?day=2026-11-01')).text();
      expect(broker).toContain('data-state="broker"');
      expect(broker).toContain('lists this box in <code>sitePaths.boxes</code>');
      expect(broker).toContain('No site paths for 2026-11-01');
    } finally {
      view = localView();
    }
  });

  it("shows the site-paths stage's health readably: uncalibrated cameras, dropped batches", async () => {
    const page = await (await get('/health')).text();
    const card = page.slice(page.indexOf('data-stage="site-paths"'));
    expect(card).toContain('<span class="badge degraded">degraded</span>');
    // One problem a line. far-kiosk is outside this box's views, but another box (box-b) sends
    // fragments, so this box cannot tell that no camera of the site sees it: not a problem here.
    expect(card).toContain('<ul class="detail"><li>no calibration (no part in site paths): lobby</li><li>fragment batches dropped: 1 from unknown boxes');
    expect(card).toMatch(/<dt>role<\/dt><dd>local<\/dd>/);
  });
});
