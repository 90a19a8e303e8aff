// One MQTT session to the upstream broker: connects, reconnects with exponential
// backoff and jitter (a fresh mqtt.js client per attempt, so nothing is resent from
// memory: the outbox resends from the store), sets the `offline` last will, publishes
// the retained `online` status on every connect and refreshes it, and tells the
// publisher, commands and discovery when the link is up or down.
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import type { StageHealth } from '../../edge/shared/types.ts';
import type { DeviceTopics, StatusMessage } from '../contract/index.ts';
import { describeConnectionError, type ConnectionErrorKind } from './connection-errors.ts';
import { redactUrl } from './client-options.ts';

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Share of the delay added at random (0..1), so a fleet does not reconnect in lockstep. */
  jitter: number;
}

export interface MqttConnectionOptions {
  url: string;
  clientOptions: IClientOptions;
  topics: DeviceTopics;
  site: string;
  device: string;
  version: string;
  startedAtMs: number;
  healthOf: () => Record<string, StageHealth>;
  statusIntervalMs: number;
  reconnect: ReconnectPolicy;
  logger: Logger;
  random?: () => number;
  now?: () => number;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopped';

export interface ConnectionMetrics {
  connects: number;
  connectErrors: number;
  disconnects: number;
  authErrors: number;
  tlsErrors: number;
}

/** What the broker told us in CONNACK that the publisher must respect. */
export interface SessionInfo {
  protocolVersion: 4 | 5;
  /** MQTT 5 Maximum Packet Size the broker accepts, if it announced one. */
  maxPacketBytes: number | null;
}

export interface ConnectionListener {
  /** The link is up on `client` (a new object after every reconnect). */
  up?(client: MqttClient, session: SessionInfo): void;
  down?(): void;
  message?(topic: string, payload: Buffer, packet: IPublishPacket): void;
}

/** Delay before reconnect attempt number `failures` (0-based), with jitter. */
export function backoffDelayMs(policy: ReconnectPolicy, failures: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.min(failures, 60));
  return Math.round(base * (1 + policy.jitter * random()));
}

