// Config of the local status page (edge/status): where it listens, how operators log in,
// and how much it may cost the pipeline (snapshot and live-push rates).
import { z } from 'zod';
import { bool, intBetween, nonEmptyString } from '../fields.ts';

const CLOSING_TIME_MSG = 'must be a local time "HH:MM" between 00:00 and 23:59';

/** The end-of-day report: built, stored as a `report.daily` event and published at closing time. */
export const statusReportSection = z
  .object({
    /** Make the daily report at closing time (default true). */
    enabled: bool().default(true).describe('Make the daily report at closing time (default true).'),
    /** Local closing time (in the site's timeZone); the report covers local midnight up to it. */
    closingTime: z.string({ error: CLOSING_TIME_MSG }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: CLOSING_TIME_MSG }).default('22:00').describe("Local closing time (in the site's timeZone); the report covers local midnight up to it."),
  })
  .strict();

export const statusSection = z
  .object({
    /** Serve the status page (default true). */
    enabled: bool().default(true).describe('Serve the status page (default true).'),
    /** Bind address; all interfaces by default so a laptop on the LAN can reach the box. */
    host: z.string().default('0.0.0.0').describe('Bind address; all interfaces by default so a laptop on the LAN can reach the box.'),
    /** TCP port of the status page (0-65535, default 8080; 0 = any free port). */
    port: intBetween(0, 65_535).default(8080).describe('TCP port of the status page (0-65535, default 8080; 0 = any free port).'),
    /** scrypt hash of the operator password (relative to dataDir); made on first start. */
    passwordHashFile: nonEmptyString('a file path').default('status-password.scrypt').describe('scrypt hash of the operator password (relative to dataDir); made on first start.'),
    /** Idle time after which a login session ends. */
    sessionTtlMinutes: intBetween(1, 10_080).default(480).describe('Idle time after which a login session ends.'),
    /** Send cookies only over HTTPS (set when a TLS proxy sits in front). */
    secureCookies: bool().default(false).describe('Send cookies only over HTTPS (set when a TLS proxy sits in front).'),
    /** Failed or not, login attempts allowed per client address per minute. */
    loginAttemptsPerMinute: intBetween(1, 1_000).default(5).describe('Failed or not, login attempts allowed per client address per minute.'),
    /** Largest request body accepted (bytes); geometry edits are a few KB. */
    bodyLimitBytes: intBetween(1_024, 1_048_576).default(65_536).describe('Largest request body accepted (bytes); geometry edits are a few KB.'),
    /** Live snapshots per camera at most this often, and only while someone is watching. */
    snapshotIntervalMs: intBetween(200, 60_000).default(1_000).describe('Live snapshots per camera at most this often, and only while someone is watching.'),
    /** Live overlay pushes (boxes, tracks, counts) per camera at most this often. */
    livePushIntervalMs: intBetween(100, 10_000).default(500).describe('Live overlay pushes (boxes, tracks, counts) per camera at most this often.'),
    /** Blur detected persons in snapshots before they leave the process. */
    blurPersons: bool().default(false).describe('Blur detected persons in snapshots before they leave the process.'),
    /** Points kept per track for the short trails drawn on the live view. */
    trailPoints: intBetween(0, 100).default(12).describe('Points kept per track for the short trails drawn on the live view.'),
    /** Deprecated: a fixed offset from UTC (no daylight saving). Set the top-level timeZone instead. */
    utcOffsetMinutes: intBetween(-840, 840).optional().describe('Deprecated: a fixed offset from UTC (no daylight saving). Set the top-level timeZone instead.'),
    /** Bearer token for Prometheus scrapers on /metrics (else /metrics needs a login). */
    metricsToken: z.string().min(16, { error: 'must be at least 16 characters' }).optional().describe('Bearer token for Prometheus scrapers on /metrics (else /metrics needs a login).'),
    /** The end-of-day report: made at closing time, stored, published and shown on the Daily report page. */
    report: statusReportSection.prefault({}).describe('The end-of-day report: made at closing time, stored, published and shown on the Daily report page.'),
  })
  .strict();

export type StatusConfig = z.output<typeof statusSection>;
