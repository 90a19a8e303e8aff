// BatchWriter on a real PostgreSQL: idempotent events, counts minutes replaced by a
// resend, status ordering rules, dead letters counted per delivery, bad data split out.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, isTransientPgError, type BatchItem } from './batch-writer.ts';
import { MessageValidator } from './message-validator.ts';
import { PartitionKeeper } from './partitions.ts';
import { migratedPool, PostgresServer } from './test-support/postgres.ts';

let pgs: PostgresServer;
let pool: pg.Pool;
let writer: BatchWriter;
const NOW = Date.now();
const validator = new MessageValidator({ maxPayloadBytes: 1 << 20, maxAgeMs: 86_400_000, maxFutureMs: 86_400_000 });

function item(kind: 'events' | 'counts' | 'status', device: string, body: Record<string, unknown>): BatchItem {
  const topic = `footfall/v1/mall-1/${device}/${kind}`;
  const payload = Buffer.from(JSON.stringify({ v: 1, site: 'mall-1', device, ...body }));
  return { topic, payload, message: validator.validate(topic, payload, NOW) };
}

const idAt = (n: number) => `019ab0c0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

beforeAll(async () => {
  pgs = await PostgresServer.start();
  pool = await migratedPool(pgs);
  writer = new BatchWriter(pool, new PartitionKeeper(), 'test');
});

afterAll(async () => {
  await pool?.end();
  await pgs?.dispose();
});

const q = async (sql: string) => (await pool.query(sql)).rows;

describe('BatchWriter', () => {
  it('stores each event once however often its batch arrives, also twice within one batch', async () => {
    const events = [0, 1, 2].map((i) => ({ id: idAt(i), ts: NOW - 1000 * i, type: 'line.cross', source: 'cam', data: { i } }));
    const batch = item('events', 'box-1', { events });
    const first = await writer.write([batch, batch]);
    expect(first).toMatchObject({ events: 6, inserted: 3 });
    const again = await writer.write([batch]);
    expect(again).toMatchObject({ events: 3, inserted: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM events WHERE device = 'box-1'`)).toEqual([{ n: 3 }]);
    const [row] = await q(`SELECT ts, data FROM events WHERE id = '${idAt(1)}'`);
    expect((row.ts as Date).getTime()).toBe(NOW - 1000);
    expect(row.data).toEqual({ i: 1 });
  });

  it('replaces a counts minute with its resend instead of adding to it', async () => {
    const minute = NOW - (NOW % 60_000) - 60_000;
    const m = (n: number) => item('counts', 'box-2', { minute, counts: [{ source: 'cam', subject: 'door', metric: 'in', n, sum: n, max: 1 }] });
    await writer.write([m(3)]);
    await writer.write([m(3), m(4)]);
    expect(await q(`SELECT n::int, sum FROM counts WHERE device = 'box-2'`)).toEqual([{ n: 4, sum: 4 }]);
  });

  it('applies status in arrival order, but ignores an older online and anything from an older process', async () => {
    const s = (state: 'online' | 'offline', ts: number, startedAt: number) => item('status', 'box-3', { state, ts, version: '1', startedAt, ...(state === 'offline' ? { reason: 'connection-lost' } : {}) });
    const state = async () => (await q(`SELECT state, status_ts FROM devices WHERE device = 'box-3'`)).map((r) => [r.state, (r.status_ts as Date).getTime()]);
    await writer.write([s('online', NOW - 5_000, NOW - 60_000)]);
    await writer.write([s('offline', NOW - 50_000, NOW - 60_000)]); // the last will: built at connect, so older
    expect(await state()).toEqual([['offline', NOW - 50_000]]);
    await writer.write([s('online', NOW - 6_000, NOW - 60_000)]); // a redelivered older online
    expect(await state()).toEqual([['offline', NOW - 50_000]]);
    await writer.write([s('online', NOW - 1_000, NOW - 60_000)]); // reconnected
    expect(await state()).toEqual([['online', NOW - 1_000]]);
    await writer.write([s('offline', NOW, NOW - 120_000)]); // from a previous process
    expect(await state()).toEqual([['online', NOW - 1_000]]);
  });

  it('keeps one dead letter per distinct message and counts its deliveries', async () => {
    const bad = { topic: 'footfall/v1/mall-1/box-4/events', payload: Buffer.from('nope'), message: { kind: 'dead' as const, reason: 'not JSON' } };
    expect((await writer.write([bad, bad])).deadLetters).toBe(1);
    await writer.write([bad]);
    expect(await q(`SELECT topic, reason, deliveries FROM dead_letters`)).toEqual([{ topic: bad.topic, reason: 'not JSON', deliveries: 2 }]);
  });

  it('tells a refused statement (bad data) from a lost server (retry)', async () => {
    const err = await pool.query(`SELECT 'x'::uuid`).catch((e: unknown) => e);
    expect(isTransientPgError(err)).toBe(false);
    expect(isTransientPgError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientPgError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
  });
});
