// The mall-wide path views of migration 4 on site.paths events written through the real write
// path (MessageValidator -> BatchWriter) into a real PostgreSQL: a redelivered event counts
// once, an hour published again with a new id is replaced by the latest, and malformed data
// gives no rows rather than an error.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, type BatchItem } from './batch-writer.ts';
import { MessageValidator } from './message-validator.ts';
import { PartitionKeeper } from './partitions.ts';
import { migratedPool, PostgresServer } from './test-support/postgres.ts';

let pgs: PostgresServer;
let pool: pg.Pool;
let writer: BatchWriter;
const H = Date.UTC(2026, 10, 23, 9, 0, 0);
const NOW = H + 3 * 3_600_000;
const validator = new MessageValidator({ maxPayloadBytes: 1 << 20, maxAgeMs: 30 * 86_400_000, maxFutureMs: 86_400_000 });
const iso = (ms: number) => new Date(ms).toISOString();

function pathsData(hourMs: number, transitions: unknown, sequences: unknown, visits: unknown = {}) {
  return { hour: iso(hourMs), hourStartMs: hourMs, k: 10, visits, transitions, sequences, suppressed: { visits: 0, transitions: 3, sequences: 5 }, cameras: 4, boxes: ['north-box', 'south-box'] };
}

function eventsOf(site: string, device: string, events: Array<{ id: string; hourMs: number; data: Record<string, unknown> }>): BatchItem {
  const topic = `footfall/v1/${site}/${device}/events`;
  const body = { v: 1, site, device, events: events.map((e) => ({ id: e.id, ts: e.hourMs, type: 'site.paths', source: 'site', data: e.data })) };
  const payload = Buffer.from(JSON.stringify(body));
  const message = validator.validate(topic, payload, NOW);
  if (message.kind === 'dead') throw new Error(message.reason);
  return { topic, payload, message };
}

const ID = (n: number) => `019aaf2c-0000-7000-8000-${String(n).padStart(12, '0')}`;

beforeAll(async () => {
  pgs = await PostgresServer.start();
  pool = await migratedPool(pgs);
  writer = new BatchWriter(pool, new PartitionKeeper(), 'test');
  const first = pathsData(H, { 'entrance>food-court': 12, 'entrance>pharmacy': 10 }, { 'entrance>food-court>pharmacy': 11 }, { entrance: 40, 'food-court': 25 });
  await writer.write([eventsOf('mall-1', 'north-box', [{ id: ID(1), hourMs: H, data: first }])]);
  // The same event delivered again (at-least-once): one row.
  await writer.write([eventsOf('mall-1', 'north-box', [{ id: ID(1), hourMs: H, data: first }])]);
  await writer.write([
    eventsOf('mall-1', 'north-box', [
      { id: ID(2), hourMs: H + 3_600_000, data: pathsData(H + 3_600_000, { 'food-court>entrance': 17 }, {}) },
      // Malformed bodies: stored (ingest keeps data open), but give no rows.
      { id: ID(3), hourMs: H + 2 * 3_600_000, data: pathsData(H + 2 * 3_600_000, ['entrance>food-court'], 'nope', { entrance: 'many' }) },
    ]),
    eventsOf('mall-2', 'box-9', [{ id: ID(4), hourMs: H, data: pathsData(H, { 'a>b': 30 }, { 'a>b>c': 20 }) }]),
  ]);
  // The stitcher restarted and published hour H again, with a new id: the latest wins.
  await new Promise((r) => setTimeout(r, 20));
  await writer.write([eventsOf('mall-1', 'north-box', [{ id: ID(5), hourMs: H, data: pathsData(H, { 'entrance>food-court': 15 }, {}, { entrance: 44 }) }])]);
});

afterAll(async () => {
  await pool?.end();
  await pgs?.dispose();
});

describe('site path views', () => {
  it('site_paths_latest keeps one event per site and hour: the latest received', async () => {
    const { rows: stored } = await pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'site.paths'`);
    expect(stored[0].n).toBe(5); // ID(1) once, ID(2), ID(3), ID(4), ID(5)
    const { rows } = await pool.query(`SELECT site, hour, id FROM site_paths_latest ORDER BY site, hour`);
    expect(rows.map((r) => [r.site, (r.hour as Date).toISOString(), r.id])).toEqual([
      ['mall-1', iso(H), ID(5)],
      ['mall-1', iso(H + 3_600_000), ID(2)],
      ['mall-1', iso(H + 2 * 3_600_000), ID(3)],
      ['mall-2', iso(H), ID(4)],
    ]);
  });

  it('site_transitions_hourly: the zones and counts of the latest event of each hour', async () => {
    const { rows } = await pool.query(`SELECT site, hour, from_zone, to_zone, n::int FROM site_transitions_hourly ORDER BY site, hour, from_zone, to_zone`);
    expect(rows.map((r) => [r.site, (r.hour as Date).toISOString(), r.from_zone, r.to_zone, r.n])).toEqual([
      ['mall-1', iso(H), 'entrance', 'food-court', 15],
      ['mall-1', iso(H + 3_600_000), 'food-court', 'entrance', 17],
      ['mall-2', iso(H), 'a', 'b', 30],
    ]);
  });

  it('site_sequences_hourly and site_floor_visits_hourly', async () => {
    const { rows: seq } = await pool.query(`SELECT site, hour, sequence, first_zone, second_zone, third_zone, n::int FROM site_sequences_hourly ORDER BY site, hour`);
    // mall-1's hour H was replaced by an event without sequences.
    expect(seq.map((r) => [r.site, (r.hour as Date).toISOString(), r.sequence, r.first_zone, r.second_zone, r.third_zone, r.n])).toEqual([['mall-2', iso(H), 'a>b>c', 'a', 'b', 'c', 20]]);
    const { rows: visits } = await pool.query(`SELECT site, hour, zone, visits::int FROM site_floor_visits_hourly ORDER BY site, hour, zone`);
    expect(visits.map((r) => [r.site, (r.hour as Date).toISOString(), r.zone, r.visits])).toEqual([['mall-1', iso(H), 'entrance', 44]]);
  });

  it('a query for one site and a time range uses the views like a table', async () => {
    const { rows } = await pool.query(`SELECT sum(n)::int AS n FROM site_transitions_hourly WHERE site = $1 AND hour >= $2 AND hour < $3`, ['mall-1', iso(H), iso(NOW)]);
    expect(rows[0].n).toBe(32);
  });
});