export class MqttConnection {
  readonly metrics: ConnectionMetrics = { connects: 0, connectErrors: 0, disconnects: 0, authErrors: 0, tlsErrors: 0 };
  state: ConnectionState = 'idle';
  lastError: string | null = null;
  lastErrorKind: ConnectionErrorKind | null = null;
  private client: MqttClient | null = null;
  private clientOptions: IClientOptions;
  private upClient: MqttClient | null = null;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly listeners: ConnectionListener[] = [];
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly where: string;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: MqttConnectionOptions) {
    this.log = options.logger.child({ module: 'mqtt' });
    this.warnings = new RateLimitedLog(this.log, 5, 60_000);
    this.where = redactUrl(options.url);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.clientOptions = options.clientOptions;
  }

  /** 4 or 5: what this session speaks (5 falls back to 4 on a broker that only speaks 3.1.1). */
  get protocolVersion(): 4 | 5 {
    return this.clientOptions.protocolVersion === 4 ? 4 : 5;
  }

  addListener(listener: ConnectionListener): void {
    this.listeners.push(listener);
  }

  /** The connected client, or null while the link is down. */
  get connected(): MqttClient | null {
    return this.upClient;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.attempt();
    this.statusTimer = setInterval(() => this.publishStatus(), this.options.statusIntervalMs);
    this.statusTimer.unref();
  }

  statusMessage(state: 'online' | 'offline', reason?: StatusMessage['reason']): StatusMessage {
    const nowMs = this.now();
    const o = this.options;
    const base: StatusMessage = { v: 1, site: o.site, device: o.device, state, ts: nowMs, version: o.version, startedAt: o.startedAtMs };
    if (state === 'online') {
      base.uptimeS = Math.round((nowMs - o.startedAtMs) / 1000);
      base.stages = o.healthOf();
    } else if (reason) base.reason = reason;
    return base;
  }

  /** Publishes the retained `online` status (version, uptime, stage health). */
  publishStatus(): void {
    const client = this.upClient;
    if (!client) return;
    const payload = JSON.stringify(this.statusMessage('online'));
    client.publish(this.options.topics.status, payload, { qos: 1, retain: true }, (err) => {
      if (err && client === this.upClient) this.warnings.warn({ err: err.message }, 'status publish failed');
    });
  }

  private attempt(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    const will = {
      topic: this.options.topics.status,
      payload: Buffer.from(JSON.stringify(this.statusMessage('offline', 'connection-lost'))),
      qos: 1 as const,
      retain: true,
    };
    const client = connect(this.options.url, { ...this.clientOptions, will });
    this.client = client;
    let wasUp = false;
    let closed = false;
    let errorSeen = false;
    client.on('connect', (connack) => {
      if (this.state === 'stopped') return;
      wasUp = true;
      this.failures = 0;
      this.state = 'connected';
      this.upClient = client;
      this.metrics.connects++;
      this.lastError = null;
      this.lastErrorKind = null;
      this.log.info({ url: this.where, clientId: this.clientOptions.clientId, protocolVersion: this.protocolVersion }, 'connected to MQTT broker');
      this.publishStatus();
      const session: SessionInfo = { protocolVersion: this.protocolVersion, maxPacketBytes: connack.properties?.maximumPacketSize ?? null };
      for (const l of this.listeners) l.up?.(client, session);
    });
    client.on('message', (topic, payload, packet) => {
      for (const l of this.listeners) l.message?.(topic, payload, packet);
    });
    client.on('disconnect', (packet) => {
      this.log.warn({ reasonCode: packet.reasonCode, reason: packet.properties?.reasonString }, 'broker sent DISCONNECT');
    });
    client.on('error', (err) => {
      errorSeen = true;
      const reasonCode = (err as Error & { code?: unknown }).code;
      if (!wasUp && this.protocolVersion === 5 && (reasonCode === 1 || reasonCode === 0x84)) {
        // A 3.1.1-only broker (aedes, older Mosquitto) answers a v5 CONNECT with return code 1.
        this.log.warn({ url: this.where }, 'broker does not speak MQTT 5; using MQTT 3.1.1 (a publish it refuses cannot be detected)');
        const { properties: _unused, ...rest } = this.clientOptions;
        this.clientOptions = { ...rest, protocolVersion: 4 };
        this.failures = 0;
        return;
      }
      const d = describeConnectionError(err, this.where, this.protocolVersion);
      this.lastError = d.message;
      this.lastErrorKind = d.kind;
      if (!wasUp) this.metrics.connectErrors++;
      if (d.kind === 'auth') this.metrics.authErrors++;
      if (d.kind === 'tls') this.metrics.tlsErrors++;
      this.warnings.warn({ kind: d.kind, url: this.where }, d.message);
    });
    client.on('close', () => {
      if (closed) return;
      closed = true;
      client.removeAllListeners('connect');
      client.removeAllListeners('message');
      client.end(true);
      if (this.client === client) this.client = null;
      if (wasUp) {
        this.upClient = null;
        this.metrics.disconnects++;
        if (this.state !== 'stopped') this.warnings.warn({ url: this.where }, 'lost the MQTT connection; reconnecting');
        for (const l of this.listeners) l.down?.();
      } else if (!errorSeen && this.state !== 'stopped') {
        this.metrics.connectErrors++;
        this.lastError = `broker ${this.where} closed the connection before accepting it`;
        this.lastErrorKind = 'other';
        this.warnings.warn({ url: this.where }, this.lastError);
      }
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.state === 'stopped' || this.retryTimer) return;
    const delayMs = backoffDelayMs(this.options.reconnect, this.failures, this.random);
    this.failures++;
    this.state = 'backoff';
    this.log.debug({ delayMs, failures: this.failures }, 'reconnecting after delay');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.attempt();
    }, delayMs);
    this.retryTimer.unref();
  }

  /** Publishes `offline` (graceful), waits briefly for in-flight acks and closes. Idempotent. */
  async stop(timeoutMs = 3_000): Promise<void> {
    if (this.state === 'stopped') return;
    const wasUp = this.upClient;
    this.state = 'stopped';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.retryTimer = null;
    this.statusTimer = null;
    const client = this.client;
    this.client = null;
    this.upClient = null;
    if (!client) return;
    if (wasUp) {
      const payload = JSON.stringify(this.statusMessage('offline', 'shutdown'));
      await withTimeout(
        new Promise<void>((resolve) => client.publish(this.options.topics.status, payload, { qos: 1, retain: true }, () => resolve())),
        timeoutMs,
      );
      await withTimeout(
        new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
        timeoutMs,
      );
    }
    client.end(true);
    for (const l of this.listeners) l.down?.();
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
