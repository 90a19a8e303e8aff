// Per-minute aggregates as a materialised view of the events: folded in memory from
// each written batch and upserted every countsIntervalMs together with the watermark
// of the last event they include, so a batch of events commits without the upserts (a
// quarter of the write cost) and a crash between the two is repaired at the next open
// by folding the events past the watermark.
import type Database from 'better-sqlite3';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { NewEvent } from '../shared/types.ts';
import { countDeltasOf, minuteOf, type CountDelta } from './aggregates.ts';
import { sqliteCode } from './database-file.ts';
import type { KeyValueTable } from './key-value-table.ts';

/** kv key: the last event seq folded into `counts` (aggregates are a view of events up to it). */
const COUNTS_WATERMARK_KEY = 'counts.seq';
/** Folded rows past this many are written at once, whatever the interval. */
const MAX_BUFFERED_ROWS = 20_000;

export interface CountRow {
  minute: number;
  source: string;
  subject: string;
  metric: string;
  n: number;
  sum: number;
  max: number | null;
}

export type CountedEvent = Pick<NewEvent, 'tsMs' | 'type' | 'source' | 'data'>;

export class CountsWriter {
  /** Aggregates not yet written: minute -> source -> subject -> metric -> row (no string keys built per event). */
  private readonly buffer = new Map<number, Map<string, Map<string, Map<string, CountRow>>>>();
  private readonly rows: CountRow[] = [];
  private readonly deltaScratch: CountDelta[] = [];
  private readonly writeTx: (rows: CountRow[], fromSeq: number, throughSeq: number) => boolean;
  private readonly maxSeqStmt: Database.Statement;
  private readonly eventsAfterStmt: Database.Statement;
  private readonly warnings: RateLimitedLog;
  /** The watermark the buffered rows build on, and the last event seq whose counts they hold. */
  private fromSeq = 0;
  private throughSeq = 0;
  private lastWriteMs = 0;

  constructor(
    db: Database.Database,
    private readonly kv: KeyValueTable,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.warnings = new RateLimitedLog(log);
    const upsert = db.prepare(
      `INSERT INTO counts (minute, source, subject, metric, n, sum, max) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, source, subject, metric) DO UPDATE SET
         n = n + excluded.n, sum = sum + excluded.sum,
         max = CASE WHEN max IS NULL OR excluded.max > max THEN excluded.max ELSE max END`,
    );
    // Compare-and-set on the watermark: if another process on the same file folded events
    // meanwhile, these rows may overlap its work, so nothing is written (see write()).
    this.writeTx = db.transaction((rows: CountRow[], fromSeq: number, throughSeq: number) => {
      const current = kv.get(COUNTS_WATERMARK_KEY);
      if (current !== null && Number(current) !== fromSeq) return false;
      for (let i = 0; i < rows.length; i++) {
        const c = rows[i]!;
        upsert.run(c.minute, c.source, c.subject, c.metric, c.n, c.sum, c.max);
      }
      kv.set(COUNTS_WATERMARK_KEY, String(throughSeq));
      return true;
    });
    this.maxSeqStmt = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(true);
    this.eventsAfterStmt = db.prepare('SELECT seq, ts, type, source, wire FROM events WHERE seq > ? ORDER BY seq');
  }

  get hasPending(): boolean {
    return this.rows.length > 0;
  }

  /** Folds a batch that is now committed, whose last event has seq `lastSeq`. Writes the aggregates when due. */
  addWritten(batch: readonly CountedEvent[], lastSeq: number): void {
    for (let i = 0; i < batch.length; i++) this.accumulate(batch[i]!);
    this.throughSeq = lastSeq;
    if (this.now() - this.lastWriteMs >= this.intervalMs || this.rows.length >= MAX_BUFFERED_ROWS) this.write();
  }

  /** Upserts the accumulated aggregates with their watermark. On failure they wait for the next try. */
  write(): void {
    let written: boolean;
    try {
      written = this.writeTx(this.rows, this.fromSeq, this.throughSeq);
    } catch (err) {
      this.warnings.warn({ code: sqliteCode(err) }, 'writing per-minute aggregates failed; retrying later');
      return;
    }
    this.buffer.clear();
    this.rows.length = 0;
    this.lastWriteMs = this.now();
    if (written) {
      this.fromSeq = this.throughSeq;
      return;
    }
    // Another process moved the watermark: our events are committed, so fold from the store.
    this.log.warn('another process updated the aggregates of this database; re-folding from the stored events');
    this.recover();
  }

  /** Folds events written after the aggregates' watermark (a crash came between the two) into the counts. */
  recover(): void {
    const mark = this.kv.get(COUNTS_WATERMARK_KEY);
    const maxSeq = this.maxSeqStmt.get() as number;
    if (mark === null) {
      // A database from before the watermark counted every event as it was written.
      this.kv.set(COUNTS_WATERMARK_KEY, String(maxSeq));
      this.fromSeq = this.throughSeq = maxSeq;
      return;
    }
    const from = Number(mark);
    this.fromSeq = this.throughSeq = from;
    if (!(maxSeq > from)) return;
    let folded = 0;
    for (const row of this.eventsAfterStmt.iterate(from) as IterableIterator<{ seq: number; ts: number; type: string; source: string; wire: string }>) {
      let data: Record<string, unknown>;
      try {
        data = (JSON.parse(row.wire) as { data: Record<string, unknown> }).data;
      } catch {
        data = {};
      }
      this.accumulate({ tsMs: row.ts, type: row.type, source: row.source, data });
      this.throughSeq = row.seq;
      folded++;
    }
    this.write();
    this.log.info({ folded, fromSeq: from }, 'per-minute aggregates caught up with events written before a crash');
  }

  private accumulate(event: CountedEvent): void {
    const n = countDeltasOf(event, this.deltaScratch);
    if (n === 0) return;
    const minute = minuteOf(event.tsMs);
    let bySource = this.buffer.get(minute);
    if (!bySource) this.buffer.set(minute, (bySource = new Map()));
    let bySubject = bySource.get(event.source);
    if (!bySubject) bySource.set(event.source, (bySubject = new Map()));
    for (let i = 0; i < n; i++) {
      const d = this.deltaScratch[i]!;
      let byMetric = bySubject.get(d.subject);
      if (!byMetric) bySubject.set(d.subject, (byMetric = new Map()));
      const row = byMetric.get(d.metric);
      if (row) {
        row.n++;
        row.sum += d.value;
        if (row.max === null || d.value > row.max) row.max = d.value;
      } else {
        const created = { minute, source: event.source, subject: d.subject, metric: d.metric, n: 1, sum: d.value, max: d.value };
        byMetric.set(d.metric, created);
        this.rows.push(created);
      }
    }
  }
}
