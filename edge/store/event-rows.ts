// An `events` row as SQLite returns it, and its conversion to the StoredEvent the rest
// of the agent reads (data parsed out of the wire JSON, columns renamed to carry their units).
import type { StoredEvent } from '../shared/types.ts';

export interface StoredEventRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  source: string;
  /** The event's wire JSON, {"id","ts","type","source","data"} (event-wire.ts). */
  wire: string;
  sent_at: number | null;
}

export function rowToEvent(r: StoredEventRow): StoredEvent {
  return {
    seq: r.seq,
    id: r.id,
    tsMs: r.ts,
    type: r.type,
    source: r.source,
    data: (JSON.parse(r.wire) as { data: Record<string, unknown> }).data,
    sentAtMs: r.sent_at,
  };
}
