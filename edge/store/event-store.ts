// The edge event store on SQLite (better-sqlite3): the single source of truth for
// every event. This stage composes the parts and runs their timers: the database file
// (database-file.ts), the batched event writes (event-batch-writer.ts), the per-minute
// aggregates (counts-writer.ts), retention (retention.ts), reads (event-queries.ts) and
// the outbox's position (outbox-state.ts, exposed as `store.outbox`).
import type Database from 'better-sqlite3';
import type { MonotonicClock } from '../shared/clock.ts';
import { FootfallError } from '../shared/errors.ts';
import { RateLimitedLog, silentLogger, type Logger } from '../shared/log.ts';
import type { EventSink, NewEvent, Stage, StageHealth, StoredEvent } from '../shared/types.ts';
import { CountsWriter, type CountRow } from './counts-writer.ts';
import { liveBytesOf, openDatabaseFile, type SynchronousMode } from './database-file.ts';
import { EventBatchWriter } from './event-batch-writer.ts';
import { EventQueries, type CountsFilter } from './event-queries.ts';
import { KeyValueTable } from './key-value-table.ts';
import { LATEST_SCHEMA_VERSION } from './migrations.ts';
import { OutboxReadAhead } from './outbox-read-ahead.ts';
import { OutboxState } from './outbox-state.ts';
import { Retention, type RetentionPolicy, type RetentionResult } from './retention.ts';

export interface EventStoreOptions {
  path: string;
  synchronous?: SynchronousMode;
  flushIntervalMs?: number;
  flushMaxEvents?: number;
  /** Events kept in memory while the disk refuses writes; past it the oldest pending are dropped (counted). */
  maxPendingEvents?: number;
  retention?: RetentionPolicy;
  /** How often per-minute aggregates are written (they are also written before any read of them). */
  countsIntervalMs?: number;
  /** Hard size limit enforced by SQLite itself (writes past it fail as on a full disk). */
  hardLimitMb?: number;
  logger?: Logger;
  readonly?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /** The agent's clock model: event time for aggregates, and retention that a forward step cannot drive. */
  clock?: MonotonicClock;
}

export interface StoreMetrics {
  appended: number;
  written: number;
  flushes: number;
  writeErrors: number;
  droppedPending: number;
  deletedSent: number;
  deletedUnsent: number;
}

export class EventStore implements EventSink, Stage {
  readonly name = 'store';
  readonly path: string;
  readonly metrics: StoreMetrics = {
    appended: 0,
    written: 0,
    flushes: 0,
    writeErrors: 0,
    droppedPending: 0,
    deletedSent: 0,
    deletedUnsent: 0,
  };
  /** The outbox's durable progress: reads of unsent events, the acknowledged position, held events. */
  readonly outbox: OutboxState;

  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly retentionNow: () => number;
  private readonly flushIntervalMs: number;
  private readonly retentionPolicy: RetentionPolicy | undefined;
  private readonly kv: KeyValueTable;
  private readonly counts: CountsWriter;
  private readonly writer: EventBatchWriter;
  private readonly retention: Retention;
  private readonly queries: EventQueries;
  private readonly readAhead: OutboxReadAhead | null;
  private flushTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(db: Database.Database, options: EventStoreOptions, log: Logger) {
    this.db = db;
    this.path = options.path;
    this.log = log;
    const warnings = new RateLimitedLog(log);
    const clock = options.clock;
    this.now = options.now ?? (clock ? () => clock.now() : Date.now);
    this.retentionNow = options.now ?? (clock ? () => clock.retentionNowMs() : Date.now);
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.retentionPolicy = options.retention;
    this.outbox = new OutboxState(db, this.now);
    // The publisher's batches are read ahead in a worker on its own read-only connection.
    this.readAhead = options.readonly ? null : new OutboxReadAhead(options.path, (...read) => this.outbox.readBatch(...read), log);
    this.outbox.useReadAhead(this.readAhead);
    this.kv = new KeyValueTable(db);
    this.queries = new EventQueries(db);
    this.counts = new CountsWriter(db, this.kv, options.countsIntervalMs ?? 2_000, this.now, log);
    this.retention = new Retention(db, this.outbox, this.metrics, log, warnings);
    this.writer = new EventBatchWriter(db, {
      flushMaxEvents: options.flushMaxEvents ?? 2_000,
      maxPendingEvents: options.maxPendingEvents ?? 200_000,
      metrics: this.metrics,
      warnings,
      onWritten: (batch, lastSeq) => this.counts.addWritten(batch, lastSeq),
      onDiskFull: () => this.retention.freeSpaceForWrites(),
    });
    if (!(options.readonly ?? false)) this.counts.recover();
  }

