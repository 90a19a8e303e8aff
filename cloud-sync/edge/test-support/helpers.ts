// Shared pieces of the cloud-sync tests: a temp store filled with synthetic events,
// a contract-validating collector on a real broker, the sync config, and polling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { mqttSection, type MqttConfig } from '../../../edge/config/sections/mqtt.ts';
import { EventStore, synthesizeEvents } from '../../../edge/store/index.ts';
import { deviceTopics, parseMessage, type StatusMessage } from '../../contract/index.ts';
import { silentLogger } from '../../../edge/shared/log.ts';
import { MqttConnection } from '../mqtt-connection.ts';

export function tempDir(prefix = 'footfall-sync-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function storeWith(path: string, count: number, seed = 1): EventStore {
  const store = EventStore.open({ path, flushMaxEvents: 5_000 });
  for (const e of synthesizeEvents({ count, seed, spanMs: 3_600_000, startMs: Date.now() - 3_600_000 })) store.append(e);
  store.flush();
  return store;
}

export function mqttConfig(input: Record<string, unknown> = {}): MqttConfig {
  return mqttSection.parse(input);
}

/** A logger whose JSON lines are kept in `lines` (to assert what operators would read). */
export function capturingLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines, text: () => lines.join('\n') };
}

/** Subscribes to every events/status topic, validating each message against the contract. */
export class Collector {
  readonly counts = new Map<string, number>();
  readonly statuses: StatusMessage[] = [];
  readonly invalid: string[] = [];
  batches = 0;
  messages = 0;
  client: MqttClient | null = null;
  onId: ((id: string) => void) | null = null;

  static async start(url: string, options: IClientOptions = {}): Promise<Collector> {
    const c = new Collector();
    const client = connect(url, { reconnectPeriod: 200, ...options });
    c.client = client;
    client.on('message', (topic, payload) => c.onMessage(topic, payload));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync({ 'footfall/v1/+/+/events': { qos: 1 }, 'footfall/v1/+/+/status': { qos: 1 } });
    return c;
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.messages++;
    if (topic.endsWith('/status')) {
      const m = parseMessage('status', payload);
      if (m.ok) this.statuses.push(m.value);
      else this.invalid.push(m.error);
      return;
    }
    const m = parseMessage('events', payload);
    if (!m.ok) {
      this.invalid.push(m.error);
      return;
    }
    this.batches++;
    for (const e of m.value.events) {
      this.counts.set(e.id, (this.counts.get(e.id) ?? 0) + 1);
      this.onId?.(e.id);
    }
  }

  get unique(): number {
    return this.counts.size;
  }

  get duplicates(): number {
    let d = 0;
    for (const n of this.counts.values()) d += n - 1;
    return d;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function allIds(store: EventStore): Set<string> {
  const ids = new Set<string>();
  for (const e of store.eventsBetween(0, Number.MAX_SAFE_INTEGER, undefined, 10_000_000)) ids.add(e.id);
  return ids;
}

/** An agent's MQTT session for tests: MQTT 5, clean start, no automatic reconnect by mqtt.js, fast backoff, silent. */
export function testConnection(url: string, site: string, device: string, clientId: string): MqttConnection {
  return new MqttConnection({
    url,
    clientOptions: { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0, resubscribe: false, connectTimeout: 2_000 },
    topics: deviceTopics(site, device),
    site,
    device,
    version: 'test',
    startedAtMs: Date.now(),
    healthOf: () => ({}),
    statusIntervalMs: 60_000,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 },
    logger: silentLogger(),
  });
}
