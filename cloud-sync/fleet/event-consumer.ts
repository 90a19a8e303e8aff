// The reference consumer of the v1 contract (what `footfall tail` runs, and the
// example for upstream developers): subscribes to events and status of every device
// (or one site/device, optionally as a shared-subscription group), validates each
// batch against the contract and de-duplicates events by id, so at-least-once
// delivery becomes exactly-once for its caller.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { parseMessage, parseTopic, subscriptionFilter, type StatusMessage, type WireEvent } from '../contract/index.ts';

/** Remembers the last `capacity` ids; an id seen again within them is a duplicate. */
export class EventDeduplicator {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 1_000_000) {}

  /** True the first time an id is offered. */
  add(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

export interface ConsumedEvent extends WireEvent {
  site: string;
  device: string;
}

export interface EventConsumerOptions {
  url: string;
  site?: string;
  device?: string;
  /** Join a shared subscription group ($share/GROUP/...) so several consumers split the load. */
  shareGroup?: string;
  /** Extra mqtt.js options (credentials, TLS, clientId, clean: false for a persistent session). */
  clientOptions?: IClientOptions;
  dedupCapacity?: number;
  onEvent: (event: ConsumedEvent) => void;
  onStatus?: (status: StatusMessage) => void;
  /** A message that is not valid v1 (it is skipped). */
  onInvalid?: (topic: string, error: string) => void;
  onError?: (error: Error) => void;
}

export interface ConsumerMetrics {
  batches: number;
  received: number;
  duplicates: number;
  invalid: number;
}

export class EventConsumer {
  readonly metrics: ConsumerMetrics = { batches: 0, received: 0, duplicates: 0, invalid: 0 };
  private readonly dedup: EventDeduplicator;
  private client: MqttClient | null = null;
  /** The events subscription filter (set by start). */
  eventsFilter = '';

  constructor(private readonly options: EventConsumerOptions) {
    this.dedup = new EventDeduplicator(options.dedupCapacity);
  }

  /** Connects and subscribes; resolves once the subscription is granted. */
  async start(): Promise<void> {
    const o = this.options;
    const filters = { ...(o.site ? { site: o.site } : {}), ...(o.device ? { device: o.device } : {}) };
    const events = subscriptionFilter('events', { ...filters, ...(o.shareGroup ? { shareGroup: o.shareGroup } : {}) });
    const status = subscriptionFilter('status', filters);
    this.eventsFilter = events;
    const client = connect(o.url, { reconnectPeriod: 1_000, ...o.clientOptions });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => o.onError?.(err));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.end(true);
        reject(err);
      };
      client.once('error', onError);
      client.once('connect', () => {
        client.off('error', onError);
        resolve();
      });
    });
    const granted = await client.subscribeAsync({ [events]: { qos: 1 }, ...(o.onStatus ? { [status]: { qos: 1 } } : {}) });
    const refused = granted.find((g) => g.qos >= 0x80);
    if (refused) throw new Error(`broker refused the subscription to ${refused.topic} (code ${refused.qos})`);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    if (parsed.kind === 'status') {
      const m = parseMessage('status', payload);
      if (m.ok) this.options.onStatus?.(m.value);
      else this.invalid(topic, m.error);
      return;
    }
    if (parsed.kind !== 'events') return;
    const m = parseMessage('events', payload);
    if (!m.ok) return this.invalid(topic, m.error);
    this.metrics.batches++;
    const { site, device, events } = m.value;
    for (const e of events) {
      if (!this.dedup.add(e.id)) {
        this.metrics.duplicates++;
        continue;
      }
      this.metrics.received++;
      this.options.onEvent({ site, device, ...e });
    }
  }

  private invalid(topic: string, error: string): void {
    this.metrics.invalid++;
    this.options.onInvalid?.(topic, error);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync();
  }
}
