import { MessageValidator } from './cloud-sync/ingest/message-validator.ts';
import { synthesizeEvents } from './edge/store/synthetic-events.ts';
import { Uuid7Generator } from './edge/store/uuid7.ts';
const ids = new Uuid7Generator();
const evs = [...synthesizeEvents({ count: 100_000, seed: 1, spanMs: 3_600_000, startMs: Date.now() - 3_600_000 })].map((e) => ({ id: ids.next(e.tsMs), ts: e.tsMs, type: e.type, source: e.source, data: e.data }));
const msgs: Buffer[] = [];
for (let i = 0; i < evs.length; i += 100) msgs.push(Buffer.from(JSON.stringify({ v: 1, site: 's', device: 'd', events: evs.slice(i, i + 100) })));
const v = new MessageValidator({ maxPayloadBytes: 1 << 20, maxAgeMs: 1e12, maxFutureMs: 1e12 });
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  for (const m of msgs) v.validate('footfall/v1/s/d/events', m);
  const t1 = performance.now();
  for (const m of msgs) JSON.parse(m.toString());
  const t2 = performance.now();
  console.log('validate', Math.round(100000 / ((t1 - t0) / 1000)), 'ev/s; JSON.parse only', Math.round(100000 / ((t2 - t1) / 1000)));
}
