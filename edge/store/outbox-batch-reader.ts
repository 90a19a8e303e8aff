// One outbox batch as wire bytes: the first events after a seq, each event's
// `{"id","ts","type","source","data"}` JSON as the store wrote it (event-wire.ts), joined
// between the envelope's prefix and suffix.
// The read-ahead worker runs the same statement on its own read-only connection.
import type Database from 'better-sqlite3';

/** One batch as wire bytes. */
export interface OutboxBatchText {
  /** prefix + `{"id","ts","type","source","data"}` objects joined by commas, in seq order + suffix, as UTF-8. */
  payload: Buffer;
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** UTF-8 bytes of the joined events (without prefix and suffix). */
  bytes: number;
}

/**
 * [seq, wire JSON] of the first ? events with ? < seq < ?, in seq order. The rows are
 * joined in JS: a `group_concat(... ORDER BY seq)` in SQLite sorted every batch again and
 * cost twice as much, and without its ORDER BY the order is not guaranteed.
 */
export const OUTBOX_BATCH_SQL = 'SELECT seq, wire FROM events WHERE seq > ? AND seq < ? ORDER BY seq LIMIT ?';

/**
 * Joins rows read by OUTBOX_BATCH_SQL into a batch between prefix and suffix, keeping
 * the longest first part whose joined JSON is at most maxJsonBytes (at least one event).
 * The read-ahead worker (outbox-read-worker.mjs) does the same in plain JavaScript.
 */
export function joinBatch(rows: Array<[number, string]>, maxJsonBytes: number, prefix: string, suffix: string): OutboxBatchText | null {
  let n = rows.length;
  if (n === 0) return null;
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = rows[i]![1];
  let json = parts.join(',');
  let bytes = Buffer.byteLength(json);
  if (bytes > maxJsonBytes && n > 1) {
    // Over the byte limit (rare: batches are sized by count): keep the events that fit.
    let fit = 0;
    let total = 0;
    while (fit < n) {
      const next = total + (fit > 0 ? 1 : 0) + Buffer.byteLength(parts[fit]!);
      if (next > maxJsonBytes && fit > 0) break;
      total = next;
      fit++;
    }
    n = fit;
    json = parts.slice(0, n).join(',');
    bytes = total;
  }
  return { payload: Buffer.from(prefix + json + suffix), firstSeq: rows[0]![0], lastSeq: rows[n - 1]![0], count: n, bytes };
}

export class OutboxBatchReader {
  private readonly stmt: Database.Statement;

  constructor(db: Database.Database) {
    this.stmt = db.prepare(OUTBOX_BATCH_SQL).raw(true);
  }

  /**
   * The next batch of events with afterSeq < seq < beforeSeq, at most maxEvents, and at
   * most maxJsonBytes of joined JSON unless a single event is larger by itself, between
   * prefix and suffix. Null when the range is empty.
   */
  read(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix: string, suffix: string): OutboxBatchText | null {
    return joinBatch(this.stmt.all(afterSeq, beforeSeq, maxEvents) as Array<[number, string]>, maxJsonBytes, prefix, suffix);
  }
}
