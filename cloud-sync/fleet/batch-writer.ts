// Writes one batch of validated messages into PostgreSQL in one transaction: event rows
// (idempotent on the event key, ON CONFLICT DO NOTHING), per-minute counts (the newest
// message for a minute replaces it), device status, and dead letters. Event payloads go
// to PostgreSQL as the JSON text that was received and validated, unpacked server-side
// (jsonb_array_elements), so Node does no per-event re-encoding.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ValidatedMessage } from './message-validator.ts';
import { countsPartitionOf, eventsPartitionOf, type PartitionKeeper, type PartitionSpec } from './partitions.ts';

/** Bytes of a dead-lettered payload kept (oversized payloads are cut). */
export const DEAD_LETTER_KEEP_BYTES = 64 * 1024;

export interface BatchItem {
  topic: string;
  payload: Buffer;
  message: ValidatedMessage;
}

export interface WriteResult {
  events: number;
  inserted: number;
  countRows: number;
  statuses: number;
  deadLetters: number;
}

const INSERT_EVENTS = `
  INSERT INTO events (id, ts, site, device, type, source, data)
  SELECT (e->>'id')::uuid, to_timestamp((e->>'ts')::bigint / 1000.0), m->>'site', m->>'device', e->>'type', e->>'source', e->'data'
  FROM jsonb_array_elements($1::jsonb) AS m, jsonb_array_elements(m->'events') AS e
  ON CONFLICT DO NOTHING`;

const UPSERT_COUNTS = `
  INSERT INTO counts (site, device, minute, source, subject, metric, n, sum, max)
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::float8[], $9::float8[])
  ON CONFLICT (site, device, minute, source, subject, metric)
  DO UPDATE SET n = excluded.n, sum = excluded.sum, max = excluded.max`;

const TOUCH_DEVICES = `
  UPDATE devices d SET last_seen = greatest(d.last_seen, now())
  FROM unnest($1::text[], $2::text[]) AS t(site, device)
  WHERE d.site = t.site AND d.device = t.device`;

// Status messages apply in arrival order, except a status from an older agent process
// (started_at) and an `online` no newer than the newest online already applied for this
// process: that is a redelivery and must not undo a later `offline` (the last will's ts
// is its connect time, so ts alone cannot order online against offline).
const UPSERT_DEVICES = `
  INSERT INTO devices AS d (site, device, state, reason, version, started_at, status_ts, status_received_at, online_ts, uptime_s, stages, last_seen)
  SELECT t.site, t.device, t.state, t.reason, t.version, to_timestamp(t.started_ms / 1000.0), to_timestamp(t.ts_ms / 1000.0), now(),
         CASE WHEN t.state = 'online' THEN to_timestamp(t.ts_ms / 1000.0) END, t.uptime_s, t.stages::jsonb, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::float8[], $9::text[])
    AS t(site, device, state, reason, version, started_ms, ts_ms, uptime_s, stages)
  ON CONFLICT (site, device) DO UPDATE SET
    state = excluded.state, reason = excluded.reason, version = excluded.version, started_at = excluded.started_at,
    status_ts = excluded.status_ts, status_received_at = excluded.status_received_at, uptime_s = excluded.uptime_s,
    online_ts = CASE WHEN excluded.started_at > d.started_at THEN excluded.online_ts
                     ELSE coalesce(greatest(d.online_ts, excluded.online_ts), d.online_ts, excluded.online_ts) END,
    stages = excluded.stages, last_seen = greatest(d.last_seen, excluded.last_seen)
  WHERE excluded.started_at > d.started_at
     OR (excluded.started_at = d.started_at
         AND NOT (excluded.state = 'online' AND excluded.status_ts <= coalesce(d.online_ts, '-infinity'::timestamptz)))`;

const INSERT_DEAD_LETTERS = `
  INSERT INTO dead_letters (digest, topic, reason, payload, payload_bytes, worker)
  SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::bytea[], $5::int[], $6::text[])
  ON CONFLICT (digest) DO UPDATE SET deliveries = dead_letters.deliveries + 1, last_received_at = now()`;

/** SQLSTATE classes that mean "try again later" rather than "this data is bad". */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);

/** True when an error says nothing about the data: connection lost, server shutting down, deadlock, out of resources. */
export function isTransientPgError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_CLASSES.has(code.slice(0, 2));
  return true;
}

function digestOf(topic: string, payload: Buffer): Buffer {
  return createHash('sha256').update(topic).update('\0').update(payload).digest();
}

