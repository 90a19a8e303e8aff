// The slice of the event store the status page reads (a subset of EventStore's methods),
// so the page depends on a small contract instead of the store's internals.
import type { StoredEvent } from '../shared/types.ts';
import type { CountRow } from '../store/index.ts';

/** A per-minute aggregate row as the store returns it. */
export type StatusCountRow = CountRow;

export interface StatusStoreReader {
  countsBetween(fromMs: number, toMs: number, filter?: { source?: string; subject?: string; metric?: string }): StatusCountRow[];
  eventsBetween(fromMs: number, toMs: number, type?: string, limit?: number): StoredEvent[];
  readonly outbox: { unsentCount(): number; oldestUnsentTsMs(): number | null };
  sizeBytes(): number;
}
