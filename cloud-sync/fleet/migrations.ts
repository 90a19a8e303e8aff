// Versioned PostgreSQL schema of fleet ingestion, applied in order by `migrate()` under
// an advisory lock (several workers may start at once) and recorded in
// footfall_schema_migrations. Never edit a released migration: add one.
import type pg from 'pg';

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Idempotency and partitioning: `events` is range-partitioned by day on `ts`, and
 * PostgreSQL requires a partitioned table's primary key to contain the partition key,
 * so the key is (id, ts). That is still exactly-once per event because `ts` is not
 * assigned here: it is the event's own time, carried unchanged with the id in every
 * resend of the batch (the edge store keeps both in one row, and the UUIDv7 id is even
 * generated from it). A redelivery therefore always conflicts on (id, ts) and
 * `ON CONFLICT DO NOTHING` drops it. Partitioning by the id's UUIDv7 time instead
 * would give a key on id alone but no partition pruning for dashboard queries, which
 * filter on ts; and a separate un-partitioned dedupe table would double every write
 * and never shrink with retention. Retention is `DROP TABLE events_pYYYYMMDD`.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'events (daily partitions), per-minute counts (monthly partitions), devices, dead_letters, partition helper',
    sql: `
      CREATE TABLE events (
        id          uuid        NOT NULL,
        ts          timestamptz NOT NULL,
        site        text        NOT NULL,
        device      text        NOT NULL,
        type        text        NOT NULL,
        source      text        NOT NULL,
        data        jsonb       NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, ts)
      ) PARTITION BY RANGE (ts);
      -- Dashboard queries select one site's events of one type over a time range.
      CREATE INDEX events_site_type_ts ON events (site, type, ts);

      CREATE TABLE counts (
        site    text        NOT NULL,
        device  text        NOT NULL,
        minute  timestamptz NOT NULL,
        source  text        NOT NULL,
        subject text        NOT NULL,
        metric  text        NOT NULL,
        n       bigint      NOT NULL,
        sum     double precision NOT NULL,
        max     double precision,
        PRIMARY KEY (site, device, minute, source, subject, metric)
      ) PARTITION BY RANGE (minute);
      CREATE INDEX counts_site_metric_minute ON counts (site, metric, minute);

      CREATE TABLE devices (
        site               text        NOT NULL,
        device             text        NOT NULL,
        state              text        NOT NULL CHECK (state IN ('online', 'offline')),
        reason             text,
        version            text        NOT NULL,
        started_at         timestamptz NOT NULL,
        status_ts          timestamptz NOT NULL,
        status_received_at timestamptz NOT NULL,
        -- Newest online status of this process: a redelivered older one must not undo an offline.
        online_ts          timestamptz,
        uptime_s           double precision,
        stages             jsonb,
        last_seen          timestamptz NOT NULL,
        PRIMARY KEY (site, device)
      );
      CREATE INDEX devices_last_seen ON devices (last_seen);

      -- A message that failed validation, kept with its topic and reason. The digest of
      -- topic and payload makes a redelivered dead letter count, not duplicate.
      CREATE TABLE dead_letters (
        id               bigserial   PRIMARY KEY,
        digest           bytea       NOT NULL UNIQUE,
        topic            text        NOT NULL,
        reason           text        NOT NULL,
        payload          bytea       NOT NULL,
        payload_bytes    integer     NOT NULL,
        received_at      timestamptz NOT NULL DEFAULT now(),
        last_received_at timestamptz NOT NULL DEFAULT now(),
        deliveries       integer     NOT NULL DEFAULT 1,
        worker           text
      );
      CREATE INDEX dead_letters_received_at ON dead_letters (received_at);

      -- Creates one range partition if it is missing. The advisory lock serialises
      -- workers racing to create the same partition.
      CREATE FUNCTION footfall_ensure_partition(parent regclass, part_name text, lower timestamptz, upper timestamptz)
      RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('footfall_partition:' || part_name));
        IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relname = part_name AND n.nspname = current_schema()) THEN
          RETURN false;
        END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', part_name, parent, lower, upper);
        RETURN true;
      END $$;
    `,
  },
  {
    version: 2,
    description: 'dashboard queries: visitors per site and hour, in/out per line, zone dwell histogram, zone transitions, offline devices',
    sql: `
      -- Entries (line crossings "in") per site and hour, from the per-minute counts.
      CREATE VIEW visitors_hourly AS
        SELECT site, date_trunc('hour', minute) AS hour, sum(sum)::bigint AS visitors
        FROM counts WHERE metric = 'in'
        GROUP BY site, date_trunc('hour', minute);

      -- In and out per counting line (a line is named per camera, so per device and source) and hour.
      CREATE VIEW line_flows_hourly AS
        SELECT site, device, source, subject AS line, date_trunc('hour', minute) AS hour,
               coalesce(sum(sum) FILTER (WHERE metric = 'in'), 0)::bigint  AS entries,
               coalesce(sum(sum) FILTER (WHERE metric = 'out'), 0)::bigint AS exits
        FROM counts WHERE metric IN ('in', 'out')
        GROUP BY site, device, source, subject, date_trunc('hour', minute);

      -- Dwell distribution of zone visits: visits per zone in fixed dwell buckets (upper bound exclusive).
      CREATE FUNCTION zone_dwell_histogram(p_site text, p_from timestamptz, p_to timestamptz)
      RETURNS TABLE (zone text, bucket int, lower_ms bigint, upper_ms bigint, visits bigint)
      LANGUAGE sql STABLE AS $$
        WITH bounds(bucket, lower_ms, upper_ms) AS (
          VALUES (0, 0::bigint, 30000::bigint), (1, 30000, 60000), (2, 60000, 120000), (3, 120000, 300000),
                 (4, 300000, 600000), (5, 600000, 1800000), (6, 1800000, 3600000), (7, 3600000, NULL)
        ), visits AS (
          SELECT e.data->>'zone' AS zone, (e.data->>'dwellMs')::double precision AS dwell_ms
          FROM events e
          WHERE e.site = p_site AND e.type = 'zone.visit' AND e.ts >= p_from AND e.ts < p_to
            AND jsonb_typeof(e.data->'dwellMs') = 'number' AND e.data ? 'zone'
        )
        SELECT v.zone, b.bucket, b.lower_ms, b.upper_ms, count(*)::bigint
        FROM visits v JOIN bounds b ON v.dwell_ms >= b.lower_ms AND (b.upper_ms IS NULL OR v.dwell_ms < b.upper_ms)
        GROUP BY v.zone, b.bucket, b.lower_ms, b.upper_ms
        ORDER BY v.zone, b.bucket
      $$;

      -- A->B transition matrix: consecutive zones of every recorded path across all devices of a site.
      CREATE FUNCTION zone_transitions(p_site text, p_from timestamptz, p_to timestamptz)
      RETURNS TABLE (from_zone text, to_zone text, transitions bigint)
      LANGUAGE sql STABLE AS $$
        SELECT a.zone, b.zone, count(*)::bigint
        FROM events e
        CROSS JOIN LATERAL jsonb_array_elements_text(e.data->'zones') WITH ORDINALITY AS a(zone, i)
        JOIN LATERAL jsonb_array_elements_text(e.data->'zones') WITH ORDINALITY AS b(zone, j) ON b.j = a.i + 1
        WHERE e.site = p_site AND e.type = 'path' AND e.ts >= p_from AND e.ts < p_to
          AND jsonb_typeof(e.data->'zones') = 'array'
        GROUP BY a.zone, b.zone
        ORDER BY count(*) DESC, a.zone, b.zone
      $$;

      -- Devices not heard from for more than p_minutes (no status or counts message),
      -- or whose last status is offline (last will or shutdown) since more than p_minutes.
      CREATE FUNCTION offline_devices(p_minutes double precision, p_now timestamptz DEFAULT now())
      RETURNS TABLE (site text, device text, state text, reason text, last_seen timestamptz, offline_for interval)
      LANGUAGE sql STABLE AS $$
        SELECT d.site, d.device, d.state, d.reason, d.last_seen,
               p_now - CASE WHEN d.state = 'offline' THEN least(d.status_received_at, d.last_seen) ELSE d.last_seen END
        FROM devices d
        WHERE (d.state = 'offline' AND d.status_received_at < p_now - make_interval(secs => p_minutes * 60))
           OR d.last_seen < p_now - make_interval(secs => p_minutes * 60)
        ORDER BY 6 DESC, d.site, d.device
      $$;
    `,
  },
  {
    version: 3,
    description: 'site views: entries and exits per hour, occupancy across the boxes of a site, zone visits per hour across boxes',
    sql: `
      -- Entries into and exits from each site per hour, over every box's entrance lines
      -- (counts rows subject 'site', metric 'site.in' / 'site.out').
      CREATE VIEW site_in_out_hourly AS
        SELECT site, date_trunc('hour', minute) AS hour,
               coalesce(sum(n) FILTER (WHERE metric = 'site.in'), 0)::bigint AS entries,
               coalesce(sum(n) FILTER (WHERE metric = 'site.out'), 0)::bigint AS exits
        FROM counts
        WHERE subject = 'site' AND metric IN ('site.in', 'site.out')
        GROUP BY site, date_trunc('hour', minute);

      -- People inside each site at p_now across all its boxes: entries minus exits of every
      -- box since the site's latest reset (closing time, a 'site.drift' row of any box in the
      -- two days before p_now; else the last 24 hours), never below zero. A person may come in
      -- through one box's door and leave through another's, so this is summed before the
      -- floor, unlike each box's own 'site.occupancy'.
      CREATE FUNCTION site_occupancy(p_now timestamptz DEFAULT now())
      RETURNS TABLE (site text, occupancy bigint, entries bigint, exits bigint, since timestamptz, as_of timestamptz)
      LANGUAGE sql STABLE AS $$
        WITH resets AS (
          SELECT c.site, max(c.minute) AS reset_at FROM counts c
          WHERE c.subject = 'site' AND c.metric = 'site.drift' AND c.minute > p_now - interval '2 days' AND c.minute <= p_now
          GROUP BY c.site
        ), flows AS (
          SELECT c.site, coalesce(r.reset_at, p_now - interval '1 day') AS since,
                 coalesce(sum(c.n) FILTER (WHERE c.metric = 'site.in'), 0)::bigint AS entries,
                 coalesce(sum(c.n) FILTER (WHERE c.metric = 'site.out'), 0)::bigint AS exits,
                 max(c.minute) AS as_of
          FROM counts c LEFT JOIN resets r ON r.site = c.site
          WHERE c.subject = 'site' AND c.metric IN ('site.in', 'site.out') AND c.minute <= p_now
            AND c.minute > coalesce(r.reset_at, p_now - interval '1 day')
          GROUP BY c.site, coalesce(r.reset_at, p_now - interval '1 day')
        )
        SELECT f.site, greatest(0, f.entries - f.exits)::bigint, f.entries, f.exits, f.since, f.as_of FROM flows f ORDER BY f.site
      $$;

      -- Zone visits per hour across every box and camera of a site, with the mean dwell.
      CREATE VIEW zone_visits_hourly AS
        SELECT site, subject AS zone, date_trunc('hour', minute) AS hour, sum(n)::bigint AS visits,
               (sum(sum) / nullif(sum(n), 0)) AS mean_dwell_ms
        FROM counts
        WHERE metric = 'visits'
        GROUP BY site, subject, date_trunc('hour', minute);
    `,
  },
  {
    version: 4,
    description: 'mall-wide paths: the latest site.paths event per site and hour, its transitions, sequences and floor zone visits',
    sql: `
      -- One site.paths event per site and hour (ts = the hour's start). A redelivery has the
      -- same id and is dropped on insert; a stitcher that publishes an hour again (after a
      -- restart, or another box took the role) gives it a new id: the latest received wins.
      CREATE VIEW site_paths_latest AS
        SELECT DISTINCT ON (site, date_trunc('hour', ts))
               site, date_trunc('hour', ts) AS hour, id, device, data, received_at
        FROM events
        WHERE type = 'site.paths'
        ORDER BY site, date_trunc('hour', ts), received_at DESC, id DESC;

      -- Transitions A>B per site and hour (cells below the stitcher's k were never published).
      CREATE VIEW site_transitions_hourly AS
        SELECT p.site, p.hour, split_part(c.key, '>', 1) AS from_zone, split_part(c.key, '>', 2) AS to_zone,
               (c.value #>> '{}')::numeric::bigint AS n
        FROM site_paths_latest p
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.data->'transitions') = 'object' THEN p.data->'transitions' ELSE '{}'::jsonb END) AS c
        WHERE jsonb_typeof(c.value) = 'number' AND c.key ~ '^[^>]+>[^>]+$';

      -- Sequences A>B>C per site and hour, as the key "A>B>C" and as its three zones.
      CREATE VIEW site_sequences_hourly AS
        SELECT p.site, p.hour, c.key AS sequence,
               split_part(c.key, '>', 1) AS first_zone, split_part(c.key, '>', 2) AS second_zone, split_part(c.key, '>', 3) AS third_zone,
               (c.value #>> '{}')::numeric::bigint AS n
        FROM site_paths_latest p
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.data->'sequences') = 'object' THEN p.data->'sequences' ELSE '{}'::jsonb END) AS c
        WHERE jsonb_typeof(c.value) = 'number' AND c.key ~ '^[^>]+>[^>]+>[^>]+$';

      -- Zone visits on the site's floor plan per site and hour (people followed across cameras;
      -- unlike zone_visits_hourly, a visit seen by two overlapping cameras counts once).
      CREATE VIEW site_floor_visits_hourly AS
        SELECT p.site, p.hour, c.key AS zone, (c.value #>> '{}')::numeric::bigint AS visits
        FROM site_paths_latest p
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.data->'visits') = 'object' THEN p.data->'visits' ELSE '{}'::jsonb END) AS c
        WHERE jsonb_typeof(c.value) = 'number';
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

const MIGRATION_LOCK = 0x666f6f74; // "foot"

/** Applies the missing migrations in order, each in its own transaction; returns the versions applied. */
export async function migrate(client: pg.ClientBase): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS footfall_schema_migrations (
      version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM footfall_schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new Error(`database schema version ${current} is newer than this footfall (${PG_SCHEMA_VERSION}); upgrade footfall`);
    }
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO footfall_schema_migrations (version, description) VALUES ($1, $2)', [m.version, m.description]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
  return applied;
}
