// The dashboard views and functions (migration 2) on known rows written through the
// real write path (MessageValidator -> BatchWriter) into a real PostgreSQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, type BatchItem } from './batch-writer.ts';
import { MessageValidator } from './message-validator.ts';
import { PartitionKeeper } from './partitions.ts';
import { migratedPool, PostgresServer } from './test-support/postgres.ts';

let pgs: PostgresServer;
let pool: pg.Pool;
const H = Date.UTC(2026, 10, 23, 10, 0, 0); // 10:00 UTC
const NOW = H + 3 * 3_600_000;
const validator = new MessageValidator({ maxPayloadBytes: 1 << 20, maxAgeMs: 30 * 86_400_000, maxFutureMs: 86_400_000 });
let seq = 0;
const id = (tsMs: number) => {
  const hex = tsMs.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${(seq++).toString(16).padStart(12, '0')}`;
};

function item(kind: 'events' | 'counts' | 'status', site: string, device: string, body: Record<string, unknown>): BatchItem {
  const topic = `footfall/v1/${site}/${device}/${kind}`;
  const payload = Buffer.from(JSON.stringify({ v: 1, site, device, ...body }));
  const message = validator.validate(topic, payload, NOW);
  if (message.kind === 'dead') throw new Error(message.reason);
  return { topic, payload, message };
}

const ev = (tsMs: number, type: string, data: Record<string, unknown>) => ({ id: id(tsMs), ts: tsMs, type, source: 'cam-1', data });
const row = (subject: string, metric: string, sum: number) => ({ source: 'cam-1', subject, metric, n: sum, sum, max: 1 });

beforeAll(async () => {
  pgs = await PostgresServer.start();
  pool = await migratedPool(pgs);
  const writer = new BatchWriter(pool, new PartitionKeeper(), 'test');
  await writer.write([
    item('counts', 'mall-1', 'box-1', { minute: H + 5 * 60_000, counts: [row('door', 'in', 3), row('door', 'out', 1)] }),
    item('counts', 'mall-1', 'box-1', { minute: H + 30 * 60_000, counts: [row('door', 'in', 2)] }),
    item('counts', 'mall-1', 'box-2', { minute: H + 60 * 60_000, counts: [row('gate', 'in', 4), row('gate', 'out', 6), row('atrium', 'occupancy', 9)] }),
    item('counts', 'mall-2', 'box-9', { minute: H + 5 * 60_000, counts: [row('door', 'in', 100)] }),
    // A resend of a minute replaces it rather than adding to it.
    item('counts', 'mall-1', 'box-1', { minute: H + 30 * 60_000, counts: [row('door', 'in', 2)] }),
    item('events', 'mall-1', 'box-1', {
      events: [
        ev(H + 1_000, 'zone.visit', { zone: 'atrium', dwellMs: 10_000 }),
        ev(H + 2_000, 'zone.visit', { zone: 'atrium', dwellMs: 45_000 }),
        ev(H + 3_000, 'zone.visit', { zone: 'atrium', dwellMs: 59_999 }),
        ev(H + 4_000, 'zone.visit', { zone: 'shop-a', dwellMs: 4_000_000 }),
        ev(H + 5_000, 'path', { zones: ['atrium', 'shop-a', 'foodcourt'], dwellsMs: [1, 2, 3] }),
        ev(H - 86_400_000, 'path', { zones: ['atrium', 'shop-b'], dwellsMs: [1, 2] }), // the day before: outside the range
      ],
    }),
    item('events', 'mall-1', 'box-2', { events: [ev(H + 6_000, 'path', { zones: ['atrium', 'shop-a'], dwellsMs: [1, 2] })] }),
    item('events', 'mall-2', 'box-9', { events: [ev(H + 7_000, 'path', { zones: ['atrium', 'shop-a'], dwellsMs: [1, 2] }), ev(H + 8_000, 'zone.visit', { zone: 'atrium', dwellMs: 1 })] }),
  ]);
  const status = (device: string, state: 'online' | 'offline') => item('status', 'mall-1', device, { state, ts: NOW - 3_600_000, version: '1.2.0', startedAt: NOW - 7_200_000 });
  await writer.write([status('box-1', 'online'), status('box-2', 'online'), status('box-3', 'offline'), status('box-4', 'offline')]);
  // Place the devices in time: box-1 heard 20 min ago, box-2 1 min ago; box-3 offline for 15 min, box-4 for 2 min.
  await pool.query(`UPDATE devices SET last_seen = $1::timestamptz - CASE device WHEN 'box-1' THEN interval '20 min' ELSE interval '1 min' END,
    status_received_at = $1::timestamptz - CASE device WHEN 'box-3' THEN interval '15 min' ELSE interval '2 min' END`, [new Date(NOW).toISOString()]);
});

afterAll(async () => {
  await pool?.end();
  await pgs?.dispose();
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('dashboard queries', () => {
  it('visitors_hourly sums entries per site and hour', async () => {
    const { rows } = await pool.query(`SELECT site, hour, visitors::int FROM visitors_hourly ORDER BY site, hour`);
    expect(rows.map((r) => [r.site, (r.hour as Date).toISOString(), r.visitors])).toEqual([
      ['mall-1', iso(H), 5],
      ['mall-1', iso(H + 3_600_000), 4],
      ['mall-2', iso(H), 100],
    ]);
  });

  it('line_flows_hourly gives in and out per line', async () => {
    const { rows } = await pool.query(`SELECT device, line, hour, entries::int, exits::int FROM line_flows_hourly WHERE site = 'mall-1' ORDER BY hour, line`);
    expect(rows.map((r) => [r.device, r.line, (r.hour as Date).toISOString(), r.entries, r.exits])).toEqual([
      ['box-1', 'door', iso(H), 5, 1],
      ['box-2', 'gate', iso(H + 3_600_000), 4, 6],
    ]);
  });

  it('zone_dwell_histogram puts each visit in its dwell bucket', async () => {
    const { rows } = await pool.query(`SELECT zone, bucket, lower_ms::int, upper_ms::int, visits::int FROM zone_dwell_histogram('mall-1', $1, $2)`, [iso(H), iso(H + 3_600_000)]);
    expect(rows).toEqual([
      { zone: 'atrium', bucket: 0, lower_ms: 0, upper_ms: 30_000, visits: 1 },
      { zone: 'atrium', bucket: 1, lower_ms: 30_000, upper_ms: 60_000, visits: 2 },
      { zone: 'shop-a', bucket: 7, lower_ms: 3_600_000, upper_ms: null, visits: 1 },
    ]);
  });

  it('zone_transitions counts consecutive zones across the devices of one site in the range', async () => {
    const { rows } = await pool.query(`SELECT from_zone, to_zone, transitions::int FROM zone_transitions('mall-1', $1, $2)`, [iso(H), iso(H + 3_600_000)]);
    expect(rows).toEqual([
      { from_zone: 'atrium', to_zone: 'shop-a', transitions: 2 },
      { from_zone: 'shop-a', to_zone: 'foodcourt', transitions: 1 },
    ]);
  });

  it('offline_devices lists devices silent or offline for more than N minutes', async () => {
    const { rows } = await pool.query(`SELECT device, state FROM offline_devices(10, $1) ORDER BY device`, [iso(NOW)]);
    expect(rows).toEqual([
      { device: 'box-1', state: 'online' },
      { device: 'box-3', state: 'offline' },
    ]);
    const { rows: all } = await pool.query(`SELECT device FROM offline_devices(1.5, $1) ORDER BY device`, [iso(NOW)]);
    expect(all.map((r) => r.device)).toEqual(['box-1', 'box-3', 'box-4']);
  });
});
