import pg from 'pg';
import { PostgresServer } from './cloud-sync/ingest/test-support/postgres.ts';
import { Mosquitto } from './cloud-sync/test-support/mosquitto.ts';
import { IngestWorker, FleetSimulator } from './cloud-sync/ingest/index.ts';
import { createRootLogger } from './edge/shared/log.ts';
const pgs = await PostgresServer.start();
const mq = await Mosquitto.start({ persistence: true });
const logger = createRootLogger({ level: 'info', pretty: false });
const w = new IngestWorker({ mqttUrl: mq.url, pgUrl: pgs.url, clientId: 'w1', logger });
await w.start();
await new Promise((r) => setTimeout(r, 300));
const t0 = Date.now();
const sim = new FleetSimulator({ url: mq.url, devices: 20, events: 5000, batchSize: 100 });
const r = await sim.run();
console.log('sim', r);
const c = new pg.Client(pgs.url); await c.connect();
for (let i = 0; i < 100; i++) {
  const { rows } = await c.query('select count(*)::int n from events');
  if (rows[0].n >= 100000) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log('ingest done ms', Date.now() - t0, w.metrics);
console.log((await c.query('select count(*)::int n, count(distinct id)::int d from events')).rows);
console.log((await c.query('select count(*)::int n from counts')).rows, (await c.query('select site, device, state, reason from devices limit 3')).rows);
await c.query('VACUUM ANALYZE events');
console.log('bytes/event', (await c.query(`select sum(pg_total_relation_size(inhrelid))::float8 / (select count(*) from events) as b, sum(pg_relation_size(inhrelid))::float8 / (select count(*) from events) as heap from pg_inherits where inhparent = 'events'::regclass`)).rows);
console.log((await c.query("select * from zone_transitions('mall-1', now() - interval '2 hours', now()) limit 3")).rows);
await c.end();
await w.stop(); await mq.dispose(); await pgs.dispose();
