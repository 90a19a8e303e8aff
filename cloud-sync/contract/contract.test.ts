// The contract is what upstream builds on: every example in docs/mqtt.md and
// docs/mqtt/*.json must validate, the published JSON Schemas must match the code, and
// the topic helpers must produce and parse the documented layout.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  contractJsonSchemas,
  deviceTopics,
  messageSchemas,
  parseMessage,
  parseTopic,
  subscriptionFilter,
  sitePathsDataSchema,
  validateMessage,
  wifiCountDataSchema,
  type MessageKind,
} from './index.ts';

const DOCS = new URL('../../docs/', import.meta.url);

/** ```json blocks preceded by `<!-- example: KIND -->` in docs/mqtt.md. */
function markdownExamples(): Array<{ kind: MessageKind; text: string }> {
  const md = readFileSync(new URL('mqtt.md', DOCS), 'utf8');
  const out: Array<{ kind: MessageKind; text: string }> = [];
  const re = /<!-- example: (\w+) -->\s*```json\n([\s\S]*?)```/g;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ kind: m[1] as MessageKind, text: m[2]! });
  return out;
}

const FILE_KINDS: Record<string, MessageKind> = {
  'events.json': 'events',
  'status-online.json': 'status',
  'status-offline.json': 'status',
  'counts.json': 'counts',
  'fragments.json': 'fragments',
  'cmd-resync.json': 'command',
  'cmd-snapshot.json': 'command',
  'cmd-resync-result.json': 'commandResult',
  'cmd-error-result.json': 'commandResult',
};

describe('documented examples', () => {
  it('every example in docs/mqtt.md is valid', () => {
    const examples = markdownExamples();
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const { kind, text } of examples) {
      expect(Object.keys(messageSchemas)).toContain(kind);
      const r = parseMessage(kind, text);
      expect(r.ok, r.ok ? '' : r.error).toBe(true);
    }
  });

  it('every docs/mqtt/*.json example is valid for its kind', () => {
    const files = readdirSync(new URL('mqtt/', DOCS)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(FILE_KINDS).sort());
    for (const f of files) {
      const r = parseMessage(FILE_KINDS[f]!, readFileSync(new URL(`mqtt/${f}`, DOCS)));
      expect(r.ok, `${f}: ${r.ok ? '' : r.error}`).toBe(true);
    }
  });

  it('docs/mqtt/schemas/*.schema.json are the schemas of the code (regenerate: npx tsx cloud-sync/contract/write-json-schemas.ts)', () => {
    const schemas = contractJsonSchemas();
    for (const [kind, schema] of Object.entries(schemas)) {
      const file = JSON.parse(readFileSync(new URL(`mqtt/schemas/${kind}.schema.json`, DOCS), 'utf8')) as unknown;
      expect(file, `docs/mqtt/schemas/${kind}.schema.json is stale`).toEqual(schema);
    }
  });
});

