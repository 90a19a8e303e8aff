// The outbox's durable progress in the store: one acknowledged-seq position (every
// event with seq <= acked_seq has been acknowledged upstream) plus the few events held
// back after a broker refusal. Marking a batch sent is one single-row UPDATE, whatever
// its size; "sent" = seq <= acked_seq and not held. Each event's wire JSON is built by
// SQLite; the publisher's batches are read ahead in a worker (outbox-read-ahead.ts).
import type Database from 'better-sqlite3';
import { FootfallError } from '../shared/errors.ts';
import type { StoredEvent } from '../shared/types.ts';
import { rowToEvent, type StoredEventRow } from './event-rows.ts';
import { OutboxBatchReader, type OutboxBatchText } from './outbox-batch-reader.ts';
import { READ_PENDING, type OutboxReadAhead } from './outbox-read-ahead.ts';

export type { OutboxBatchText };

/** An event the broker refused: unsent, skipped by the normal flow, retried at retryAtMs. */
export interface HeldEvent {
  seq: number;
  reason: string;
  retryAtMs: number;
}

const NAME = 'events';
const ACKED = `(SELECT acked_seq FROM outbox_state WHERE name = '${NAME}')`;
/** Unsent events after @a in seq order (at most @b): held ones at or below the position, then everything past it. */
const UNSENT_AFTER = (cols: string) => `
  SELECT ${cols} FROM events WHERE seq IN (SELECT seq FROM outbox_held WHERE seq > @a AND seq <= ${ACKED})
  UNION ALL
  SELECT ${cols} FROM events WHERE seq > max(@a, ${ACKED})
  ORDER BY 1 LIMIT @b`;
/** For rows read outside the outbox: sent_at is computed from the position (the column is no longer written). */
export const SENT_AT_COLUMN = `CASE WHEN seq <= ${ACKED} AND seq NOT IN (SELECT seq FROM outbox_held)
  THEN (SELECT updated_at_ms FROM outbox_state WHERE name = '${NAME}') END AS sent_at`;

