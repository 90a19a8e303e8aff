// Retention: deletes events older than the retention period (unsent ones only when allowed), then the oldest events
// while the store is over its size cap: sent events first; unsent ones only when
// allowed, loudly. On a full disk it also frees room for the pending batch.
import type Database from 'better-sqlite3';
import type { Logger, RateLimitedLog } from '../shared/log.ts';
import { liveBytesOf } from './database-file.ts';
import type { OutboxState } from './outbox-state.ts';

export interface RetentionPolicy {
  days: number;
  maxSizeMb: number;
  intervalMs: number;
  deleteUnsent: boolean;
}

export interface RetentionResult {
  deletedSent: number;
  deletedUnsent: number;
}

/** Events deleted per statement while over the size cap. */
const CAP_DELETE_CHUNK = 5_000;
/** Sent events deleted at once when the disk is full. */
const DISK_FULL_DELETE_CHUNK = 10_000;

export class Retention {
  private readonly deleteOlderStmt: Database.Statement;
  private readonly deleteCountsOlderStmt: Database.Statement;
  private readonly deleteOldestStmt: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly outbox: OutboxState,
    private readonly metrics: RetentionResult,
    private readonly log: Logger,
    private readonly warnings: RateLimitedLog,
  ) {
    this.deleteOlderStmt = db.prepare('DELETE FROM events WHERE ts < ?');
    this.deleteCountsOlderStmt = db.prepare('DELETE FROM counts WHERE minute < ?');
    this.deleteOldestStmt = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)');
  }

  /** One pass of the policy at nowMs. Never throws: a failure is logged and retried at the next pass. */
  run(policy: RetentionPolicy, nowMs: number): RetentionResult {
    const result = { deletedSent: 0, deletedUnsent: 0 };
    try {
      const cutoff = nowMs - policy.days * 86_400_000;
      result.deletedSent += this.outbox.deleteSentBefore(cutoff);
      // What is left before the cutoff is unsent: kept unless the config allows deleting it (#27).
      if (policy.deleteUnsent) result.deletedUnsent += this.deleteOlderStmt.run(cutoff).changes;
      this.deleteCountsOlderStmt.run(cutoff - 60_000);
      const capBytes = policy.maxSizeMb * 1024 * 1024;
      while (liveBytesOf(this.db) > capBytes) {
        const sent = this.outbox.deleteOldestSent(CAP_DELETE_CHUNK);
        result.deletedSent += sent;
        if (sent > 0) continue;
        if (!policy.deleteUnsent) break;
        const unsent = this.deleteOldestStmt.run(CAP_DELETE_CHUNK).changes;
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
  freeSpaceForWrites(): void {
    try {
      const n = this.outbox.deleteOldestSent(DISK_FULL_DELETE_CHUNK);
      this.metrics.deletedSent += n;
      if (n > 0) this.log.warn({ deleted: n }, 'disk full: deleted the oldest sent events to make room');
    } catch {
      // Still full; the next flush tries again.
    }
  }
}
