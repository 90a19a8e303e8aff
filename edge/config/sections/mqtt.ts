// Config of upstream sync over MQTT (cloud-sync): the broker connection (TLS,
// credentials, protocol), how the outbox batches and paces, the embedded broker used
// when no upstream is set, and optional Home Assistant discovery.
import { z } from 'zod';
import { bool, intBetween, nonEmptyString } from '../fields.ts';

export const mqttTlsSection = z
  .object({
    /** PEM file of the CA that signed the broker's certificate (else the system CAs). */
    ca: nonEmptyString('a path to a PEM file').optional().describe("PEM file of the CA that signed the broker's certificate (else the system CAs)."),
    /** PEM client certificate, for brokers that require one (with `key`). */
    cert: nonEmptyString('a path to a PEM file').optional().describe('PEM client certificate, for brokers that require one (with `key`).'),
    /** PEM private key of the client certificate. */
    key: nonEmptyString('a path to a PEM file').optional().describe('PEM private key of the client certificate.'),
    /** Check the broker's certificate; turn off only for a lab broker. */
    rejectUnauthorized: bool().default(true).describe("Check the broker's certificate; turn off only for a lab broker."),
    /** Server name for SNI and certificate checks, when it differs from the URL's host. */
    servername: z.string().min(1).optional().describe("Server name for SNI and certificate checks, when it differs from the URL's host."),
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
      .optional().describe('Upstream broker (mqtt://, mqtts://, ws://, wss://). Unset: the embedded broker is used.'),
    /** Broker user name (with password). */
    username: z.string().optional().describe('Broker user name (with password).'),
    /** Prefer ${ENV_VAR} here rather than the secret itself. */
    password: z.string().optional().describe('Prefer ${ENV_VAR} here rather than the secret itself.'),
    /** MQTT client id; defaults to footfall-{site}-{device}. Must be stable for persistent sessions. */
    clientId: z.string().min(1).max(128).optional().describe('MQTT client id; defaults to footfall-{site}-{device}. Must be stable for persistent sessions.'),
    /** 5 (MQTT 5, recommended: rejected publishes are reported) or 4 (MQTT 3.1.1). */
    protocolVersion: z.union([z.literal(4), z.literal(5)], { error: 'must be 4 (MQTT 3.1.1) or 5 (MQTT 5)' }).default(5).describe('5 (MQTT 5, recommended: rejected publishes are reported) or 4 (MQTT 3.1.1).'),
    /** MQTT keepalive (seconds, 5-3600, default 30): how soon a dead connection is noticed. */
    keepaliveS: intBetween(5, 3_600).default(30).describe('MQTT keepalive (seconds, 5-3600, default 30): how soon a dead connection is noticed.'),
    /** Persistent session: the broker keeps our command subscription and queued commands across reconnects. */
    cleanSession: bool().default(false).describe('Persistent session: the broker keeps our command subscription and queued commands across reconnects.'),
    /** MQTT 5 session expiry after a disconnect. */
    sessionExpiryS: intBetween(0, 4_294_967_295).default(604_800).describe('MQTT 5 session expiry after a disconnect.'),
    /** TLS for mqtts:// and wss:// brokers: CA, client certificate, checks. */
    tls: mqttTlsSection.prefault({}).describe('TLS for mqtts:// and wss:// brokers: CA, client certificate, checks.'),
    /** How events are grouped into messages on .../events. */
    batch: z
      .object({
        /** Events per message at most. */
        maxEvents: intBetween(1, 10_000).default(500).describe('Events per message at most.'),
        /** Payload bytes per message at most (a single larger event goes alone). */
        maxBytes: intBetween(1_024, 256 * 1024 * 1024).default(128 * 1024).describe('Payload bytes per message at most (a single larger event goes alone).'),
      })
      .strict()
      .prefault({}).describe('How events are grouped into messages on .../events.'),
    /** Batches published but not yet acknowledged, at most. */
    maxInFlight: intBetween(1, 1_000).default(8).describe('Batches published but not yet acknowledged, at most.'),
    /** How often to look for new events when the outbox is empty. */
    pollIntervalMs: intBetween(10, 60_000).default(200).describe('How often to look for new events when the outbox is empty.'),
    /** Reconnecting after the broker is lost: exponential backoff with jitter. */
    reconnect: z
      .object({
        /** First reconnect delay (ms, default 500). */
        initialDelayMs: intBetween(10, 600_000).default(500).describe('First reconnect delay (ms, default 500).'),
        /** Longest reconnect delay (ms, default 30000; at least initialDelayMs). */
        maxDelayMs: intBetween(10, 3_600_000).default(30_000).describe('Longest reconnect delay (ms, default 30000; at least initialDelayMs).'),
        /** Each failed attempt multiplies the delay; a random 0..jitter share is added. */
        multiplier: z.number({ error: 'must be a number between 1 and 10' }).min(1).max(10).default(2).describe('Each failed attempt multiplies the delay; a random 0..jitter share is added.'),
        /** Random share 0..jitter added to each delay (0-1, default 0.3), so many boxes do not reconnect at once. */
        jitter: z.number({ error: 'must be a number between 0 and 1' }).min(0).max(1).default(0.3).describe('Random share 0..jitter added to each delay (0-1, default 0.3), so many boxes do not reconnect at once.'),
      })
      .strict()
      .prefault({}).describe('Reconnecting after the broker is lost: exponential backoff with jitter.'),
    /** Give up a connection attempt after this long. */
    connectTimeoutMs: intBetween(100, 600_000).default(10_000).describe('Give up a connection attempt after this long.'),
    /** How often the retained `online` status is refreshed (uptime, stage health). */
    statusIntervalMs: intBetween(1_000, 3_600_000).default(60_000).describe('How often the retained `online` status is refreshed (uptime, stage health).'),
    /** Per-minute aggregates on .../counts once a minute has closed (plus this grace for late writes). */
    counts: z
      .object({
        /** Publish per-minute counts on .../counts (default true). */
        enabled: bool().default(true).describe('Publish per-minute counts on .../counts (default true).'),
        /** Wait this long after a minute closes before publishing its counts, for late writes (ms, default 10000). */
        graceMs: intBetween(0, 600_000).default(10_000).describe('Wait this long after a minute closes before publishing its counts, for late writes (ms, default 10000).'),
      })
      .strict()
      .prefault({}).describe('Per-minute aggregates on .../counts once a minute has closed (plus this grace for late writes).'),
    /** Commands from upstream on .../cmd/{name}. */
    commands: z
      .object({
        /** Take commands (resync, reload-config, snapshot) from upstream (default true). */
        enabled: bool().default(true).describe('Take commands (resync, reload-config, snapshot) from upstream (default true).'),
      })
      .strict()
      .prefault({}).describe('Commands from upstream on .../cmd/{name}.'),
    homeAssistant: z
      .object({
        /** Publish Home Assistant MQTT discovery so counts and occupancy appear as sensors. */
        enabled: bool().default(false).describe('Publish Home Assistant MQTT discovery so counts and occupancy appear as sensors.'),
        /** Home Assistant discovery topic prefix (default "homeassistant"). */
        discoveryPrefix: z.string().min(1).default('homeassistant').describe('Home Assistant discovery topic prefix (default "homeassistant").'),
      })
      .strict()
      .prefault({})
      .describe('Home Assistant MQTT discovery (off by default).'),
    embedded: z
      .object({
        /** Start the embedded broker when no mqtt.url is set (default true). */
        enabled: bool().default(true).describe('Start the embedded broker when no mqtt.url is set (default true).'),
        /** Address the embedded broker listens on (default 127.0.0.1: this box only). */
        host: z.string().default('127.0.0.1').describe('Address the embedded broker listens on (default 127.0.0.1: this box only).'),
        /** TCP port of the embedded broker (default 1883). */
        port: intBetween(1, 65_535).default(1883).describe('TCP port of the embedded broker (default 1883).'),
      })
      .strict()
      .prefault({})
      .describe('The broker footfall starts itself when mqtt.url is unset (local dashboards, demos).'),
  })
  .strict()
  .refine((m) => m.reconnect.maxDelayMs >= m.reconnect.initialDelayMs, {
    error: 'reconnect.maxDelayMs must be >= reconnect.initialDelayMs',
  });

export type MqttConfig = z.output<typeof mqttSection>;
