// Payload schemas of the footfall MQTT contract v1 (zod), the single definition that
// the publisher, the reference consumer, fleet ingestion and docs/mqtt.md examples
// are checked against. `contractJsonSchemas()` emits them as JSON Schema.
import { z } from 'zod';
import { COMMAND_NAMES, TOPIC_LEVEL_PATTERN } from './topics.ts';
import { fragmentBatchSchema } from './fragments.ts';

/** RFC 9562 UUID version 7, lower-case: the event's idempotency key. */
export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const topicLevel = z.string().regex(TOPIC_LEVEL_PATTERN, { error: 'must be 1-64 characters of letters, digits, "-", "_" or "."' });
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export const wireEventSchema = z
  .object({
    /** UUIDv7 from the edge store; de-duplicate on it. */
    id: z.string().regex(EVENT_ID_PATTERN, { error: 'must be a lower-case UUIDv7' }),
    /** Event time, ms since the Unix epoch (UTC). */
    ts: epochMs,
    /** Dotted type name: line.cross, zone.visit, zone.occupancy, path, queue, wifi.visit, wifi.count, alert, ... */
    type: z.string().min(1).max(128),
    /** What produced it: a camera, a Wi-Fi sensor, `agent`. */
    source: z.string().min(1).max(128),
    /** Type-specific body (docs/events.md). */
    data: z.record(z.string(), z.unknown()),
  })
  .strict();

/** footfall/v1/{site}/{device}/events, QoS 1, not retained. */
export const eventBatchSchema = z
  .object({
    v: z.literal(1),
    site: topicLevel,
    device: topicLevel,
    /** In store order (oldest first); a batch may repeat events already delivered (at-least-once). */
    events: z.array(wireEventSchema).min(1),
  })
  .strict();

export const stageHealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'failed', 'stopped']),
    detail: z.string().optional(),
    metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
  })
  .strict();

/** footfall/v1/{site}/{device}/status, QoS 1, retained. `offline` is also the last will. */
export const statusMessageSchema = z
  .object({
    v: z.literal(1),
    site: topicLevel,
    device: topicLevel,
    state: z.enum(['online', 'offline']),
    /** When this message was built (for a last will: when the session began). */
    ts: epochMs,
    /** footfall version. */
    version: z.string().min(1),
    /** Agent process start time. */
    startedAt: epochMs,
    /** Seconds since start (online only). */
    uptimeS: z.number().min(0).optional(),
    /** Health of each stage (online only). */
    stages: z.record(z.string(), stageHealthSchema).optional(),
    /** Why it went offline: `shutdown` (graceful) or `connection-lost` (last will). */
    reason: z.enum(['shutdown', 'connection-lost']).optional(),
  })
  .strict();

export const countRowSchema = z
  .object({
    /** Camera or Wi-Fi sensor. */
    source: z.string().min(1),
    /** Line, zone, queue, `wifi` or alert rule. */
    subject: z.string().min(1),
    /** in, out, visits, occupancy, length, waitMs, visits.visitor, devices, alerts, ... */
    metric: z.string().min(1),
    /** Events that fed this row. */
    n: z.number().int().min(0),
    /** Sum of the row's value (1 per crossing, dwell ms per visit, occupancy, ...). */
    sum: z.number(),
    max: z.number().nullable(),
  })
  .strict();

/** footfall/v1/{site}/{device}/counts, QoS 1: one closed minute of aggregates. */
export const countsMessageSchema = z
  .object({
    v: z.literal(1),
    site: topicLevel,
    device: topicLevel,
    /** Start of the minute, ms since epoch (a multiple of 60,000). */
    minute: epochMs.refine((m) => m % 60_000 === 0, { error: 'must be the start of a minute (multiple of 60000)' }),
    counts: z.array(countRowSchema),
  })
  .strict();

/** A time as epoch ms or an ISO-8601 string with a zone. */
const timeArg = z.union([
  epochMs,
  z.iso.datetime({ offset: true, error: 'must be epoch ms or an ISO-8601 time with a zone' }),
]);

export const commandArgsSchemas = {
  /** Make events from `from` on unsent again, so they are published again. */
  resync: z.object({ from: timeArg }).strict(),
  /** Re-read the config file and apply what can change at run time. */
  'reload-config': z.object({}).strict(),
  /** Publish a JPEG of a camera to .../snapshot/{camera}. */
  snapshot: z.object({ camera: topicLevel.optional() }).strict(),
} as const satisfies Record<(typeof COMMAND_NAMES)[number], z.ZodType>;

/** footfall/v1/{site}/{device}/cmd/{name}, QoS 1, not retained (a retained command would re-run). */
export const commandMessageSchema = z
  .object({
    v: z.literal(1),
    /** Request id chosen by the sender, echoed in the result. */
    id: z.string().min(1).max(128),
    args: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** footfall/v1/{site}/{device}/cmd/{name}/result, QoS 1. */
export const commandResultSchema = z
  .object({
    v: z.literal(1),
    /** The request id, or null when the request could not be read. */
    id: z.string().nullable(),
    name: z.string(),
    ok: z.boolean(),
    ts: epochMs,
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  })
  .strict();

export type WireEvent = z.output<typeof wireEventSchema>;
export type EventBatch = z.output<typeof eventBatchSchema>;
export type StatusMessage = z.output<typeof statusMessageSchema>;
export type CountsMessage = z.output<typeof countsMessageSchema>;
export type CountRowMessage = z.output<typeof countRowSchema>;
export type CommandMessage = z.output<typeof commandMessageSchema>;
export type CommandResult = z.output<typeof commandResultSchema>;
export type ResyncArgs = z.output<(typeof commandArgsSchemas)['resync']>;
export type SnapshotArgs = z.output<(typeof commandArgsSchemas)['snapshot']>;

/** Every message schema, keyed by the topic kind it travels on. */
export const messageSchemas = {
  events: eventBatchSchema,
  status: statusMessageSchema,
  counts: countsMessageSchema,
  fragments: fragmentBatchSchema,
  command: commandMessageSchema,
  commandResult: commandResultSchema,
} as const;

export type MessageKind = keyof typeof messageSchemas;

/** JSON Schema (draft 2020-12) of each message, for upstream developers and docs. */
export function contractJsonSchemas(): Record<MessageKind, Record<string, unknown>> {
  const out = {} as Record<MessageKind, Record<string, unknown>>;
  for (const [kind, schema] of Object.entries(messageSchemas) as Array<[MessageKind, z.ZodType]>) {
    out[kind] = {
      $id: `https://footfall.local/mqtt/v1/${kind}.schema.json`,
      ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    };
  }
  return out;
}
