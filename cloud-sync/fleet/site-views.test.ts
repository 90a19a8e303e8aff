// The site views of migration 3 on counts written through the real write path
// (MessageValidator -> BatchWriter) into a real PostgreSQL: entries and exits per hour,
// occupancy across the boxes of a site since its last closing, zone visits across boxes.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, type BatchItem } from './batch-writer.ts';
import { MessageValidator } from './message-validator.ts';
import { PartitionKeeper } from './partitions.ts';
import { migratedPool, PostgresServer } from './test-support/postgres.ts';

let pgs: PostgresServer;
let pool: pg.Pool;
const CLOSE = Date.UTC(2026, 10, 22, 21, 0, 0); // yesterday's closing (22:00 Berlin)
const H = Date.UTC(2026, 10, 23, 9, 0, 0);
const NOW = H + 2 * 3_600_000;
const validator = new MessageValidator({ maxPayloadBytes: 1 << 20, maxAgeMs: 30 * 86_400_000, maxFutureMs: 86_400_000 });

function counts(site: string, device: string, minute: number, rows: Array<[string, string, string, number]>): BatchItem {
  const topic = `footfall/v1/${site}/${device}/counts`;
  const body = { v: 1, site, device, minute, counts: rows.map(([source, subject, metric, n]) => ({ source, subject, metric, n, sum: n, max: 1 })) };
  const payload = Buffer.from(JSON.stringify(body));
  const message = validator.validate(topic, payload, NOW);
  if (message.kind === 'dead') throw new Error(message.reason);
  return { topic, payload, message };
}

beforeAll(async () => {
  pgs = await PostgresServer.start();
  pool = await migratedPool(pgs);
  const writer = new BatchWriter(pool, new PartitionKeeper(), 'test');
  await writer.write([
    // Before yesterday's closing: not part of today's occupancy.
    counts('mall-1', 'box-1', CLOSE - 3_600_000, [['north-cam', 'site', 'site.in', 50], ['north-cam', 'site', 'site.out', 40]]),
    counts('mall-1', 'box-1', CLOSE, [['site', 'site', 'site.drift', 10]]),
    // Today: 10 in through box-1's doors, 3 out; 5 in through box-2's, 9 out (people leave by another door).
    counts('mall-1', 'box-1', H, [['north-cam', 'site', 'site.in', 10], ['north-cam', 'main-door', 'in', 10], ['north-cam', 'atrium', 'visits', 4]]),
    counts('mall-1', 'box-1', H + 3_600_000, [['north-cam', 'site', 'site.out', 3]]),
    counts('mall-1', 'box-2', H + 30 * 60_000, [['south-cam', 'site', 'site.in', 5], ['south-cam', 'atrium', 'visits', 2]]),
    counts('mall-1', 'box-2', H + 3_600_000 + 60_000, [['south-cam', 'site', 'site.out', 9]]),
    counts('mall-2', 'box-9', H, [['cam', 'site', 'site.in', 7]]),
    // Later than p_now in the query below: not counted yet.
    counts('mall-1', 'box-2', NOW + 60_000, [['south-cam', 'site', 'site.in', 100]]),
  ]);
});

afterAll(async () => {
  await pool?.end();
  await pgs?.dispose();
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('site views', () => {
  it('site_in_out_hourly sums entries and exits of every box of a site per hour', async () => {
    const { rows } = await pool.query(`SELECT site, hour, entries::int, exits::int FROM site_in_out_hourly WHERE hour >= $1 AND hour < $2 ORDER BY site, hour`, [iso(H), iso(NOW)]);
    expect(rows.map((r) => [r.site, (r.hour as Date).toISOString(), r.entries, r.exits])).toEqual([
      ['mall-1', iso(H), 15, 0],
      ['mall-1', iso(H + 3_600_000), 0, 12],
      ['mall-2', iso(H), 7, 0],
    ]);
  });

  it('site_occupancy sums all boxes since the last closing, never below zero', async () => {
    const { rows } = await pool.query(`SELECT site, occupancy::int, entries::int, exits::int, since FROM site_occupancy($1)`, [iso(NOW)]);
    expect(rows.map((r) => [r.site, r.occupancy, r.entries, r.exits, (r.since as Date).toISOString()])).toEqual([
      ['mall-1', 3, 15, 12, iso(CLOSE)],
      ['mall-2', 7, 7, 0, iso(NOW - 86_400_000)],
    ]);
    // Half a minute later only box-1's 3 exits are in: 15 in, 3 out.
    const { rows: early } = await pool.query(`SELECT site, occupancy::int FROM site_occupancy($1) WHERE site = 'mall-1'`, [iso(H + 3_600_000 + 30_000)]);
    expect(early).toEqual([{ site: 'mall-1', occupancy: 12 }]);
  });

  it('zone_visits_hourly adds the visits of a zone seen by several boxes', async () => {
    const { rows } = await pool.query(`SELECT site, zone, hour, visits::int FROM zone_visits_hourly WHERE site = 'mall-1' ORDER BY hour`);
    expect(rows.map((r) => [r.zone, (r.hour as Date).toISOString(), r.visits])).toEqual([['atrium', iso(H), 6]]);
  });
});
