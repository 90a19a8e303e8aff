// The one config schema: every field, its default and what is allowed. Each stage's
// section lives in sections/; this file only composes them. `footfall config-schema`
// emits it as JSON Schema (docs/config.schema.json) for editors.
import { hostname } from 'node:os';
import { z } from 'zod';
import { isKnownTimeZone } from '../shared/local-time.ts';
import { identifier, oneOf } from './fields.ts';
import { analyticsSection } from './sections/analytics.ts';
import { camerasSection } from './sections/cameras.ts';
import { detectorSection } from './sections/detector.ts';
import { mqttSection } from './sections/mqtt.ts';
import { floorPlanSection, sitePathsSection } from './sections/site-paths.ts';
import { statusSection } from './sections/status.ts';
import { storeSection } from './sections/store.ts';
import { trackerSection } from './sections/tracker.ts';
import { wifiSection } from './sections/wifi.ts';

function defaultDeviceName(): string {
  const cleaned = hostname().replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'footfall-box').slice(0, 64);
}

export const configSchema = z
  .object({
    /** The mall or site this box belongs to (MQTT topic level). */
    site: identifier().default('default-site').describe('The mall or site this box belongs to (MQTT topic level).'),
    /** This box's name (MQTT topic level); defaults to the host name. */
    device: identifier().optional().describe("This box's name (MQTT topic level); defaults to the host name."),
    /**
     * The site's IANA time zone (e.g. "Europe/Berlin"): where local days, hours and closing
     * time are cut (daily report, today vs yesterday, forecasts, heatmap hours, rules with
     * hours), daylight saving included. Default: the box's own zone.
     */
    timeZone: z
      .string({ error: 'must be an IANA time zone name such as "Europe/Berlin"' })
      .refine(isKnownTimeZone, { error: 'must be an IANA time zone name such as "Europe/Berlin"' })
      .optional().describe("The site's IANA time zone (e.g. \"Europe/Berlin\"): where local days, hours and closing time are cut (daily report, today vs yesterday, forecasts, heatmap hours, rules with hours), daylight saving included. Default: the box's own zone."),
    /** Where the database, keys and snapshots live. */
    dataDir: z.string().min(1).default('./data').describe('Where the database, keys and snapshots live.'),
    /** Logging (pino, on stderr: one readable line per entry on a terminal, JSON lines otherwise or with --log-format json). */
    log: z
      .object({
        /** Least severe level written: trace, debug, info (default), warn, error, fatal or silent. */
        level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Least severe level written: trace, debug, info (default), warn, error, fatal or silent.'),
      })
      .strict()
      .prefault({}).describe('Logging (pino, on stderr: one readable line per entry on a terminal, JSON lines otherwise or with --log-format json).'),
    /** Graceful shutdown budget; stages still running after it are abandoned. */
    shutdownTimeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('Graceful shutdown budget; stages still running after it are abandoned.'),
    /** The event store (SQLite, edge/store): file, write batching and retention. */
    store: storeSection.prefault({}).describe('The event store (SQLite, edge/store): file, write batching and retention.'),
    /** Cameras; when none is configured, `footfall run` uses the demo video. */
    cameras: camerasSection.describe('Cameras; when none is configured, `footfall run` uses the demo video.'),
    /** Use the demo video (looping) when no camera is configured. */
    demoCamera: z.boolean({ error: 'must be true or false' }).default(true).describe('Use the demo video (looping) when no camera is configured.'),
    /** The person detector (ONNX model, edge/detect): model, threads, thresholds. */
    detector: detectorSection.prefault({}).describe('The person detector (ONNX model, edge/detect): model, threads, thresholds.'),
    /** The multi-person tracker (edge/track); defaults chosen on the tuning half of scripts/accuracy/splits.json. */
    tracker: trackerSection.prefault({}).describe('The multi-person tracker (edge/track); defaults chosen on the tuning half of scripts/accuracy/splits.json.'),
    /** Analytics settings beyond per-camera geometry: queues, heatmaps, forecasts, rules. */
    analytics: analyticsSection.prefault({}).describe('Analytics settings beyond per-camera geometry: queues, heatmaps, forecasts, rules.'),
    /** The site's floor plan in metres (shop fronts, kiosks, entrances), shared by every box of the site. */
    floorPlan: floorPlanSection.prefault({}).describe("The site's floor plan in metres (shop fronts, kiosks, entrances), shared by every box of the site."),
    /** Mall-wide paths: hand-over between cameras and boxes, zone visits, transitions A>B and sequences A>B>C. */
    sitePaths: sitePathsSection.prefault({}).describe('Mall-wide paths: hand-over between cameras and boxes, zone visits, transitions A>B and sequences A>B>C.'),
    /** Wi-Fi probe capture and presence (edge/wifi): sensors, MAC hashing, visits. */
    wifi: wifiSection.prefault({}).describe('Wi-Fi probe capture and presence (edge/wifi): sensors, MAC hashing, visits.'),
    /** Upstream sync over MQTT (cloud-sync): broker, TLS, batching, counts, commands; unset url = the embedded broker. */
    mqtt: mqttSection.prefault({}).describe('Upstream sync over MQTT (cloud-sync): broker, TLS, batching, counts, commands; unset url = the embedded broker.'),
    /** The local status page (Fastify, edge/status): address, login, live view, daily report. */
    status: statusSection.prefault({}).describe('The local status page (Fastify, edge/status): address, login, live view, daily report.'),
  })
  .strict()
  // Resolved after validation so the schema (and docs/config.schema.json) is the same on every machine.
  .transform((c) => ({ ...c, device: c.device ?? defaultDeviceName() }));

export type FootfallConfig = z.output<typeof configSchema>;
export type FootfallConfigInput = z.input<typeof configSchema>;

/** JSON Schema of the config file (draft 2020-12), for docs/config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: 'https://footfall.local/config.schema.json', title: 'footfall configuration', ...schema };
}
