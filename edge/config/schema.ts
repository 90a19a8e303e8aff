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
    site: identifier().default('default-site'),
    /** This box's name (MQTT topic level); defaults to the host name. */
    device: identifier().optional(),
    /**
     * The site's IANA time zone (e.g. "Europe/Berlin"): where local days, hours and closing
     * time are cut (daily report, today vs yesterday, forecasts, heatmap hours, rules with
     * hours), daylight saving included. Default: the box's own zone.
     */
    timeZone: z
      .string({ error: 'must be an IANA time zone name such as "Europe/Berlin"' })
      .refine(isKnownTimeZone, { error: 'must be an IANA time zone name such as "Europe/Berlin"' })
      .optional(),
    /** Where the database, keys and snapshots live. */
    dataDir: z.string().min(1).default('./data'),
    log: z
      .object({
        level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    /** Graceful shutdown budget; stages still running after it are abandoned. */
    shutdownTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    store: storeSection.prefault({}),
    /** Cameras; when none is configured, `footfall run` uses the demo video. */
    cameras: camerasSection,
    /** Use the demo video (looping) when no camera is configured. */
    demoCamera: z.boolean({ error: 'must be true or false' }).default(true),
    detector: detectorSection.prefault({}),
    tracker: trackerSection.prefault({}),
    /** Analytics settings beyond per-camera geometry: queues, heatmaps, forecasts, rules. */
    analytics: analyticsSection.prefault({}),
    wifi: wifiSection.prefault({}),
    mqtt: mqttSection.prefault({}),
    status: statusSection.prefault({}),
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