  /** Opens the store, running pending migrations. Throws FootfallError with a clear message. */
  static open(options: EventStoreOptions): EventStore {
    const log = (options.logger ?? silentLogger()).child({ module: 'store' });
    const db = openDatabaseFile(options, log);
    try {
      return new EventStore(db, options, log);
    } catch (err) {
      db.close();
      if (err instanceof FootfallError) throw err;
      throw new FootfallError('STORE_OPEN', `cannot prepare database ${options.path}: ${(err as Error).message}`);
    }
  }

  async start(): Promise<void> {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.flushTimer.unref();
    if (this.retentionPolicy) {
      this.retentionTimer = setInterval(() => this.runRetention(), this.retentionPolicy.intervalMs);
      this.retentionTimer.unref();
      this.runRetention();
    }
    this.log.info({ path: this.path, schemaVersion: LATEST_SCHEMA_VERSION }, 'event store open');
  }

  async stop(): Promise<void> {
    this.close();
  }

  health(): StageHealth {
    if (this.closed) return { status: 'stopped' };
    const lastWriteError = this.writer.lastWriteError;
    return {
      status: lastWriteError ? 'degraded' : 'ok',
      ...(lastWriteError ? { detail: lastWriteError } : {}),
      metrics: { ...this.metrics, pending: this.writer.pendingCount, unsent: this.outbox.unsentCount(), sizeBytes: this.sizeBytes() },
    };
  }

  /** Queues an event for the next batch and returns its UUIDv7 id. Never throws for a bad payload. */
  append(event: NewEvent): string {
    if (this.closed) throw new FootfallError('STORE_WRITE', 'event store is closed');
    return this.writer.append(event);
  }

  /** Writes the pending batch in one transaction. Returns how many events were written. */
  flush(): number {
    if (this.closed) return 0;
    return this.writer.flush();
  }

  eventCount(): number {
    return this.queries.eventCount();
  }

  /** Events in [fromMs, toMs), optionally of one type, oldest first. */
  eventsBetween(fromMs: number, toMs: number, type?: string, limit = 10_000): StoredEvent[] {
    return this.queries.eventsBetween(fromMs, toMs, type, limit);
  }

  eventById(id: string): StoredEvent | null {
    return this.queries.eventById(id);
  }

  /** Per-minute aggregate rows in [fromMs, toMs). */
  countsBetween(fromMs: number, toMs: number, filter: CountsFilter = {}): CountRow[] {
    if (this.counts.hasPending && !this.closed) this.counts.write();
    return this.queries.countsBetween(fromMs, toMs, filter);
  }

  getState(key: string): string | null {
    return this.kv.get(key);
  }

  setState(key: string, value: string): void {
    this.kv.set(key, value);
  }

  /** Bytes used by live pages (free pages are reused, so this is what the cap compares). */
  sizeBytes(): number {
    return liveBytesOf(this.db);
  }

  /**
   * Deletes events older than the retention period, then the oldest events while the
   * store is over its size cap: sent events first; unsent ones only when allowed, loudly.
   */
  runRetention(nowMs: number = this.retentionNow()): RetentionResult {
    if (!this.retentionPolicy || this.closed) return { deletedSent: 0, deletedUnsent: 0 };
    return this.retention.run(this.retentionPolicy, nowMs);
  }

  /** Flushes what is pending and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.flushTimer = null;
    this.retentionTimer = null;
    this.writer.flush();
    if (this.writer.pendingCount > 0) {
      this.log.error({ lost: this.writer.pendingCount }, 'store closing with events it could not write');
    }
    if (this.counts.hasPending) this.counts.write();
    this.readAhead?.close();
    this.outbox.useReadAhead(null);
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint is an optimisation; the WAL is replayed at the next open.
    }
    this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pendingCount(): number {
    return this.writer.pendingCount;
  }
}
