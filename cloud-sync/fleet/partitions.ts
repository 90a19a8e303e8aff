// Time partitions of `events` (one per UTC day) and `counts` (one per UTC month),
// created on demand before a batch is written, outside the batch's transaction (creating
// a partition locks the parent briefly; holding that through a write would stall the
// other workers). Known partitions are cached; retention drops whole partitions.
import type pg from 'pg';
import { DAY_MS } from '../../edge/shared/time-units.ts';

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface PartitionSpec {
  parent: 'events' | 'counts';
  name: string;
  lowerMs: number;
  upperMs: number;
}

/** The daily `events` partition holding tsMs (UTC). */
export function eventsPartitionOf(tsMs: number): PartitionSpec {
  const lowerMs = Math.floor(tsMs / DAY_MS) * DAY_MS;
  const d = new Date(lowerMs);
  return { parent: 'events', name: `events_p${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`, lowerMs, upperMs: lowerMs + DAY_MS };
}

/** The monthly `counts` partition holding minuteMs (UTC). */
export function countsPartitionOf(minuteMs: number): PartitionSpec {
  const d = new Date(minuteMs);
  const lowerMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const upperMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { parent: 'counts', name: `counts_p${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}`, lowerMs, upperMs };
}

export class PartitionKeeper {
  private readonly known = new Set<string>();
  /** Partitions this keeper created (for metrics and tests). */
  created = 0;

  /** Makes sure every partition in `specs` exists. */
  async ensure(pool: pg.Pool, specs: Iterable<PartitionSpec>): Promise<void> {
    for (const s of specs) {
      if (this.known.has(s.name)) continue;
      const { rows } = await pool.query<{ created: boolean }>('SELECT footfall_ensure_partition($1::regclass, $2, $3, $4) AS created', [
        s.parent,
        s.name,
        new Date(s.lowerMs).toISOString(),
        new Date(s.upperMs).toISOString(),
      ]);
      if (rows[0]?.created) this.created++;
      this.known.add(s.name);
    }
  }
}

/** Drops `events` day partitions that end before cutoffMs and `counts` month partitions that end before it. */
export async function dropPartitionsBefore(pool: pg.Pool, cutoffMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; parent: string }>(
    `SELECT c.relname AS name, p.relname AS parent FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname IN ('events', 'counts') ORDER BY c.relname`,
  );
  const dropped: string[] = [];
  for (const r of rows) {
    const m = /^(events|counts)_p(\d{4})(\d{2})(\d{2})?$/.exec(r.name);
    if (!m) continue;
    const y = Number(m[2]);
    const mo = Number(m[3]) - 1;
    const upperMs = m[4] ? Date.UTC(y, mo, Number(m[4])) + DAY_MS : Date.UTC(y, mo + 1, 1);
    if (upperMs <= cutoffMs) {
      await pool.query(`DROP TABLE "${r.name}"`);
      dropped.push(r.name);
    }
  }
  return dropped;
}
