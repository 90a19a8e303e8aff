// Config of the event store (edge/store).
import { z } from 'zod';
import { bool, intBetween, numberBetween, oneOf } from '../fields.ts';

export const storeSection = z
  .object({
    /** SQLite file; relative paths are under dataDir. */
    path: z.string().min(1).default('footfall.db'),
    synchronous: oneOf(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL'),
    /** Buffered events are written at least this often. */
    flushIntervalMs: intBetween(10, 60_000).default(250),
    /** ...or as soon as this many are buffered. */
    flushMaxEvents: intBetween(1, 100_000).default(2_000),
    /** Hard cap on the database size (MB) enforced by SQLite; writes past it behave as on a full disk. */
    hardLimitMb: numberBetween(1, 1_000_000).optional(),
    retention: z
      .object({
        days: numberBetween(0.01, 3650).default(90),
        maxSizeMb: numberBetween(1, 1_000_000).default(4_096),
        /** How often retention runs. */
        intervalMs: intBetween(1_000, 86_400_000).default(600_000),
        /** Whether unsent events may be deleted when the size cap demands it. */
        deleteUnsent: bool().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();
