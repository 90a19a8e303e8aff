// The store's database file: opens (creating if needed) and checks it, sets the
// connection's pragmas, brings its schema up to date (migrations.ts), and turns
// SQLite's failures into FootfallErrors an operator can act on.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FootfallError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { assertSchemaReadable, migrate } from './migrations.ts';

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface DatabaseFileOptions {
  path: string;
  readonly?: boolean;
  synchronous?: SynchronousMode;
  /** Hard size limit enforced by SQLite itself (writes past it fail as on a full disk). */
  hardLimitMb?: number;
}

/** SQLite's error code (`SQLITE_FULL`, ...) of a better-sqlite3 error, if any. */
export function sqliteCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Opens the store's file ready for use: checked, configured, migrated (read-write) or schema-checked (read-only). */
export function openDatabaseFile(options: DatabaseFileOptions, log: Logger): Database.Database {
  const readonly = options.readonly ?? false;
  const db = openCheckedFile(options.path, readonly, log);
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
      assertSchemaReadable(db, options.path);
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof FootfallError) throw err;
    if (sqliteCode(err) === 'SQLITE_FULL') throw new FootfallError('STORE_DISK_FULL', `disk full while opening ${options.path}`);
    throw new FootfallError('STORE_OPEN', `cannot prepare database ${options.path}: ${(err as Error).message}`);
  }
}

/** Bytes used by live pages (free pages are reused, so this is what a size cap compares). */
export function liveBytesOf(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Opens (creating if needed) the database file and turns SQLite's failures into clear errors. */
function openCheckedFile(path: string, readonly: boolean, log: Logger): Database.Database {
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
