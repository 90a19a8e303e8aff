// An `events` row as SQLite returns it, and its conversion to the StoredEvent the rest
// of the agent reads (payload parsed, columns renamed to carry their units).
import type { StoredEvent } from '../shared/types.ts';

export interface StoredEventRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  source: string;
  payload: string;
  sent_at: number | null;
}

export function rowToEvent(r: StoredEventRow): StoredEvent {
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