export class BatchWriter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: PartitionKeeper,
    private readonly workerName: string,
  ) {}

  /** Writes the batch in one transaction (a single statement when it only holds events). */
  async write(items: readonly BatchItem[]): Promise<WriteResult> {
    const result: WriteResult = { events: 0, inserted: 0, countRows: 0, statuses: 0, deadLetters: 0 };
    const specs = new Map<string, PartitionSpec>();
    const eventPayloads: string[] = [];
    const counts = new Map<string, [string, string, string, string, string, string, number, number, number | null]>();
    const touched = new Map<string, [string, string]>();
    const statuses = new Map<string, ValidatedMessage & { kind: 'status' }>();
    const dead = new Map<string, [Buffer, string, string, Buffer, number]>();

    for (const item of items) {
      const m = item.message;
      switch (m.kind) {
        case 'events': {
          eventPayloads.push(m.payload);
          result.events += m.value.events.length;
          let lastDay = -1;
          for (const e of m.value.events) {
            const day = Math.floor(e.ts / 86_400_000);
            if (day === lastDay) continue;
            lastDay = day;
            const s = eventsPartitionOf(e.ts);
            specs.set(s.name, s);
          }
          break;
        }
        case 'counts': {
          const minuteIso = new Date(m.value.minute).toISOString();
          const s = countsPartitionOf(m.value.minute);
          specs.set(s.name, s);
          for (const c of m.value.counts) {
            const key = `${m.site}\0${m.device}\0${m.value.minute}\0${c.source}\0${c.subject}\0${c.metric}`;
            counts.set(key, [m.site, m.device, minuteIso, c.source, c.subject, c.metric, c.n, c.sum, c.max]);
          }
          touched.set(`${m.site}\0${m.device}`, [m.site, m.device]);
          break;
        }
        case 'status':
          statuses.set(`${m.site}\0${m.device}`, m);
          break;
        case 'dead': {
          const digest = digestOf(item.topic, item.payload);
          const key = digest.toString('hex');
          if (!dead.has(key)) {
            const kept = item.payload.length > DEAD_LETTER_KEEP_BYTES ? item.payload.subarray(0, DEAD_LETTER_KEEP_BYTES) : item.payload;
            dead.set(key, [digest, item.topic, m.reason, kept, item.payload.length]);
          }
          break;
        }
      }
    }
    if (specs.size > 0) await this.partitions.ensure(this.pool, specs.values());

    const onlyEvents = counts.size === 0 && statuses.size === 0 && dead.size === 0 && touched.size === 0;
    if (onlyEvents) {
      if (eventPayloads.length === 0) return result;
      const r = await this.pool.query(INSERT_EVENTS, [`[${eventPayloads.join(',')}]`]);
      result.inserted = r.rowCount ?? 0;
      return result;
    }
    const client = await this.pool.connect();
    let broken: unknown = undefined;
    // A checked-out client has no pool listener: a server going away mid-transaction
    // emits 'error' here as well as failing the query, which is what we act on.
    const onError = (err: Error): void => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      if (eventPayloads.length > 0) {
        const r = await client.query(INSERT_EVENTS, [`[${eventPayloads.join(',')}]`]);
        result.inserted = r.rowCount ?? 0;
      }
      if (counts.size > 0) {
        const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
        for (const row of counts.values()) for (let i = 0; i < 9; i++) cols[i]!.push(row[i]);
        await client.query(UPSERT_COUNTS, cols);
        result.countRows = counts.size;
      }
      if (statuses.size > 0) {
        const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
        for (const s of statuses.values()) {
          const v = s.value;
          const row = [s.site, s.device, v.state, v.reason ?? null, v.version, v.startedAt, v.ts, v.uptimeS ?? null, v.stages ? JSON.stringify(v.stages) : null];
          for (let i = 0; i < 9; i++) cols[i]!.push(row[i]);
        }
        await client.query(UPSERT_DEVICES, cols);
        result.statuses = statuses.size;
      }
      if (touched.size > 0) {
        const sites: string[] = [];
        const devices: string[] = [];
        for (const [s, d] of touched.values()) {
          sites.push(s);
          devices.push(d);
        }
        await client.query(TOUCH_DEVICES, [sites, devices]);
      }
      if (dead.size > 0) {
        const cols: unknown[][] = [[], [], [], [], [], []];
        for (const row of dead.values()) {
          for (let i = 0; i < 5; i++) cols[i]!.push(row[i]);
          cols[5]!.push(this.workerName);
        }
        await client.query(INSERT_DEAD_LETTERS, cols);
        result.deadLetters = dead.size;
      }
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.removeListener('error', onError);
      // A connection that failed mid-transaction is discarded, not reused.
      client.release(broken !== undefined && isTransientPgError(broken) ? (broken as Error) : undefined);
    }
  }
}
