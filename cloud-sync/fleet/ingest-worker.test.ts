// Integration tests of one ingest worker against a real PostgreSQL and a real Mosquitto:
// schema migrations, dead letters, and a PostgreSQL outage mid-stream.
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { FleetSimulator } from './fleet-simulator.ts';
import { IngestWorker } from './ingest-worker.ts';
import { PG_SCHEMA_VERSION, migrate } from './migrations.ts';
import { dropPartitionsBefore, eventsPartitionOf } from './partitions.ts';
import { PostgresServer } from './test-support/postgres.ts';

let pgs: PostgresServer;
let broker: Mosquitto;
let db: pg.Client;

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  [pgs, broker] = await Promise.all([PostgresServer.start(), Mosquitto.start({ persistence: true })]);
  db = new pg.Client(pgs.url);
  db.on('error', () => undefined); // the outage test stops the server under it
  await db.connect();
});

afterAll(async () => {
  await db?.end().catch(() => undefined);
  await Promise.all([pgs?.dispose(), broker?.dispose()]);
});

describe('schema migrations', () => {
  it('applies every version once, and again is a no-op; partitions are created on demand and dropped for retention', async () => {
    const url = await pgs.createDatabase('migrations');
    const c = new pg.Client(url);
    await c.connect();
    try {
      expect(await migrate(c)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
      expect(await migrate(c)).toEqual([]);
      const p = eventsPartitionOf(Date.UTC(2026, 0, 5, 13));
      expect(p.name).toBe('events_p20260105');
      await c.query('SELECT footfall_ensure_partition($1::regclass, $2, $3, $4)', ['events', p.name, new Date(p.lowerMs).toISOString(), new Date(p.upperMs).toISOString()]);
      await c.query(`INSERT INTO events (id, ts, site, device, type, source, data) VALUES ('019b8e4a-0000-7000-8000-000000000001', '2026-01-05T13:00:00Z', 's', 'd', 't', 'x', '{}')`);
      // Outside every partition: PostgreSQL refuses, so the worker must create partitions first.
      await expect(c.query(`INSERT INTO events (id, ts, site, device, type, source, data) VALUES ('019b8e4a-0000-7000-8000-000000000002', '2026-01-07T13:00:00Z', 's', 'd', 't', 'x', '{}')`)).rejects.toThrow(/no partition/);
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      pool.on('error', () => undefined);
      expect(await dropPartitionsBefore(pool, Date.UTC(2026, 0, 6))).toEqual(['events_p20260105']);
      await pool.end();
      expect(Number((await c.query('SELECT count(*) AS n FROM events')).rows[0].n)).toBe(0);
    } finally {
      await c.end();
    }
  });
});

describe('IngestWorker', () => {
  it('dead-letters malformed, wrong-version, oversized and disallowed-site messages with a reason, and the stream continues', async () => {
    const url = await pgs.createDatabase('deadletters');
    const worker = new IngestWorker({ mqttUrl: broker.url, pgUrl: url, group: 'dl', clientId: 'dl-worker', sites: ['mall-1'], maxPayloadBytes: 64 * 1024, lanes: 2 });
    await worker.start();
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'dl-pub' });
    const c = new pg.Client(url);
    await c.connect();
    try {
      await waitFor('lanes', async () => worker.health().status, (s) => s === 'ok');
      for (const lane of ['dl-worker-1', 'dl-worker-2']) await broker.waitForSubscription(lane, '$share/dl/footfall/v1/+/+/status');
      const ok = (id: string) => JSON.stringify({ v: 1, site: 'mall-1', device: 'box-1', events: [{ id, ts: Date.now(), type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in' } }] });
      const T = 'footfall/v1/mall-1/box-1/events';
      await pub.publishAsync(T, ok('019ab0c0-0000-7000-8000-000000000001'), { qos: 1 });
      await pub.publishAsync(T, '{"v":1, "site": ', { qos: 1 });
      await pub.publishAsync(T, JSON.stringify({ v: 2, site: 'mall-1', device: 'box-1', events: [] }), { qos: 1 });
      await pub.publishAsync(T, Buffer.alloc(100 * 1024, 0x7b), { qos: 1 });
      await pub.publishAsync('footfall/v1/mall-666/box-1/events', ok('019ab0c0-0000-7000-8000-000000000002').replace('mall-1', 'mall-666'), { qos: 1 });
      // The same malformed message again (a redelivery looks like this): counted, not a second row.
      await pub.publishAsync(T, '{"v":1, "site": ', { qos: 1 });
      await pub.publishAsync(T, ok('019ab0c0-0000-7000-8000-000000000003'), { qos: 1 });
      await waitFor('events', () => count(c, 'SELECT count(*) AS n FROM events'), (n) => n === 2);
      await waitFor('dead letters', () => count(c, 'SELECT coalesce(sum(deliveries), 0) AS n FROM dead_letters'), (n) => n === 5);
      await pub.endAsync();
      await worker.stop();
      const { rows } = await c.query<{ topic: string; reason: string; payload_bytes: number; kept: number; deliveries: number }>(
        'SELECT topic, reason, payload_bytes, length(payload) AS kept, deliveries FROM dead_letters ORDER BY id',
      );
      expect(rows).toHaveLength(4);
      const byReason = (re: RegExp) => rows.find((r) => re.test(r.reason));
      expect(byReason(/^not JSON/)).toMatchObject({ topic: 'footfall/v1/mall-1/box-1/events', deliveries: 2 });
      expect(byReason(/unsupported contract version 2/)).toBeDefined();
      expect(byReason(/payload too large: 102400 bytes > 65536/)).toMatchObject({ payload_bytes: 102400, kept: 65536 });
      expect(byReason(/site "mall-666" is not allowed/)).toMatchObject({ topic: 'footfall/v1/mall-666/box-1/events' });
      const ids = (await c.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id);
      expect(ids).toEqual(['019ab0c0-0000-7000-8000-000000000001', '019ab0c0-0000-7000-8000-000000000003']);
    } finally {
      await c.end();
    }
    expect(worker.metrics.deadLetters).toBe(5);
  });

  it('one event jsonb cannot hold dead-letters alone; a literal backslash-u0000 text is stored (#27)', async () => {
    const url = await pgs.createDatabase('badevent');
    const worker = new IngestWorker({ mqttUrl: broker.url, pgUrl: url, group: 'be', clientId: 'be-worker', lanes: 1 });
    await worker.start();
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'be-pub' });
    const c = new pg.Client(url);
    await c.connect();
    try {
      await waitFor('lanes', async () => worker.health().status, (s) => s === 'ok');
      await broker.waitForSubscription('be-worker', '$share/be/footfall/v1/+/+/status');
      const ev = (n: number, data: Record<string, unknown>) => ({ id: `019ab0c0-0000-7000-8000-00000000010${n}`, ts: Date.now(), type: 'line.cross', source: 'cam', data });
      // JSON.stringify writes the lone surrogate as the escape "\ud800" and the backslash as "\\".
      const body = JSON.stringify({ v: 1, site: 'mall-1', device: 'box-1', events: [ev(1, { line: 'door' }), ev(2, { line: '\ud800' }), ev(3, { note: '\\u0000 is text' }), ev(4, { nul: '\u0000' }), ev(5, { line: 'door' })] });
      expect(body).toContain('"\\ud800"');
      await pub.publishAsync('footfall/v1/mall-1/box-1/events', body, { qos: 1 });
      await waitFor('events', () => count(c, 'SELECT count(*) AS n FROM events'), (n) => n === 3);
      await waitFor('dead letters', () => count(c, 'SELECT count(*) AS n FROM dead_letters'), (n) => n === 1);
      const { rows } = await c.query<{ reason: string; payload: Buffer }>('SELECT reason, payload FROM dead_letters');
      expect(rows[0]!.reason).toMatch(/events\[1\].*unpaired surrogate.*events\[3\].*U\+0000/);
      expect(JSON.parse(rows[0]!.payload.toString()).events.map((e: { id: string }) => e.id)).toEqual([ev(2, {}).id, ev(4, {}).id]);
      const text = await c.query<{ note: string }>("SELECT data->>'note' AS note FROM events WHERE id = '019ab0c0-0000-7000-8000-000000000103'");
      expect(text.rows[0]!.note).toBe('\\u0000 is text');
    } finally {
      await pub.endAsync();
      await worker.stop();
      await c.end();
    }
  });

  it('a box whose clock runs two days fast: its events are stored at receive time, corrected by the offset its live status shows (#27)', async () => {
    const url = await pgs.createDatabase('fastclock');
    const worker = new IngestWorker({ mqttUrl: broker.url, pgUrl: url, group: 'fc', clientId: 'fc-worker', lanes: 1 });
    await worker.start();
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'fc-pub' });
    const c = new pg.Client(url);
    await c.connect();
    const FAST = 2 * 86_400_000;
    const ev = (n: number, ts: number) => ({ id: `019ab0c0-0000-7000-8000-00000000020${n}`, ts, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in' } });
    const batch = (...events: object[]) => JSON.stringify({ v: 1, site: 'mall-1', device: 'fast-box', events });
    try {
      await waitFor('lanes', async () => worker.health().status, (s) => s === 'ok');
      await broker.waitForSubscription('fc-worker', '$share/fc/footfall/v1/+/+/status');
      // Before any live status from the box, its clock is unknown: a ts two days ahead is a dead letter, as before.
      await pub.publishAsync('footfall/v1/mall-1/fast-box/events', batch(ev(1, Date.now() + FAST)), { qos: 1 });
      await waitFor('the dead letter', () => count(c, 'SELECT count(*) AS n FROM dead_letters'), (n) => n === 1);
      expect((await c.query<{ reason: string }>('SELECT reason FROM dead_letters')).rows[0]!.reason).toMatch(/outside the accepted window.*no status from the box yet/);
      // Its live status (not retained: a retained one may be old) shows the offset: status ts minus receive time.
      const status = (ts: number) => JSON.stringify({ v: 1, site: 'mall-1', device: 'fast-box', state: 'online', ts, version: '1.0.0', startedAt: ts - 60_000, uptimeS: 60 });
      await pub.publishAsync('footfall/v1/mall-1/fast-box/status', status(Date.now() + FAST), { qos: 1 });
      await waitFor('the status', () => count(c, 'SELECT count(*) AS n FROM devices'), (n) => n === 1);
      const sentAt = Date.now();
      await pub.publishAsync('footfall/v1/mall-1/fast-box/events', batch(ev(2, sentAt + FAST - 5_000), ev(3, sentAt + FAST)), { qos: 1 });
      const minute = Math.floor((sentAt + FAST) / 60_000) * 60_000;
      await pub.publishAsync('footfall/v1/mall-1/fast-box/counts', JSON.stringify({ v: 1, site: 'mall-1', device: 'fast-box', minute, counts: [{ source: 'cam', subject: 'door', metric: 'in', n: 4, sum: 4, max: null }] }), { qos: 1 });
      await waitFor('events', () => count(c, 'SELECT count(*) AS n FROM events'), (n) => n === 2);
      await waitFor('counts', () => count(c, 'SELECT count(*) AS n FROM counts'), (n) => n === 1);
      const { rows } = await c.query<{ id: string; ms: string }>('SELECT id, (extract(epoch FROM ts) * 1000)::bigint AS ms FROM events ORDER BY id');
      // Stored at box time minus the learned offset (status ts minus receive time): within seconds of the real time.
      expect(Math.abs(Number(rows[1]!.ms) - sentAt)).toBeLessThan(5_000);
      expect(Number(rows[1]!.ms) - Number(rows[0]!.ms)).toBe(5_000);
      const m = (await c.query<{ ms: string }>('SELECT (extract(epoch FROM minute) * 1000)::bigint AS ms FROM counts')).rows[0]!;
      expect(Math.abs(Number(m.ms) - sentAt)).toBeLessThan(120_000);
      expect(Number(m.ms) % 60_000).toBe(0);
      expect(await count(c, 'SELECT count(*) AS n FROM dead_letters')).toBe(1);
      expect(worker.health().metrics).toMatchObject({ clockCorrectedEvents: 2, clockCorrectedDevices: 1 });
    } finally {
      await pub.endAsync();
      await worker.stop();
      await c.end();
    }
  });

  it('holds batches while PostgreSQL is stopped and drains the backlog when it returns, losing nothing', async () => {
    const url = await pgs.createDatabase('outage');
    const worker = new IngestWorker({ mqttUrl: broker.url, pgUrl: url, group: 'outage', clientId: 'outage-worker', lanes: 4 });
    await worker.start();
    await waitFor('lanes', async () => worker.health().status, (s) => s === 'ok');
    for (const lane of [1, 2, 3, 4]) await broker.waitForSubscription(`outage-worker-${lane}`, '$share/outage/footfall/v1/+/+/status');
    const sent = new Set<string>();
    const sim = new FleetSimulator({ url: broker.url, devices: 10, events: 2_000, rate: 5_000, batchSize: 50, onIds: (ids) => ids.forEach((id) => sent.add(id)) });
    const simDone = sim.run();
    const c = new pg.Client(url);
    c.on('error', () => undefined);
    try {
      await c.connect();
      const probe = async () => Number((await c.query('SELECT count(*) AS n FROM events')).rows[0].n);
      const before = await waitFor('first rows', probe, (n) => n > 2_000);
      await c.end();
      await pgs.stop();
      const errorsAtStop = worker.metrics.pgErrors;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(worker.metrics.pgErrors).toBeGreaterThan(errorsAtStop);
      await pgs.restart();
      const sim1 = await simDone;
      expect(sim1.events).toBe(20_000);
      const c2 = new pg.Client(url);
      await c2.connect();
      try {
        const probe2 = async () => Number((await c2.query('SELECT count(*) AS n FROM events')).rows[0].n);
        await waitFor('backlog drained', probe2, (n) => n >= 20_000, 40_000);
        expect(before).toBeLessThan(20_000);
        const { rows } = await c2.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events');
        expect(Number(rows[0]!.n)).toBe(20_000);
        expect(Number(rows[0]!.d)).toBe(20_000);
        const ids = (await c2.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id);
        expect(ids.every((id) => sent.has(id))).toBe(true);
        expect(sent.size).toBe(20_000);
      } finally {
        await c2.end();
      }
    } finally {
      await c.end().catch(() => undefined);
      await worker.stop();
    }
  });
});
