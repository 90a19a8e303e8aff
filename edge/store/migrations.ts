// Versioned schema migrations of the edge store, applied in order at open and
// recorded in PRAGMA user_version. Never edit a released migration: add one.
import type Database from 'better-sqlite3';
import { FootfallError } from '../shared/errors.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    // No UNIQUE index on id: ids come from one monotonic generator per store, and the
    // index cost a third of the write rate (measured: 94k vs 145k events/s).
    // Upstream enforces idempotency on the id.
    description: 'events (the source of truth, with outbox state), per-minute counts, key-value state',
    sql: `
      CREATE TABLE events (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        id      TEXT    NOT NULL,
        ts      INTEGER NOT NULL,
        type    TEXT    NOT NULL,
        source  TEXT    NOT NULL,
        payload TEXT    NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX events_unsent ON events(seq) WHERE sent_at IS NULL;
      CREATE INDEX events_ts ON events(ts);
      CREATE TABLE counts (
        minute  INTEGER NOT NULL,
        source  TEXT    NOT NULL,
        subject TEXT    NOT NULL,
        metric  TEXT    NOT NULL,
        n       INTEGER NOT NULL DEFAULT 0,
        sum     REAL    NOT NULL DEFAULT 0,
        max     REAL,
        PRIMARY KEY (minute, source, subject, metric)
      ) WITHOUT ROWID;
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    // The outbox's progress as a position instead of a per-row sent_at: marking a batch
    // sent rewrote every row and its partial-index entry (5-9 us/event, most of the
    // outbox's cost). "Sent" is now seq <= acked_seq and not held; sent_at is no longer
    // written or read. Existing state converts to the seq before the first unsent event
    // (any sent event after it is sent again: at-least-once).
    description: 'outbox progress as an acknowledged-seq position, events held back after a broker refusal',
    sql: `
      CREATE TABLE outbox_state (
        name          TEXT    PRIMARY KEY,
        acked_seq     INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE outbox_held (
        seq         INTEGER PRIMARY KEY,
        reason      TEXT    NOT NULL,
        retry_at_ms INTEGER NOT NULL
      );
      INSERT INTO outbox_state (name, acked_seq, updated_at_ms) VALUES (
        'events',
        COALESCE(
          (SELECT min(seq) FROM events WHERE sent_at IS NULL) - 1,
          (SELECT max(seq) FROM events),
          0
        ),
        COALESCE((SELECT max(sent_at) FROM events WHERE sent_at IS NOT NULL), 0)
      );
      DROP INDEX events_unsent;
    `,
  },
  {
    version: 3,
    // The outbox built every event's wire JSON in SQL on every send (about 1 us/event, most of
    // what kept it under 0.7 of a bare publisher). Each row now holds that JSON, written once by
    // the store at append time, in place of the bare payload it wraps: `wire` is
    // {"id","ts","type","source","data"} and readers take its data. The id is not stored twice:
    // the column becomes a virtual one read out of the wire JSON (it starts `{"id":"`, and ids
    // hold no quote). The upgrade rewrites every row once (the same expression the
    // outbox used), then reshapes the table.
    description: 'events hold their wire JSON (built once at write time) in place of the bare payload; id read from it',
    sql: `
      UPDATE events SET payload = '{"id":"' || id || '","ts":' || CAST(ts AS INTEGER) || ',"type":' || json_quote(type) || ',"source":' || json_quote(source) || ',"data":' || payload || '}';
      ALTER TABLE events RENAME COLUMN payload TO wire;
      ALTER TABLE events DROP COLUMN id;
      ALTER TABLE events ADD COLUMN id TEXT GENERATED ALWAYS AS (substr(wire, 8, instr(substr(wire, 8), '"') - 1)) VIRTUAL;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies the migrations newer than the file's user_version, each in its own transaction. */
export function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new FootfallError(
      'STORE_OPEN',
      `${path} has schema version ${current}, newer than this footfall (${LATEST_SCHEMA_VERSION}); upgrade footfall`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** A read-only open cannot migrate: the file must already be at the latest schema. */
export function assertSchemaReadable(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) throw new FootfallError('STORE_CORRUPT', `${path} is not a footfall database (no schema)`);
  if (version < LATEST_SCHEMA_VERSION) {
    throw new FootfallError(
      'STORE_OPEN',
      `${path} has schema version ${version}, older than this footfall (${LATEST_SCHEMA_VERSION}); open it read-write once (footfall run or sync) to migrate it`,
    );
  }
}
