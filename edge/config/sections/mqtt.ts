// Config of upstream sync over MQTT (cloud-sync): the broker connection (TLS,
// credentials, protocol), how the outbox batches and paces, the embedded broker used
// when no upstream is set, and optional Home Assistant discovery.
import { z } from 'zod';
import { bool, intBetween, nonEmptyString } from '../fields.ts';

export const mqttTlsSection = z
  .object({
    /** PEM file of the CA that signed the broker's certificate (else the system CAs). */
    ca: nonEmptyString('a path to a PEM file').optional(),
    /** PEM client certificate, for brokers that require one (with `key`). */
    cert: nonEmptyString('a path to a PEM file').optional(),
    /** PEM private key of the client certificate. */
    key: nonEmptyString('a path to a PEM file').optional(),
    /** Check the broker's certificate; turn off only for a lab broker. */
    rejectUnauthorized: bool().default(true),
    /** Server name for SNI and certificate checks, when it differs from the URL's host. */
    servername: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => Boolean(t.cert) === Boolean(t.key), { error: 'needs both "cert" and "key" for a client certificate' });

export const mqttSection = z
  .object({
    /** Upstream broker (mqtt://, mqtts://, ws://, wss://). Unset: the embedded broker is used. */
    url: z
      .string()
      .url({ error: 'must be a URL such as mqtt://host:1883' })
      .regex(/^(mqtts?|wss?|tcp|ssl|tls):\/\//i, { error: 'must be a URL with scheme mqtt, mqtts, ws or wss' })
      .optional(),
    username: z.string().optional(),
    /** Prefer ${ENV_VAR} here rather than the secret itself. */
    password: z.string().optional(),
    /** MQTT client id; defaults to footfall-{site}-{device}. Must be stable for persistent sessions. */
    clientId: z.string().min(1).max(128).optional(),
    /** 5 (MQTT 5, recommended: rejected publishes are reported) or 4 (MQTT 3.1.1). */
    protocolVersion: z.union([z.literal(4), z.literal(5)], { error: 'must be 4 (MQTT 3.1.1) or 5 (MQTT 5)' }).default(5),
    keepaliveS: intBetween(5, 3_600).default(30),
    /** Persistent session: the broker keeps our command subscription and queued commands across reconnects. */
    cleanSession: bool().default(false),
    /** MQTT 5 session expiry after a disconnect. */
    sessionExpiryS: intBetween(0, 4_294_967_295).default(604_800),
    tls: mqttTlsSection.prefault({}),
    batch: z
      .object({
        /** Events per message at most. */
        maxEvents: intBetween(1, 10_000).default(500),
        /** Payload bytes per message at most (a single larger event goes alone). */
        maxBytes: intBetween(1_024, 256 * 1024 * 1024).default(128 * 1024),
      })
      .strict()
      .prefault({}),
    /** Batches published but not yet acknowledged, at most. */
    maxInFlight: intBetween(1, 1_000).default(8),
    /** How often to look for new events when the outbox is empty. */
    pollIntervalMs: intBetween(10, 60_000).default(200),
    reconnect: z
      .object({
        initialDelayMs: intBetween(10, 600_000).default(500),
        maxDelayMs: intBetween(10, 3_600_000).default(30_000),
        /** Each failed attempt multiplies the delay; a random 0..jitter share is added. */
        multiplier: z.number({ error: 'must be a number between 1 and 10' }).min(1).max(10).default(2),
        jitter: z.number({ error: 'must be a number between 0 and 1' }).min(0).max(1).default(0.3),
      })
      .strict()
      .prefault({}),
    /** Give up a connection attempt after this long. */
    connectTimeoutMs: intBetween(100, 600_000).default(10_000),
    /** How often the retained `online` status is refreshed (uptime, stage health). */
    statusIntervalMs: intBetween(1_000, 3_600_000).default(60_000),
    /** Per-minute aggregates on .../counts once a minute has closed (plus this grace for late writes). */
    counts: z
      .object({
        enabled: bool().default(true),
        graceMs: intBetween(0, 600_000).default(10_000),
      })
      .strict()
      .prefault({}),
    /** Commands from upstream on .../cmd/{name}. */
    commands: z
      .object({
        enabled: bool().default(true),
      })
      .strict()
      .prefault({}),
    homeAssistant: z
      .object({
        /** Publish Home Assistant MQTT discovery so counts and occupancy appear as sensors. */
        enabled: bool().default(false),
        discoveryPrefix: z.string().min(1).default('homeassistant'),
      })
      .strict()
      .prefault({}),
    embedded: z
      .object({
        enabled: bool().default(true),
        host: z.string().default('127.0.0.1'),
        port: intBetween(1, 65_535).default(1883),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((m) => m.reconnect.maxDelayMs >= m.reconnect.initialDelayMs, {
    error: 'reconnect.maxDelayMs must be >= reconnect.initialDelayMs',
  });

export type MqttConfig = z.output<typeof mqttSection>;
