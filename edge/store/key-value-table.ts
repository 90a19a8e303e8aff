// The store's `kv` table: small named values other parts keep beside the events
// (the aggregates' watermark, the counts publisher's last minute, ...).
import type Database from 'better-sqlite3';

export class KeyValueTable {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?').pluck(true);
    this.setStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | null {
    const value = this.getStmt.get(key) as string | undefined;
    return value ?? null;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}