describe('schemas refuse what the contract does not allow', () => {
  const event = { id: '0193f2a4-6c1e-7a3b-8f21-4c5d6e7f8091', ts: 1, type: 'line.cross', source: 'cam', data: {} };
  const batch = { v: 1, site: 's', device: 'd', events: [event] };
  it.each([
    ['a version other than 1', { ...batch, v: 2 }, /v:/],
    ['an empty batch', { ...batch, events: [] }, /events:/],
    ['an id that is not a UUIDv7', { ...batch, events: [{ ...event, id: '0193f2a4-6c1e-4a3b-8f21-4c5d6e7f8091' }] }, /events\[0\]\.id: must be a lower-case UUIDv7/],
    ['a site that is not one topic level', { ...batch, site: 'a/b' }, /site:/],
    ['data that is not an object', { ...batch, events: [{ ...event, data: [1] }] }, /events\[0\]\.data/],
    ['an unknown field', { ...batch, extra: 1 }, /Unrecognized key/i],
  ])('an events batch with %s', (_what, value, error) => {
    const r = validateMessage('events', value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('a counts minute that is not a minute start', () => {
    expect(validateMessage('counts', { v: 1, site: 's', device: 'd', minute: 61_000, counts: [] }).ok).toBe(false);
  });

  it('non-JSON says so', () => {
    const r = parseMessage('command', 'hello');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^command message is not JSON/);
  });
});

describe('topics', () => {
  it('builds and parses the documented layout', () => {
    const t = deviceTopics('mall-1', 'entrance-box');
    expect(t.events).toBe('footfall/v1/mall-1/entrance-box/events');
    expect(t.status).toBe('footfall/v1/mall-1/entrance-box/status');
    expect(t.commandFilter).toBe('footfall/v1/mall-1/entrance-box/cmd/+');
    expect(t.commandResult('resync')).toBe('footfall/v1/mall-1/entrance-box/cmd/resync/result');
    expect(parseTopic(t.events)).toEqual({ kind: 'events', site: 'mall-1', device: 'entrance-box' });
    expect(parseTopic(t.command('snapshot'))).toEqual({ kind: 'command', site: 'mall-1', device: 'entrance-box', name: 'snapshot' });
    expect(parseTopic(t.commandResult('resync'))).toMatchObject({ kind: 'commandResult', name: 'resync' });
    expect(parseTopic('$share/ingest/footfall/v1/a/b/events')).toEqual({ kind: 'events', site: 'a', device: 'b' });
    expect(parseTopic('footfall/v2/a/b/events')).toBeNull();
    expect(parseTopic('footfall/v1/a/b/other')).toBeNull();
  });

  it('refuses names that would break the topic tree', () => {
    expect(() => deviceTopics('a/b', 'd')).toThrow(/site "a\/b" cannot be a topic level/);
    expect(() => deviceTopics('s', '+')).toThrow(/device/);
    expect(() => deviceTopics('s', '#')).toThrow(/device/);
  });

  it('subscription filters for all, one site, and a shared group', () => {
    expect(subscriptionFilter('events')).toBe('footfall/v1/+/+/events');
    expect(subscriptionFilter('events', { site: 'mall-1' })).toBe('footfall/v1/mall-1/+/events');
    expect(subscriptionFilter('events', { shareGroup: 'ingest' })).toBe('$share/ingest/footfall/v1/+/+/events');
  });
});

describe('wifi.count data (presence added in #19)', () => {
  it('the documented wifi.count example is valid, with its presence window', () => {
    const md = readFileSync(new URL('mqtt.md', DOCS), 'utf8');
    const block = /### wifi\.count[\s\S]*?```json\n([\s\S]*?)```/.exec(md)![1]!;
    const event = (JSON.parse(block) as { events: Array<{ data: unknown }> }).events[0]!;
    const r = wifiCountDataSchema.safeParse(event.data);
    expect(r.success, r.success ? '' : r.error.message).toBe(true);
    expect(r.data?.presence?.devices).toBe(7);
  });

  it('refuses a presence whose estimate is outside its range, and accepts a minute without presence', () => {
    const minute = { minuteMs: 0, all: 1, visitors: 0, staff: 0, randomized: 1, randomizedShare: 1, estimatedDevices: 1, frames: 3 };
    expect(wifiCountDataSchema.safeParse(minute).success).toBe(true);
    const presence = { startMs: 0, windowMs: 600_000, devices: 5, low: 6, high: 9, fixedExcluded: 0, floorsDbm: { lab: -70 } };
    const bad = wifiCountDataSchema.safeParse({ ...minute, presence });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/low <= devices <= high/);
  });
});

describe('site.paths data (#24)', () => {
  const documented = () => {
    const md = readFileSync(new URL('events.md', DOCS), 'utf8');
    const block = /<!-- example: event site\.paths -->\s*```json\n([\s\S]*?)```/.exec(md)![1]!;
    return (JSON.parse(block) as { data: Record<string, unknown> & { transitions: Record<string, number> } }).data;
  };

  it('the documented site.paths example is valid', () => {
    const r = sitePathsDataSchema.safeParse(documented());
    expect(r.success, r.success ? '' : r.error.message).toBe(true);
  });

  it.each([
    ['a published cell below k', (d: ReturnType<typeof documented>) => ({ ...d, transitions: { ...d.transitions, 'a>b': 3 } }), /transitions\.a>b|below k = 10/],
    ['a transition key that is not "A>B"', (d: ReturnType<typeof documented>) => ({ ...d, transitions: { 'a>b>c': 12 } }), /"A>B"/],
    ['an hour that is not hourStartMs', (d: ReturnType<typeof documented>) => ({ ...d, hour: '2026-11-16T13:00:00.000Z' }), /same instant as hourStartMs/],
    ['hourStartMs not on the hour', (d: ReturnType<typeof documented>) => ({ ...d, hourStartMs: 1794830400001 }), /start of an hour/],
  ])('refuses %s', (_what, change, error) => {
    const r = sitePathsDataSchema.safeParse(change(documented()));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toMatch(error);
  });
});
