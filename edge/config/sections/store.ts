// Config of the event store (edge/store).
import { z } from 'zod';
import { bool, intBetween, numberBetween, oneOf } from '../fields.ts';

export const storeSection = z
  .object({
    /** SQLite file; relative paths are under dataDir. */
    path: z.string().min(1).default('footfall.db').describe('SQLite file; relative paths are under dataDir.'),
    /** SQLite synchronous mode: NORMAL (default, safe with WAL: a power cut may lose the last commits, never corrupt), FULL or EXTRA for more durability at some speed, OFF for tests. */
    synchronous: oneOf(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL').describe('SQLite synchronous mode: NORMAL (default, safe with WAL: a power cut may lose the last commits, never corrupt), FULL or EXTRA for more durability at some speed, OFF for tests.'),
    /** Buffered events are written at least this often. */
    flushIntervalMs: intBetween(10, 60_000).default(250).describe('Buffered events are written at least this often.'),
    /** ...or as soon as this many are buffered. */
    flushMaxEvents: intBetween(1, 100_000).default(2_000).describe('...or as soon as this many are buffered.'),
    /** Hard cap on the database size (MB) enforced by SQLite; writes past it behave as on a full disk. */
    hardLimitMb: numberBetween(1, 1_000_000).optional().describe('Hard cap on the database size (MB) enforced by SQLite; writes past it behave as on a full disk.'),
    /** How long events are kept and how large the database may grow. */
    retention: z
      .object({
        /** Events older than this many days are deleted (0.01-3650, default 90); unsent ones only when deleteUnsent is true. Age is measured on the agent monotonic clock, so a forward clock step deletes nothing early. */
        days: numberBetween(0.01, 3650).default(90).describe('Events older than this many days are deleted (0.01-3650, default 90); unsent ones only when deleteUnsent is true. Age is measured on the agent monotonic clock, so a forward clock step deletes nothing early.'),
        /** Above this size (MB) the oldest events already sent upstream are deleted first (default 4096). */
        maxSizeMb: numberBetween(1, 1_000_000).default(4_096).describe('Above this size (MB) the oldest events already sent upstream are deleted first (default 4096).'),
        /** How often retention runs. */
        intervalMs: intBetween(1_000, 86_400_000).default(600_000).describe('How often retention runs.'),
        /** Whether unsent events (never published upstream) may be deleted, by age or when the size cap demands it; false keeps every unsent event until it is sent (default true). */
        deleteUnsent: bool().default(true).describe('Whether unsent events (never published upstream) may be deleted, by age or when the size cap demands it; false keeps every unsent event until it is sent (default true).'),
      })
      .strict()
      .prefault({}).describe('How long events are kept and how large the database may grow.'),
  })
  .strict();
