// One outbox batch as wire bytes, built by SQLite in one statement: the first events
// after a seq, their `{"id","ts","type","source","data"}` JSON joined between the
// envelope's prefix and suffix and returned as a BLOB (a Buffer: no JS string is built,
// decoded or encoded). The read-ahead worker runs the same statement on its own
// read-only connection.
import type Database from 'better-sqlite3';

/** One batch as wire bytes, built by SQLite. */
export interface OutboxBatchText {
  /** prefix + `{"id","ts","type","source","data"}` objects joined by commas, in seq order + suffix, as UTF-8. */
  payload: Buffer;
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** UTF-8 bytes of the joined events (without prefix and suffix). */
  bytes: number;
}

/** The wire object around the stored payload text (no parse and re-serialise per event). */
export const WIRE_JSON = `'{"id":"' || id || '","ts":' || CAST(ts AS INTEGER) || ',"type":' || json_quote(type) || ',"source":' || json_quote(source) || ',"data":' || payload || '}'`;

/**
 * The first @c events with @a < seq < @b joined between @p and @s. A running byte count
 * in a window function cost 2.5x as much as the whole read, so the byte limit is checked
 * afterwards.
 */
export const OUTBOX_BATCH_SQL = `
  SELECT CAST(@p || group_concat(j, ',' ORDER BY seq) || @s AS BLOB) AS payload, count(*) AS count, min(seq) AS firstSeq, max(seq) AS lastSeq
  FROM (SELECT seq, ${WIRE_JSON} AS j FROM events WHERE seq > @a AND seq < @b ORDER BY seq LIMIT @c)`;

export class OutboxBatchReader {
  private readonly stmt: Database.Statement;

  constructor(db: Database.Database) {
    this.stmt = db.prepare(OUTBOX_BATCH_SQL);
  }

  /**
   * The next batch of events with afterSeq < seq < beforeSeq, at most maxEvents, and at
   * most maxJsonBytes of joined JSON unless a single event is larger by itself, between
   * prefix and suffix. Null when the range is empty.
   */
  read(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix: string, suffix: string): OutboxBatchText | null {
    let limit = maxEvents;
    const envelopeBytes = Buffer.byteLength(prefix) + Buffer.byteLength(suffix);
    for (;;) {
      const row = this.stmt.get({ a: afterSeq, b: beforeSeq, c: limit, p: prefix, s: suffix }) as OutboxBatchText;
      if (row.count === 0) return null;
      row.bytes = row.payload.length - envelopeBytes;
      if (row.bytes <= maxJsonBytes || row.count === 1) return row;
      // Over the byte limit (rare: batches are sized by count): read again, fewer events.
      limit = Math.max(1, Math.min(row.count - 1, Math.floor((row.count * maxJsonBytes) / row.bytes)));
    }
  }
}
