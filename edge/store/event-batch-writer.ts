// Batches appended events in memory and writes each batch in one transaction, every
// flushIntervalMs or flushMaxEvents (the owner decides when). While the disk refuses
// writes the batch stays in memory, bounded: past maxPendingEvents the oldest are dropped
// and counted. A written batch is handed on (to the per-minute aggregates).
import type Database from 'better-sqlite3';
import type { RateLimitedLog } from '../shared/log.ts';
import type { NewEvent } from '../shared/types.ts';
import { sqliteCode } from './database-file.ts';
import { EventWireEncoder } from './event-wire.ts';
import { Uuid7Generator } from './uuid7.ts';

export interface PendingEvent {
  id: string;
  tsMs: number;
  type: string;
  source: string;
  /** {"id","ts","type","source","data"}: what the outbox sends, built once here (event-wire.ts). */
  wire: string;
  /** The producer's data, read once more when the batch is counted (appended events are not mutated). */
  data: Record<string, unknown>;
}

/** The counters this writer moves (a slice of the store's metrics). */
export interface WriterMetrics {
  appended: number;
  written: number;
  flushes: number;
  writeErrors: number;
  droppedPending: number;
}

export interface EventBatchWriterOptions {
  flushMaxEvents: number;
  maxPendingEvents: number;
  metrics: WriterMetrics;
  warnings: RateLimitedLog;
  /** Called with each committed batch and the seq of its last event. */
  onWritten: (batch: readonly PendingEvent[], lastSeq: number) => void;
  /** Called when a write fails for a full disk (space may be freed before the next try). */
  onDiskFull: () => void;
}

/** Rows per multi-row INSERT: one native call and one result object per 64 events instead of per event. */
const ROWS_PER_INSERT = 64;
/** The id is not a column of its own: it is read out of the wire JSON (migration 3). */
const COLUMNS = 4;

export class EventBatchWriter {
  private pending: PendingEvent[] = [];
  private readonly ids = new Uuid7Generator();
  private readonly wire = new EventWireEncoder();
  private readonly writeTx: (batch: PendingEvent[]) => number;
  /** Why the last write failed, until one succeeds. */
  lastWriteError: string | null = null;

  constructor(
    db: Database.Database,
    private readonly options: EventBatchWriterOptions,
  ) {
    const insertOne = db.prepare('INSERT INTO events (ts, type, source, wire) VALUES (?, ?, ?, ?)');
    const insertMany = db.prepare(`INSERT INTO events (ts, type, source, wire) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`);
    // Rows of one INSERT, in seq order (AUTOINCREMENT numbers a multi-row INSERT in VALUES order).
    const params: unknown[] = new Array(ROWS_PER_INSERT * COLUMNS);
    this.writeTx = db.transaction((batch: PendingEvent[]) => {
      let last = 0;
      let i = 0;
      for (; i + ROWS_PER_INSERT <= batch.length; i += ROWS_PER_INSERT) {
        for (let r = 0, k = 0; r < ROWS_PER_INSERT; r++) {
          const e = batch[i + r]!;
          params[k++] = e.tsMs;
          params[k++] = e.type;
          params[k++] = e.source;
          params[k++] = e.wire;
        }
        last = Number(insertMany.run(params).lastInsertRowid);
      }
      for (; i < batch.length; i++) {
        const e = batch[i]!;
        last = Number(insertOne.run(e.tsMs, e.type, e.source, e.wire).lastInsertRowid);
      }
      return last;
    });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queues an event and returns its UUIDv7 id; writes the batch once it is full. Never throws for a bad payload. */
  append(event: NewEvent): string {
    const { metrics, warnings } = this.options;
    const id = this.ids.next(event.tsMs);
    let payload: string;
    try {
      payload = JSON.stringify(event.data ?? {});
    } catch (err) {
      warnings.warn({ type: event.type, err: (err as Error).message }, 'event data is not serialisable; stored as {}');
      payload = '{}';
    }
    const wire = this.wire.encode(id, event.tsMs, event.type, event.source, payload);
    this.pending.push({ id, tsMs: event.tsMs, type: event.type, source: event.source, wire, data: event.data ?? {} });
    metrics.appended++;
    if (this.pending.length > this.options.maxPendingEvents) {
      const drop = this.pending.length - this.options.maxPendingEvents;
      this.pending.splice(0, drop);
      metrics.droppedPending += drop;
      warnings.warn({ dropped: drop }, 'store cannot write and its memory buffer is full: oldest pending events dropped');
    }
    if (this.pending.length >= this.options.flushMaxEvents) this.flush();
    return id;
  }

  /** Writes the pending batch in one transaction. Returns how many events were written. */
  flush(): number {
    if (this.pending.length === 0) return 0;
    const { metrics, warnings } = this.options;
    const batch = this.pending;
    let lastSeq: number;
    try {
      lastSeq = this.writeTx(batch);
    } catch (err) {
      metrics.writeErrors++;
      const code = sqliteCode(err);
      this.lastWriteError = code === 'SQLITE_FULL' ? 'disk full: events kept in memory until space frees' : `write failed: ${(err as Error).message}`;
      warnings.warn({ code, pending: batch.length }, this.lastWriteError);
      if (code === 'SQLITE_FULL') this.options.onDiskFull();
      return 0;
    }
    this.pending = [];
    // Counted only once written, so a failed or dropped batch never reaches the aggregates.
    this.options.onWritten(batch, lastSeq);
    metrics.written += batch.length;
    metrics.flushes++;
    this.lastWriteError = null;
    return batch.length;
  }
}

