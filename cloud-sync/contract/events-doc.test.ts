// docs/events.md is the contract of `events[].data`: one section per event type, a table of
// its data fields and one example. This test keeps the page and the code in step: every
// example is a valid event whose data has exactly the documented fields, and the real code
// (analytics on a short synthetic scene, Wi-Fi presence on synthetic probes) emits exactly
// the documented types and fields, so a field or type added to the code but not to the page
// (or the reverse) fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyticsSection } from '../../edge/config/sections/analytics.ts';
import { validateConfig } from '../../edge/config/load.ts';
import { AnalyticsStage, type CountsReader } from '../../edge/analytics/index.ts';
import { chain, replayMot, tracksOf, walk } from '../../edge/analytics/offline/index.ts';
import { PresenceTracker } from '../../edge/wifi/index.ts';
import { SitePathsService, type FragmentChunk } from '../../edge/site-paths/index.ts';
import { configSchema } from '../../edge/config/index.ts';
import { EventBus } from '../../edge/shared/event-bus.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import type { NewEvent } from '../../edge/shared/types.ts';
import { parseMessage, sitePathsDataSchema } from './index.ts';

const DOCS = new URL('../../docs/', import.meta.url);

interface Field {
  /** `name` or `parent.name`. */
  name: string;
  types: string[];
  optional: boolean;
}

interface DocumentedType {
  type: string;
  fields: Field[];
  examples: unknown[];
}

const TYPE_WORDS = new Set(['string', 'integer', 'number', 'boolean', 'null', 'object', 'string[]', 'integer[]', 'object[]']);

