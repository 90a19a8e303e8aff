// Reads of stored events and per-minute aggregates for the status page, reports and
// tools (the outbox reads through outbox-state.ts).
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../shared/types.ts';
import type { CountRow } from './counts-writer.ts';
import { rowToEvent, type StoredEventRow } from './event-rows.ts';
import { SENT_AT_COLUMN } from './outbox-state.ts';

/** sent_at is computed from the outbox position (the column itself is no longer written). */
const ROW_COLUMNS = `seq, id, ts, type, source, wire, ${SENT_AT_COLUMN}`;

export interface CountsFilter {
  source?: string;
  subject?: string;
  metric?: string;
}

export class EventQueries {
  private readonly countStmt: Database.Statement;
  private readonly byIdStmt: Database.Statement;
  private readonly betweenStmt: Database.Statement;
  private readonly betweenOfTypeStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.countStmt = db.prepare('SELECT count(*) FROM events').pluck(true);
    this.byIdStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE id = ?`);
    this.betweenStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, seq LIMIT ?`);
    this.betweenOfTypeStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM events WHERE type = ? AND ts >= ? AND ts < ? ORDER BY ts, seq LIMIT ?`);
  }

  eventCount(): number {
    return this.countStmt.get() as number;
  }

  /** Events in [fromMs, toMs), optionally of one type, oldest first. */
  eventsBetween(fromMs: number, toMs: number, type: string | undefined, limit: number): StoredEvent[] {
    const rows = (type ? this.betweenOfTypeStmt.all(type, fromMs, toMs, limit) : this.betweenStmt.all(fromMs, toMs, limit)) as StoredEventRow[];
    return rows.map(rowToEvent);
  }

  eventById(id: string): StoredEvent | null {
    const row = this.byIdStmt.get(id) as StoredEventRow | undefined;
    return row ? rowToEvent(row) : null;
  }

  /** Per-minute aggregate rows in [fromMs, toMs) (the caller writes buffered aggregates first). */
  countsBetween(fromMs: number, toMs: number, filter: CountsFilter): CountRow[] {
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
}