export class OutboxState {
  private readonly batchReader: OutboxBatchReader;
  /** Reads the publisher's next batches in a worker (set by the store; null: every read is synchronous). */
  private readAhead: OutboxReadAhead | null = null;
  private readonly advanceStmt: Database.Statement;
  private readonly ackedStmt: Database.Statement;
  private readonly unsentWireStmt: Database.Statement;
  private readonly unsentRowsStmt: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.batchReader = new OutboxBatchReader(db);
    this.advanceStmt = db.prepare(`UPDATE outbox_state SET acked_seq = @a, updated_at_ms = @b WHERE name = '${NAME}' AND acked_seq < @a`);
    this.ackedStmt = db.prepare(`SELECT acked_seq FROM outbox_state WHERE name = '${NAME}'`).pluck(true);
    this.unsentWireStmt = db.prepare(UNSENT_AFTER('seq, wire')).raw(true);
    this.unsentRowsStmt = db.prepare(UNSENT_AFTER('seq, id, ts, type, source, wire, NULL AS sent_at'));
  }

  /** Every event with seq <= this (and not held) has been acknowledged upstream. */
  ackedSeq(): number {
    return this.ackedStmt.get() as number;
  }

  /** Records that every event up to `toSeq` (except held ones) is acknowledged. Never moves back; returns whether it moved. */
  advance(toSeq: number, nowMs: number = this.now()): boolean {
    return this.advanceStmt.run({ a: toSeq, b: nowMs }).changes > 0;
  }

  /**
   * The next batch of events with afterSeq < seq < beforeSeq (the caller keeps held
   * seqs out by bounding the range), at most maxEvents, and at most maxJsonBytes of
   * joined JSON unless a single event is larger by itself, between prefix and suffix.
   * Null when the range is empty.
   */
  readBatch(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix = '', suffix = ''): OutboxBatchText | null {
    return this.batchReader.read(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
  }

  /**
   * readBatch for the publisher's stream of batches: taken from the read-ahead worker
   * when it has this one ready. It returns READ_PENDING while the worker is reading this
   * very batch; the listener given to onBatchReady is called when it is in.
   */
  readNextBatch(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix: string, suffix: string): OutboxBatchText | null | typeof READ_PENDING {
    if (!this.readAhead) return this.batchReader.read(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
    return this.readAhead.read(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
  }

  /** Called when a batch read ahead arrives (null: nobody). */
  onBatchReady(listener: (() => void) | null): void {
    if (this.readAhead) this.readAhead.onReady = listener;
  }

  /** Reads batches ahead in `readAhead` from now on (null: every read on this thread). */
  useReadAhead(readAhead: OutboxReadAhead | null): void {
    this.readAhead = readAhead;
  }

  /** [seq, wire JSON] of unsent events (held or past the position) after afterSeq. */
  unsentWireJson(afterSeq: number, limit: number): Array<[number, string]> {
    return this.unsentWireStmt.all({ a: afterSeq, b: limit }) as Array<[number, string]>;
  }

  /** Raw rows of unsent events after afterSeq, wire left as JSON text (sent_at is null for all of them). */
  unsentRows(afterSeq: number, limit: number): StoredEventRow[] {
    return this.unsentRowsStmt.all({ a: afterSeq, b: limit }) as StoredEventRow[];
  }

  /** Events not yet acknowledged upstream (held, or past the position), in order, after `afterSeq`. */
  unsentEvents(afterSeq: number, limit: number): StoredEvent[] {
    return this.unsentRows(afterSeq, limit).map(rowToEvent);
  }

  /**
   * Acknowledges fromSeq..toSeq at once (tools, tests; the outbox itself uses advance()).
   * The range must start at the position or leave only held or missing events between.
   * Returns how many events became sent.
   */
  markSentRange(fromSeq: number, toSeq: number, nowMs: number = this.now()): number {
    return this.db.transaction(() => {
      const acked = this.ackedSeq();
      if (fromSeq > acked + 1) {
        const gap = this.db
          .prepare('SELECT seq FROM events WHERE seq > ? AND seq < ? AND seq NOT IN (SELECT seq FROM outbox_held) LIMIT 1')
          .get(acked, fromSeq) as { seq: number } | undefined;
        if (gap) {
          throw new FootfallError('STORE_WRITE', `cannot mark ${fromSeq}..${toSeq} sent: event ${gap.seq} before it is not acknowledged`);
        }
      }
      let passed = 0;
      if (toSeq > acked) {
        passed = (
          this.db
            .prepare('SELECT count(*) AS n FROM events WHERE seq > ? AND seq <= ? AND seq NOT IN (SELECT seq FROM outbox_held)')
            .get(Math.max(acked, fromSeq - 1), toSeq) as { n: number }
        ).n;
        this.advance(toSeq, nowMs);
      }
      // Held events in the range were unsent whichever side of the position they are on.
      const released = this.db
        .prepare('DELETE FROM outbox_held WHERE seq BETWEEN ? AND ? AND EXISTS (SELECT 1 FROM events e WHERE e.seq = outbox_held.seq)')
        .run(fromSeq, toSeq).changes;
      this.db.prepare('DELETE FROM outbox_held WHERE seq BETWEEN ? AND ?').run(fromSeq, toSeq);
      return passed + released;
    })();
  }

  /**
   * Moves the position back to just before the first event (in seq order) with
   * ts >= sinceMs, so everything from there on is sent again. Returns how many
   * acknowledged events became unsent.
   */
  rewindToTime(sinceMs: number, nowMs: number = this.now()): number {
    return this.db.transaction(() => {
      const first = this.db.prepare('SELECT min(seq) AS seq FROM events INDEXED BY events_ts WHERE ts >= ?').get(sinceMs) as { seq: number | null };
      if (first.seq === null) return 0;
      const acked = this.ackedSeq();
      const to = first.seq - 1;
      if (to >= acked) return 0;
      const n = (
        this.db.prepare('SELECT count(*) AS n FROM events WHERE seq > ? AND seq <= ? AND seq NOT IN (SELECT seq FROM outbox_held)').get(to, acked) as {
          n: number;
        }
      ).n;
      this.db.prepare(`UPDATE outbox_state SET acked_seq = ?, updated_at_ms = ? WHERE name = '${NAME}'`).run(to, nowMs);
      return n;
    })();
  }

  unsentCount(): number {
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM events WHERE seq > ${ACKED})
              + (SELECT count(*) FROM outbox_held h WHERE h.seq <= ${ACKED} AND EXISTS (SELECT 1 FROM events e WHERE e.seq = h.seq))`,
      )
      .pluck(true)
      .get() as number;
  }

  /** ts of the unsent event first in seq order (held or past the position), or null. */
  oldestUnsentTsMs(): number | null {
    const ts = this.db
      .prepare(
        `SELECT ts FROM (
           SELECT seq, ts FROM events WHERE seq IN (SELECT seq FROM outbox_held)
           UNION ALL
           SELECT * FROM (SELECT seq, ts FROM events WHERE seq > ${ACKED} ORDER BY seq LIMIT 1)
         ) ORDER BY seq LIMIT 1`,
      )
      .pluck(true)
      .get() as number | undefined;
    return ts ?? null;
  }

  /** Holds an event back after a broker refusal: unsent, skipped by the normal flow until retryAtMs. */
  hold(seq: number, reason: string, retryAtMs: number): void {
    this.db
      .prepare('INSERT INTO outbox_held (seq, reason, retry_at_ms) VALUES (?, ?, ?) ON CONFLICT (seq) DO UPDATE SET reason = excluded.reason, retry_at_ms = excluded.retry_at_ms')
      .run(seq, reason, Math.round(retryAtMs));
  }

  /** The held event was acknowledged (or gave up): it counts as the position says again. */
  release(seq: number): boolean {
    return this.db.prepare('DELETE FROM outbox_held WHERE seq = ?').run(seq).changes > 0;
  }

  /** Held events that still exist, in seq order. */
  held(): HeldEvent[] {
    return this.db
      .prepare('SELECT h.seq AS seq, h.reason AS reason, h.retry_at_ms AS retryAtMs FROM outbox_held h JOIN events e ON e.seq = h.seq ORDER BY h.seq')
      .all() as HeldEvent[];
  }

  /** Forgets held rows whose events retention deleted. */
  forgetDeletedHeld(): void {
    this.db.prepare('DELETE FROM outbox_held WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = outbox_held.seq)').run();
  }

  /** Deletes up to `limit` of the oldest sent events; returns how many. */
  deleteOldestSent(limit: number): number {
    return this.db
      .prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ${ACKED} AND seq NOT IN (SELECT seq FROM outbox_held) ORDER BY seq LIMIT ?)`)
      .run(limit).changes;
  }

  /** Deletes sent events older than cutoffMs; returns how many. */
  deleteSentBefore(cutoffMs: number): number {
    return this.db.prepare(`DELETE FROM events WHERE ts < ? AND seq <= ${ACKED} AND seq NOT IN (SELECT seq FROM outbox_held)`).run(cutoffMs).changes;
  }
}