/** Sections headed `` ### `type` `` of docs/events.md: their field table and `<!-- example: event TYPE -->` blocks. */
function documentedTypes(): Map<string, DocumentedType> {
  const md = readFileSync(new URL('events.md', DOCS), 'utf8');
  const out = new Map<string, DocumentedType>();
  const sections = md.split(/^(?=#{2,3} )/m);
  for (const section of sections) {
    const head = /^#{2,3} `([a-z]+(?:\.[a-z]+)*)`/.exec(section);
    if (!head) continue;
    const type = head[1]!;
    const fields: Field[] = [];
    for (const row of section.matchAll(/^\| `([A-Za-z.]+)` \| ([^|]+) \|/gm)) {
      const words = row[2]!.split(/,|\bor\b/).map((w) => w.trim());
      const types = words.filter((w) => TYPE_WORDS.has(w));
      expect(types.length, `${type}.${row[1]}: type "${row[2]}"`).toBeGreaterThan(0);
      fields.push({ name: row[1]!, types, optional: words.includes('optional') });
    }
    const examples: unknown[] = [];
    for (const m of section.matchAll(/<!-- example: event ([a-z.]+) -->\s*```json\n([\s\S]*?)```/g)) {
      expect(m[1], `example marked ${m[1]} in the section of ${type}`).toBe(type);
      examples.push(JSON.parse(m[2]!) as unknown);
    }
    expect(out.has(type), `two sections for ${type}`).toBe(false);
    out.set(type, { type, fields, examples });
  }
  return out;
}

function jsonTypeOk(value: unknown, types: readonly string[]): boolean {
  if (value === null) return types.includes('null');
  if (Array.isArray(value)) {
    return (
      (types.includes('string[]') && value.every((v) => typeof v === 'string')) ||
      (types.includes('integer[]') && value.every((v) => Number.isInteger(v))) ||
      (types.includes('object[]') && value.every(isObject))
    );
  }
  if (typeof value === 'number') return types.includes('number') || (types.includes('integer') && Number.isInteger(value));
  if (typeof value === 'object') return types.includes('object');
  return types.includes(typeof value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one event's data against its documented fields; returns the field names it has (`parent.child` for documented children). */
function checkData(where: string, doc: DocumentedType, data: Record<string, unknown>, shortened = false): Set<string> {
  const seen = new Set<string>();
  const parents = new Set(doc.fields.filter((f) => f.name.includes('.')).map((f) => f.name.split('.')[0]!));
  const check = (prefix: string, obj: Record<string, unknown>) => {
    const level = doc.fields.filter((f) => (prefix ? f.name.startsWith(`${prefix}.`) && !f.name.slice(prefix.length + 1).includes('.') : !f.name.includes('.')));
    const names = level.map((f) => (prefix ? f.name.slice(prefix.length + 1) : f.name));
    expect(Object.keys(obj).filter((k) => !names.includes(k)), `${where}: fields not in docs/events.md (${doc.type}${prefix ? `.${prefix}` : ''})`).toEqual([]);
    const missing = level.filter((f, i) => !f.optional && !shortened && !(names[i]! in obj)).map((f) => f.name);
    expect(missing, `${where}: documented fields missing`).toEqual([]);
    for (const f of level) {
      const key = prefix ? f.name.slice(prefix.length + 1) : f.name;
      if (!(key in obj)) continue;
      seen.add(f.name);
      expect(jsonTypeOk(obj[key], f.types), `${where}: ${f.name} = ${JSON.stringify(obj[key])} is not ${f.types.join(' or ')}`).toBe(true);
      if (!prefix && parents.has(key) && isObject(obj[key])) check(key, obj[key]);
    }
  };
  check('', data);
  return seen;
}

// --- The real code on a synthetic scene -------------------------------------------------

const T0 = Date.UTC(2026, 10, 23, 9, 59, 50); // 10 s before a minute (and hour) boundary
const FPS = 10;

/** One camera with an entrance line, a plain counting line, two zones and a queue; two people. */
async function analyticsEvents(): Promise<NewEvent[]> {
  const cameras = validateConfig({
    demoCamera: false,
    cameras: [
      {
        name: 'door-cam',
        url: 'rtsp://x/door',
        lines: [
          { name: 'door', points: [[0, 200], [640, 200]], role: 'entrance', intoSite: 'in' },
          { name: 'aisle', points: [[320, 220], [320, 480]] },
        ],
        zones: [
          { name: 'hall', polygon: [[0, 210], [318, 210], [318, 480], [0, 480]], minStayMs: 500 },
          { name: 'shop', polygon: [[330, 210], [640, 210], [640, 480], [330, 480]], minStayMs: 500 },
        ],
        queues: [{ name: 'till', polygon: [[400, 300], [600, 300], [600, 400], [400, 400]], minStayMs: 1_000, serviceLine: { points: [[400, 420], [600, 420]] } }],
      },
    ],
  }).cameras;
  // Forecast history: `in` crossings of `door` the day before.
  const history: CountsReader = {
    countsBetween: (from, to, filter) =>
      filter?.subject === 'door' && filter.metric === 'in'
        ? Array.from({ length: 24 }, (_, h) => ({ minute: T0 - 86_400_000 + (h - 12) * 3_600_000, n: 5 })).filter((r) => r.minute >= from && r.minute < to)
        : [],
  };
  const events: NewEvent[] = [];
  let now = T0;
  const bus = new EventBus();
  const stage = new AnalyticsStage({
    bus,
    cameras,
    analyticsConfig: analyticsSection.parse({
      heatmap: { enabled: false },
      rules: [{ name: 'hall-busy', kind: 'occupancy-above', subject: 'hall', threshold: 0, minDurationS: 0 }],
      ruleEveryMs: 600_000,
    }),
    sink: { append: (e) => (events.push(e), '') },
    logger: silentLogger(),
    dataDir: '/nonexistent',
    history,
    closingTime: '10:01',
    now: () => now,
  });
  await stage.start();
  // 1: in through the door, a while in the hall, across the aisle into the shop's queue, served.
  const first = chain(walk([100, 100], [100, 300], 20), walk([100, 300], [100, 300], 20), walk([100, 300], [500, 350], 20), walk([500, 350], [500, 350], 30), walk([500, 350], [500, 450], 10), walk([500, 450], [500, 450], 10));
  // 2: out through the door.
  const second = chain(walk([200, 300], [200, 300], 10), walk([200, 300], [200, 100], 20));
  const tracks = tracksOf([
    { id: 1, startFrame: 1, points: first },
    { id: 2, startFrame: 1, points: second },
  ]);
  for (const frame of replayMot(tracks, { camera: 'door-cam', fps: FPS, startMs: T0 })) {
    now = frame.tsMs;
    bus.emit('track.frame', frame);
    stage.evaluateRules(now);
  }
  now += 20_000;
  stage.evaluateRules(now); // nobody in the hall: the alert clears
  stage.updateForecasts(now);
  now = T0 + 5 * 60_000; // past closing time (10:01 UTC): the site count starts over
  await stage.stop();
  return events;
}

/** Two sensors; a phone near one for 15 minutes and a randomized address passing by. */
function wifiEvents(): NewEvent[] {
  const events: NewEvent[] = [];
  const t = new PresenceTracker(
    { sensors: ['east', 'west'], sessionGapMs: 300_000, visitorMinDwellMs: 300_000, visitorMinRssiDbm: -75, minRssiDbm: -95, staffMinHoursPerDay: 6, rssiSmoothing: 0.3, floorsDbm: [-70, -70], presenceWindowMs: 600_000 },
    (e) => events.push(e),
  );
  const w0 = Date.UTC(2026, 2, 14, 10, 0, 0);
  for (let s = 0; s < 15 * 60; s += 10) t.observe(0, w0 + s * 1000, 0xabc00000, 1, 1, false, -55, 1, s);
  for (let s = 0; s < 60; s += 5) t.observe(1, w0 + s * 1000, 0xabc00000, 2, 2, true, -80, 7, s);
  t.advance(w0 + 25 * 60_000);
  t.flushAll();
  return events;
}

/** The site's stitcher over one hour: four people walk a corridor A -> B -> C, one A -> C; k = 2. */
function sitePathsEvents(): NewEvent[] {
  const events: NewEvent[] = [];
  const hour = Date.UTC(2026, 10, 23, 10, 0, 0);
  let now = hour;
  const zone = (name: string, x0: number) => ({ name, polygon: [[x0, -1.5], [x0 + 3, -1.5], [x0 + 3, 1.5], [x0, 1.5]] });
  const config = configSchema.parse({
    site: 'mall-1',
    device: 'box-a',
    cameras: [{ name: 'corridor-cam', url: 'rtsp://x/c', width: 960, height: 540, calibration: { points: [[100, 400, 0, -4], [800, 400, 20, -4], [100, 100, 0, 4], [800, 100, 20, 4], [450, 250, 10, 0]] } }],
    floorPlan: { zones: [zone('A', 1), zone('B', 8), zone('C', 15)] },
    sitePaths: { k: 2, publishDelayS: 0 },
  });
  const service = new SitePathsService({ config, sink: { append: (e) => (events.push(e), '') }, logger: silentLogger(), now: () => now });
  // A walk at 0.5 m/s along y = 0 (6 s in each zone), or straight through B at 3 m/s (no visit).
  const walk = (fragment: number, startMs: number, skipB: boolean): FragmentChunk => {
    const t: number[] = [];
    const x: number[] = [];
    const y: number[] = [];
    let px = 0;
    for (let ms = startMs; px <= 20; ms += 200) {
      t.push(ms);
      x.push(px);
      y.push(0);
      px += (skipB && px > 6 && px < 13 ? 3 : 0.5) * 0.2;
    }
    return { box: 'box-a', camera: 'corridor-cam', fragment, t, x, y, ended: true };
  };
  for (let p = 0; p < 5; p++) {
    const chunk = walk(p + 1, hour + 300_000 + p * 60_000, p === 4);
    now = chunk.t[chunk.t.length - 1]!;
    service.add({ box: 'box-a', upToMs: now, chunks: [chunk] });
    service.tick();
  }
  now = hour + 3_600_000 + 30_000;
  service.add({ box: 'box-a', upToMs: now, chunks: [] });
  service.tick();
  return events;
}

describe('docs/events.md', () => {
  const docs = documentedTypes();

  it('every example is a valid event of its section, with exactly the documented data fields', () => {
    expect(docs.size).toBeGreaterThanOrEqual(12);
    for (const doc of docs.values()) {
      expect(doc.fields.length, `${doc.type}: no field table`).toBeGreaterThan(0);
      expect(doc.examples, `${doc.type}: one example`).toHaveLength(1);
      const event = doc.examples[0] as { type: string; data: Record<string, unknown> };
      expect(event.type).toBe(doc.type);
      const r = parseMessage('events', JSON.stringify({ v: 1, site: 'mall-1', device: 'entrance-box', events: [event] }));
      expect(r.ok, r.ok ? '' : r.error).toBe(true);
      // The example shows every documented field, optional ones included.
      expect([...checkData(`example of ${doc.type}`, doc, event.data)].sort()).toEqual(doc.fields.map((f) => f.name).sort());
    }
  });

  it('the code emits exactly the documented types and fields (analytics, site, site paths, alerts, forecasts, Wi-Fi)', async () => {
    const paths = sitePathsEvents();
    expect(paths).toHaveLength(1);
    const d = sitePathsDataSchema.parse(paths[0]!.data);
    expect([d.transitions, d.sequences, d.suppressed]).toEqual([{ 'A>B': 4, 'B>C': 4 }, { 'A>B>C': 4 }, { visits: 0, transitions: 1, sequences: 0 }]);
    const emitted = [...(await analyticsEvents()), ...wifiEvents(), ...paths];
    const byType = new Map<string, NewEvent[]>();
    for (const e of emitted) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
    // report.daily is made by the status stage at closing time (fields: the report of docs/status-api.md, checked below).
    expect([...byType.keys(), 'report.daily'].sort(), 'event types emitted vs documented').toEqual([...docs.keys()].sort());
    for (const [type, list] of byType) {
      const doc = docs.get(type)!;
      const seen = new Set<string>();
      for (const e of list) for (const f of checkData(`${type} from the code`, doc, e.data)) seen.add(f);
      // Every documented field (optional ones too) shows up in some emitted event.
      expect([...seen].sort(), `${type}: documented fields the code never emitted`).toEqual(doc.fields.map((f) => f.name).sort());
    }
    // The optional fields are optional: a plain line and a minute without a presence window.
    expect(byType.get('line.cross')!.some((e) => !('site' in e.data))).toBe(true);
    expect(byType.get('wifi.count')!.some((e) => !('presence' in e.data))).toBe(true);
  });

  it('report.daily lists the fields of the daily report in docs/status-api.md', () => {
    const api = readFileSync(new URL('status-api.md', DOCS), 'utf8');
    const block = /```json\n(\{\s*"stored": true,[\s\S]*?)```/.exec(api)![1]!;
    const report = (JSON.parse(block) as { report: Record<string, unknown> }).report;
    const doc = docs.get('report.daily')!;
    expect(checkData('docs/status-api.md report', doc, report).size).toBeGreaterThan(0);
  });

  it('the events in docs/mqtt.md and docs/mqtt/events.json have documented types and fields', () => {
    const md = readFileSync(new URL('mqtt.md', DOCS), 'utf8');
    const batches = [...md.matchAll(/<!-- example: events -->\s*```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    batches.push(readFileSync(new URL('mqtt/events.json', DOCS), 'utf8'));
    let n = 0;
    for (const text of batches) {
      for (const e of (JSON.parse(text) as { events: Array<{ type: string; data: Record<string, unknown> }> }).events) {
        expect(docs.has(e.type), `${e.type} is not in docs/events.md`).toBe(true);
        // docs/mqtt.md shortens the daily report; every other event is complete.
        checkData(`docs/mqtt ${e.type}`, docs.get(e.type)!, e.data, e.type === 'report.daily');
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(6);
  });
});
