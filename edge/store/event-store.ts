// The edge event store on SQLite (better-sqlite3): the single source of truth for
// every event. Producers append to an in-memory batch; the batch is written in one
// transaction (with its per-minute aggregates) every flushIntervalMs or flushMaxEvents.
// The outbox reads unsent events in `seq` order; its progress is a position
// (outbox-state.ts), so acknowledging a batch costs one single-row UPDATE.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FootfallError } from '../shared/errors.ts';
import { RateLimitedLog, silentLogger, type Logger } from '../shared/log.ts';
import type { EventSink, NewEvent, Stage, StageHealth, StoredEvent } from '../shared/types.ts';
import { countDeltasOf, minuteOf, type CountDelta } from './aggregates.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { OutboxState, SENT_AT_COLUMN, type HeldEvent, type OutboxBatchText } from './outbox-state.ts';
import { Uuid7Generator } from './uuid7.ts';

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface EventStoreOptions {
  path: string;
  synchronous?: SynchronousMode;
  flushIntervalMs?: number;
  flushMaxEvents?: number;
  /** Events kept in memory while the disk refuses writes; past it the oldest pending are dropped (counted). */
  maxPendingEvents?: number;
  retention?: { days: number; maxSizeMb: number; intervalMs: number; deleteUnsent: boolean };
  /** How often per-minute aggregates are written (they are also written before any read of them). */
  countsIntervalMs?: number;
  /** Hard size limit enforced by SQLite itself (writes past it fail as on a full disk). */
  hardLimitMb?: number;
  logger?: Logger;
  readonly?: boolean;
  /** Clock, for tests. */
  now?: () => number;
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

export interface CountRow {
  minute: number;
  source: string;
  subject: string;
  metric: string;
  n: number;
  sum: number;
  max: number | null;
}

interface PendingEvent {
  id: string;
  tsMs: number;
  type: string;
  source: string;
  payload: string;
  /** The producer's data, read once more when the batch is counted (appended events are not mutated). */
  data: Record<string, unknown>;
}

/** kv key: the last event seq folded into `counts` (aggregates are a view of events up to it). */
const COUNTS_WATERMARK_KEY = 'counts.seq';

export interface StoredEventRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  source: string;
  payload: string;
  sent_at: number | null;
}

/** sent_at is computed from the outbox position (the column itself is no longer written). */
const ROW_COLUMNS = `seq, id, ts, type, source, payload, ${SENT_AT_COLUMN}`;

function rowToEvent(r: StoredEventRow): StoredEvent {
  return {
    seq: r.seq,
    id: r.id,
    tsMs: r.ts,
    type: r.type,
    source: r.source,
    data: JSON.parse(r.payload) as Record<string, unknown>,
    sentAtMs: r.sent_at,
  };
}

function sqliteCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Opens (creating if needed) the database file and turns SQLite's failures into clear errors. */
function openDatabase(path: string, readonly: boolean, log: Logger): Database.Database {
  const dir = dirname(path);
  if (!readonly) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new FootfallError('STORE_OPEN', `cannot create data directory ${dir}: ${(err as Error).message}`);
    }
    try {
      accessSync(dir, constants.W_OK);
      if (existsSync(path)) accessSync(path, constants.W_OK);
    } catch {
      throw new FootfallError(
        'STORE_READONLY',
        `data directory or database is not writable: ${existsSync(path) ? path : dir} (check its owner and permissions, or set dataDir)`,
      );
    }
  } else if (!existsSync(path)) {
    throw new FootfallError('FILE_NOT_FOUND', `database file not found: ${path}`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new FootfallError('STORE_OPEN', `database path is a directory, not a file: ${path}`);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new FootfallError('STORE_OPEN', `cannot open database ${path}: ${(err as Error).message}`);
  }
  try {
    // Reading the schema fails at once on a file that is not a database.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new Error(check);
  } catch (err) {
    db.close();
    // SQLite lists every damaged page; the operator needs one line, the details go to the log.
    const problems = (err as Error).message.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('***'));
    log.debug({ path, problems }, 'database check failed');
    const more = problems.length > 1 ? `, and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} (details at log level debug)` : '';
    throw new FootfallError('STORE_CORRUPT', `database ${path} is corrupt or not a footfall database (${problems[0] ?? 'check failed'}${more}); move it aside to start a new one`);
  }
  return db;
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

  private readonly db: Database.Database;
  private readonly ids = new Uuid7Generator();
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private readonly flushIntervalMs: number;
  private readonly flushMaxEvents: number;
  private readonly maxPendingEvents: number;
  private readonly retention: EventStoreOptions['retention'];
  private pending: PendingEvent[] = [];
  /** Aggregates of the pending batch: minute -> source -> subject -> metric -> row (no string keys built per event). */
  private readonly countBuffer = new Map<number, Map<string, Map<string, Map<string, CountRow>>>>();
  private readonly countRows: CountRow[] = [];
  private readonly deltaScratch: CountDelta[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private lastWriteError: string | null = null;
  private closed = false;

  private readonly insertEvent: Database.Statement;
  private readonly upsertCount: Database.Statement;
  private readonly writeBatch: (batch: PendingEvent[]) => number;
  private readonly writeCountsTx: (rows: CountRow[], fromSeq: number, throughSeq: number) => boolean;
  /** The watermark countRows builds on, and the last event seq whose counts are in countRows. */
  private countsFromSeq = 0;
  private countsThroughSeq = 0;
  private lastCountsWriteMs = 0;
  private readonly countsIntervalMs: number;
  private readonly outbox: OutboxState;

  private constructor(db: Database.Database, options: EventStoreOptions) {
    this.db = db;
    this.path = options.path;
    this.log = (options.logger ?? silentLogger()).child({ module: 'store' });
    this.warnings = new RateLimitedLog(this.log);
    this.now = options.now ?? Date.now;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.flushMaxEvents = options.flushMaxEvents ?? 2_000;
    this.maxPendingEvents = options.maxPendingEvents ?? 200_000;
    this.retention = options.retention;
    this.outbox = new OutboxState(db);
    this.insertEvent = db.prepare('INSERT INTO events (id, ts, type, source, payload) VALUES (?, ?, ?, ?, ?)');
    this.upsertCount = db.prepare(
      `INSERT INTO counts (minute, source, subject, metric, n, sum, max) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, source, subject, metric) DO UPDATE SET
         n = n + excluded.n, sum = sum + excluded.sum,
         max = CASE WHEN max IS NULL OR excluded.max > max THEN excluded.max ELSE max END`,
    );
    const insert = this.insertEvent;
    const upsert = this.upsertCount;
    this.writeBatch = db.transaction((batch: PendingEvent[]) => {
      let last = 0;
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        last = Number(insert.run(e.id, e.tsMs, e.type, e.source, e.payload).lastInsertRowid);
      }
      return last;
    });
    // Aggregates are a materialised view of the events: upserted every countsIntervalMs
    // together with the watermark of the last event they include, so a batch of events
    // commits without the upserts (a quarter of the write cost) and a crash between the
    // two is repaired at the next open by folding the events past the watermark.
    const setState = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const getState = db.prepare('SELECT value FROM kv WHERE key = ?');
    // Compare-and-set on the watermark: if another process on the same file folded events
    // meanwhile, these rows may overlap its work, so nothing is written (see writeCounts).
    this.writeCountsTx = db.transaction((rows: CountRow[], fromSeq: number, throughSeq: number) => {
      const current = getState.get(COUNTS_WATERMARK_KEY) as { value: string } | undefined;
      if (current && Number(current.value) !== fromSeq) return false;
      for (let i = 0; i < rows.length; i++) {
        const c = rows[i]!;
        upsert.run(c.minute, c.source, c.subject, c.metric, c.n, c.sum, c.max);
      }
      setState.run(COUNTS_WATERMARK_KEY, String(throughSeq));
      return true;
    });
    this.countsIntervalMs = options.countsIntervalMs ?? 2_000;
    if (!(options.readonly ?? false)) this.recoverCounts();
  }

  /** Opens the store, running pending migrations. Throws FootfallError with a clear message. */
  static open(options: EventStoreOptions): EventStore {
    const readonly = options.readonly ?? false;
    const db = openDatabase(options.path, readonly, (options.logger ?? silentLogger()).child({ module: 'store' }));
    try {
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
        db.pragma('busy_timeout = 5000');
        migrate(db, options.path);
        if (options.hardLimitMb !== undefined) {
          const pageSize = db.pragma('page_size', { simple: true }) as number;
          db.pragma(`max_page_count = ${Math.max(16, Math.floor((options.hardLimitMb * 1024 * 1024) / pageSize))}`);
        }
      } else {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version === 0) throw new FootfallError('STORE_CORRUPT', `${options.path} is not a footfall database (no schema)`);
        if (version < LATEST_SCHEMA_VERSION) {
          throw new FootfallError(
            'STORE_OPEN',
            `${options.path} has schema version ${version}, older than this footfall (${LATEST_SCHEMA_VERSION}); open it read-write once (footfall run or sync) to migrate it`,
          );
        }
      }
      return new EventStore(db, options);
    } catch (err) {
      db.close();
      if (err instanceof FootfallError) throw err;
      if (sqliteCode(err) === 'SQLITE_FULL') throw new FootfallError('STORE_DISK_FULL', `disk full while opening ${options.path}`);
      throw new FootfallError('STORE_OPEN', `cannot prepare database ${options.path}: ${(err as Error).message}`);
    }
  }

  async start(): Promise<void> {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.flushTimer.unref();
    if (this.retention) {
      this.retentionTimer = setInterval(() => this.runRetention(), this.retention.intervalMs);
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
    return {
      status: this.lastWriteError ? 'degraded' : 'ok',
      ...(this.lastWriteError ? { detail: this.lastWriteError } : {}),
      metrics: { ...this.metrics, pending: this.pending.length, unsent: this.unsentCount(), sizeBytes: this.sizeBytes() },
    };
  }

  /** Queues an event for the next batch and returns its UUIDv7 id. Never throws for a bad payload. */
  append(event: NewEvent): string {
    if (this.closed) throw new FootfallError('STORE_WRITE', 'event store is closed');
    const id = this.ids.next(event.tsMs);
    let payload: string;
    try {
      payload = JSON.stringify(event.data ?? {});
    } catch (err) {
      this.warnings.warn({ type: event.type, err: (err as Error).message }, 'event data is not serialisable; stored as {}');
      payload = '{}';
    }
    this.pending.push({ id, tsMs: event.tsMs, type: event.type, source: event.source, payload, data: event.data ?? {} });
    this.metrics.appended++;
    if (this.pending.length > this.maxPendingEvents) {
      const drop = this.pending.length - this.maxPendingEvents;
      this.pending.splice(0, drop);
      this.metrics.droppedPending += drop;
      this.warnings.warn({ dropped: drop }, 'store cannot write and its memory buffer is full: oldest pending events dropped');
    }
    if (this.pending.length >= this.flushMaxEvents) this.flush();
    return id;
  }

  private accumulateCounts(event: Pick<NewEvent, 'tsMs' | 'type' | 'source' | 'data'>): void {
    const n = countDeltasOf(event, this.deltaScratch);
    if (n === 0) return;
    const minute = minuteOf(event.tsMs);
    let bySource = this.countBuffer.get(minute);
    if (!bySource) this.countBuffer.set(minute, (bySource = new Map()));
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
        this.countRows.push(created);
      }
    }
  }

  /** Writes the pending batch in one transaction. Returns how many events were written. */
  flush(): number {
    if (this.closed || this.pending.length === 0) return 0;
    const batch = this.pending;
    let lastSeq: number;
    try {
      lastSeq = this.writeBatch(batch);
    } catch (err) {
      this.metrics.writeErrors++;
      const code = sqliteCode(err);
      this.lastWriteError = code === 'SQLITE_FULL' ? 'disk full: events kept in memory until space frees' : `write failed: ${(err as Error).message}`;
      this.warnings.warn({ code, pending: batch.length }, this.lastWriteError);
      if (code === 'SQLITE_FULL') this.freeSpaceForWrites();
      return 0;
    }
    this.pending = [];
    // Counted only once written, so a failed or dropped batch never reaches the aggregates.
    for (let i = 0; i < batch.length; i++) this.accumulateCounts(batch[i]!);
    this.countsThroughSeq = lastSeq;
    this.metrics.written += batch.length;
    this.metrics.flushes++;
    this.lastWriteError = null;
    if (this.now() - this.lastCountsWriteMs >= this.countsIntervalMs || this.countRows.length >= 20_000) this.writeCounts();
    return batch.length;
  }

  /** Upserts the accumulated aggregates with their watermark. On failure they wait for the next try. */
  private writeCounts(): void {
    let written: boolean;
    try {
      written = this.writeCountsTx(this.countRows, this.countsFromSeq, this.countsThroughSeq);
    } catch (err) {
      this.warnings.warn({ code: sqliteCode(err) }, 'writing per-minute aggregates failed; retrying later');
      return;
    }
    this.countBuffer.clear();
    this.countRows.length = 0;
    this.lastCountsWriteMs = this.now();
    if (written) {
      this.countsFromSeq = this.countsThroughSeq;
      return;
    }
    // Another process moved the watermark: our events are committed, so fold from the store.
    this.log.warn('another process updated the aggregates of this database; re-folding from the stored events');
    this.recoverCounts();
  }

  /** Folds events written after the aggregates' watermark (a crash came between the two) into the counts. */
  private recoverCounts(): void {
    const mark = this.getState(COUNTS_WATERMARK_KEY);
    const maxSeq = (this.db.prepare('SELECT coalesce(max(seq), 0) AS m FROM events').get() as { m: number }).m;
    if (mark === null) {
      // A database from before the watermark counted every event as it was written.
      this.setState(COUNTS_WATERMARK_KEY, String(maxSeq));
      this.countsFromSeq = this.countsThroughSeq = maxSeq;
      return;
    }
    const from = Number(mark);
    this.countsFromSeq = this.countsThroughSeq = from;
    if (!(maxSeq > from)) return;
    let folded = 0;
    for (const row of this.db.prepare('SELECT seq, ts, type, source, payload FROM events WHERE seq > ? ORDER BY seq').iterate(from) as IterableIterator<
      Pick<StoredEventRow, 'seq' | 'ts' | 'type' | 'source' | 'payload'>
    >) {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(row.payload) as Record<string, unknown>;
      } catch {
        data = {};
      }
      this.accumulateCounts({ tsMs: row.ts, type: row.type, source: row.source, data });
      this.countsThroughSeq = row.seq;
      folded++;
    }
    this.writeCounts();
    this.log.info({ folded, fromSeq: from }, 'per-minute aggregates caught up with events written before a crash');
  }

  /** Events not yet acknowledged upstream (held, or past the outbox position), in order, after `afterSeq`. */
  readUnsent(afterSeq: number, limit: number): StoredEvent[] {
    return this.outbox.unsentRows<StoredEventRow>(afterSeq, limit).map(rowToEvent);
  }

  /** Raw unsent rows: payload left as JSON text. */
  readUnsentRaw(afterSeq: number, limit: number): StoredEventRow[] {
    return this.outbox.unsentRows<StoredEventRow>(afterSeq, limit);
  }

  /**
   * Unsent events after `afterSeq` as [seq, json] pairs, where json is the wire object
   * {"id","ts","type","source","data"} built by SQLite around the stored payload text.
   */
  readUnsentWireJson(afterSeq: number, limit: number): Array<[number, string]> {
    return this.outbox.unsentWireJson(afterSeq, limit);
  }

  /**
   * The outbox's hot path: one batch of events with afterSeq < seq < beforeSeq as
   * comma-joined wire JSON between prefix and suffix, as UTF-8 bytes, built in one SQLite statement (at most maxEvents, and at most
   * maxJsonBytes unless one event alone is larger). The caller bounds the range to keep
   * held events out.
   */
  readOutboxBatch(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix = '', suffix = ''): OutboxBatchText | null {
    return this.outbox.readBatch(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
  }

  /** The outbox position: every event with seq <= it, except held ones, is acknowledged. */
  outboxAckedSeq(): number {
    return this.outbox.ackedSeq();
  }

  /** Records that every event up to `toSeq` (except held ones) is acknowledged. Never moves back. */
  advanceOutbox(toSeq: number, nowMs: number = this.now()): boolean {
    return this.outbox.advance(toSeq, nowMs);
  }

  /** Holds an event back after a broker refusal: unsent, skipped by the normal flow until retryAtMs. */
  holdEvent(seq: number, reason: string, retryAtMs: number): void {
    this.outbox.hold(seq, reason, retryAtMs);
  }

  /** A held event was acknowledged on retry. */
  releaseHeldEvent(seq: number): boolean {
    return this.outbox.release(seq);
  }

  heldEvents(): HeldEvent[] {
    return this.outbox.held();
  }

  /**
   * Marks every unsent event with fromSeq <= seq <= toSeq as acknowledged (tools and
   * tests; the outbox uses advanceOutbox). Throws STORE_WRITE if an unacknowledged event
   * that is not held lies between the position and fromSeq.
   */
  markSentRange(fromSeq: number, toSeq: number, sentAtMs: number = this.now()): number {
    return this.outbox.markSentRange(fromSeq, toSeq, sentAtMs);
  }

  /**
   * Makes events from `sinceMs` on unsent again (an upstream `resync`): the position moves
   * back to before the first event, in seq order, with ts >= sinceMs.
   */
  markUnsentSince(sinceMs: number): number {
    return this.outbox.rewindToTime(sinceMs, this.now());
  }

  unsentCount(): number {
    return this.outbox.unsentCount();
  }

  oldestUnsentTsMs(): number | null {
    return this.outbox.oldestUnsentTsMs();
  }

  eventCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /** Events in [fromMs, toMs), optionally of one type, oldest first. */
  eventsBetween(fromMs: number, toMs: number, type?: string, limit = 10_000): StoredEvent[] {
    const rows = (
      type
        ? this.db
            .prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE type = ? AND ts >= ? AND ts < ? ORDER BY ts, seq LIMIT ?`)
            .all(type, fromMs, toMs, limit)
        : this.db.prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, seq LIMIT ?`).all(fromMs, toMs, limit)
    ) as StoredEventRow[];
    return rows.map(rowToEvent);
  }

  eventById(id: string): StoredEvent | null {
    const row = this.db.prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE id = ?`).get(id) as StoredEventRow | undefined;
    return row ? rowToEvent(row) : null;
  }

  /** Per-minute aggregate rows in [fromMs, toMs). */
  countsBetween(fromMs: number, toMs: number, filter: { source?: string; subject?: string; metric?: string } = {}): CountRow[] {
    if (this.countRows.length > 0 && !this.closed) this.writeCounts();
    const where = ['minute >= ?', 'minute < ?'];
    const args: unknown[] = [fromMs, toMs];
    for (const key of ['source', 'subject', 'metric'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    return this.db
      .prepare(`SELECT minute, source, subject, metric, n, sum, max FROM counts WHERE ${where.join(' AND ')} ORDER BY minute, source, subject, metric`)
      .all(...args) as CountRow[];
  }

  getState(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  setState(key: string, value: string): void {
    this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Bytes used by live pages (free pages are reused, so this is what the cap compares). */
  sizeBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Deletes events older than the retention period, then the oldest events while the
   * store is over its size cap: sent events first; unsent ones only when allowed, loudly.
   */
  runRetention(nowMs: number = this.now()): { deletedSent: number; deletedUnsent: number } {
    const result = { deletedSent: 0, deletedUnsent: 0 };
    if (!this.retention || this.closed) return result;
    try {
      const cutoff = nowMs - this.retention.days * 86_400_000;
      result.deletedSent += this.outbox.deleteSentBefore(cutoff);
      // What is left before the cutoff is unsent.
      const oldUnsent = this.db.prepare('DELETE FROM events WHERE ts < ?').run(cutoff).changes;
      result.deletedUnsent += oldUnsent;
      this.db.prepare('DELETE FROM counts WHERE minute < ?').run(cutoff - 60_000);
      const capBytes = this.retention.maxSizeMb * 1024 * 1024;
      const chunk = 5_000;
      while (this.sizeBytes() > capBytes) {
        const sent = this.outbox.deleteOldestSent(chunk);
        result.deletedSent += sent;
        if (sent > 0) continue;
        if (!this.retention.deleteUnsent) break;
        const unsent = this.db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)').run(chunk).changes;
        result.deletedUnsent += unsent;
        if (unsent === 0) break;
      }
      if (result.deletedUnsent > 0) this.outbox.forgetDeletedHeld();
    } catch (err) {
      this.warnings.warn({ err: (err as Error).message }, 'retention failed');
    }
    this.metrics.deletedSent += result.deletedSent;
    this.metrics.deletedUnsent += result.deletedUnsent;
    if (result.deletedUnsent > 0) {
      this.log.error({ deletedUnsent: result.deletedUnsent }, 'retention deleted events that were never sent upstream');
    }
    return result;
  }

  /** On a full disk: drop the oldest already-sent events so the pending batch can go in. */
  private freeSpaceForWrites(): void {
    try {
      const n = this.outbox.deleteOldestSent(10_000);
      this.metrics.deletedSent += n;
      if (n > 0) this.log.warn({ deleted: n }, 'disk full: deleted the oldest sent events to make room');
    } catch {
      // Still full; the next flush tries again.
    }
  }

  /** Flushes what is pending and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.flushTimer = null;
    this.retentionTimer = null;
    this.flush();
    if (this.pending.length > 0) {
      this.log.error({ lost: this.pending.length }, 'store closing with events it could not write');
    }
    if (this.countRows.length > 0) this.writeCounts();
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
    return this.pending.length;
  }
}

function migrate(db: Database.Database, path: string): void {
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
