// A fleet of virtual footfall boxes speaking MQTT contract v1, for load tests, the
// reliability tests and the docs: each device connects with an `offline` last will,
// publishes a retained `online` status, sends its events in QoS 1 batches with UUIDv7
// ids (kept until PUBACK and resent by mqtt.js after a reconnect), then per-minute
// counts, then a graceful `offline`. Optionally paced to a total event rate.
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopics, type CountsMessage, type EventBatch, type StatusMessage, type WireEvent } from '../contract/index.ts';
import { countDeltasOf, minuteOf, synthesizeEvents, Uuid7Generator } from '../../edge/store/index.ts';

export interface FleetSimOptions {
  url: string;
  devices: number;
  /** Events per device. */
  events: number;
  /** Total events/s across the fleet; 0 or undefined: as fast as the broker takes them. */
  rate?: number;
  batchSize?: number;
  /** Devices are spread over this many sites (mall-1, mall-2, ...). */
  sites?: number;
  /** Event times spread over the last spanMs (counts cover the same minutes). */
  spanMs?: number;
  /** Un-acknowledged batches per device. */
  maxInflight?: number;
  /** Publish per-minute counts after the events. */
  counts?: boolean;
  seed?: number;
  /** Called with every batch's event ids when it is first published (tests collect them). */
  onIds?: (ids: readonly string[]) => void;
  protocolVersion?: 4 | 5;
  reconnectPeriodMs?: number;
}

export interface FleetSimResult {
  devices: number;
  events: number;
  batches: number;
  countsMessages: number;
  /** Connection losses seen by the devices (each followed by a reconnect and resend). */
  reconnects: number;
  seconds: number;
}

const VERSION = 'fleet-sim';

export class FleetSimulator {
  private readonly clients: MqttClient[] = [];
  private stopped = false;
  private reconnects = 0;

  constructor(private readonly options: FleetSimOptions) {}

  async run(): Promise<FleetSimResult> {
    const o = this.options;
    const t0 = performance.now();
    const perDeviceRate = o.rate && o.rate > 0 ? o.rate / o.devices : 0;
    const results = await Promise.all(Array.from({ length: o.devices }, (_, i) => this.runDevice(i, perDeviceRate)));
    let batches = 0;
    let countsMessages = 0;
    for (const r of results) {
      batches += r.batches;
      countsMessages += r.counts;
    }
    return { devices: o.devices, events: o.devices * o.events, batches, countsMessages, reconnects: this.reconnects, seconds: (performance.now() - t0) / 1000 };
  }

  /** Ends every device's connection (un-acknowledged batches are lost with the process, as on a crash). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.clients.map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
  }

  private async runDevice(index: number, ratePerS: number): Promise<{ batches: number; counts: number }> {
    const o = this.options;
    const sites = Math.max(1, o.sites ?? 1);
    const site = `mall-${(index % sites) + 1}`;
    const device = `box-${String(index + 1).padStart(4, '0')}`;
    const topics = deviceTopics(site, device);
    const startedAt = Date.now();
    const status = (state: 'online' | 'offline', reason?: StatusMessage['reason']): string => {
      const m: StatusMessage = { v: 1, site, device, state, ts: Date.now(), version: VERSION, startedAt };
      if (state === 'online') m.uptimeS = (Date.now() - startedAt) / 1000;
      if (reason) m.reason = reason;
      return JSON.stringify(m);
    };
    const client = mqtt.connect(o.url, {
      protocolVersion: o.protocolVersion ?? 5,
      clientId: `fleet-sim-${site}-${device}`,
      clean: true,
      // Like the edge publisher's backoff (>= 1 s); see IngestWorker on broker restarts.
      reconnectPeriod: o.reconnectPeriodMs ?? 1_500,
      connectTimeout: 10_000,
      will: { topic: topics.status, payload: Buffer.from(status('offline', 'connection-lost')), qos: 1, retain: true },
    });
    this.clients.push(client);
    let wasUp = false;
    let ending = false;
    client.on('connect', () => {
      wasUp = true;
      client.publish(topics.status, status('online'), { qos: 1, retain: true });
    });
    client.on('close', () => {
      if (wasUp && !this.stopped && !ending) this.reconnects++;
      wasUp = false;
    });
    client.on('error', () => undefined); // reconnects on its own; errors show as reconnects

    const spanMs = o.spanMs ?? 3_600_000;
    const ids = new Uuid7Generator();
    const events: WireEvent[] = [];
    for (const e of synthesizeEvents({ count: o.events, seed: (o.seed ?? 1) * 100_003 + index, spanMs, startMs: Date.now() - spanMs })) {
      events.push({ id: ids.next(e.tsMs), ts: e.tsMs, type: e.type, source: e.source, data: e.data });
    }
    const batchSize = o.batchSize ?? 100;
    const maxInflight = o.maxInflight ?? 4;
    let inflight = 0;
    let batches = 0;
    let wake: (() => void) | null = null;
    const publish = (topic: string, payload: string): void => {
      inflight++;
      const send = (): void => {
        client.publish(topic, payload, { qos: 1 }, (err) => {
          // mqtt.js keeps a QoS 1 message until its PUBACK and resends it after a reconnect;
          // an error here means it gave up on it (e.g. the client ended), so send it again.
          if (err && !this.stopped) return void setTimeout(send, 200);
          inflight--;
          wake?.();
        });
      };
      send();
    };
    const waitForWindow = async (limit: number): Promise<void> => {
      while (inflight > limit && !this.stopped) await new Promise<void>((r) => (wake = r));
      wake = null;
    };
    const t0 = performance.now();
    for (let i = 0; i < events.length && !this.stopped; i += batchSize) {
      const slice = events.slice(i, i + batchSize);
      if (ratePerS > 0) {
        const dueMs = (i / ratePerS) * 1000;
        const aheadMs = dueMs - (performance.now() - t0);
        if (aheadMs > 1) await new Promise((r) => setTimeout(r, aheadMs));
      }
      await waitForWindow(maxInflight - 1);
      const batch: EventBatch = { v: 1, site, device, events: slice };
      o.onIds?.(slice.map((e) => e.id));
      publish(topics.events, JSON.stringify(batch));
      batches++;
    }
    let counts = 0;
    if (o.counts !== false && !this.stopped) {
      for (const m of countsOf(site, device, events)) {
        await waitForWindow(maxInflight - 1);
        publish(topics.counts, JSON.stringify(m));
        counts++;
      }
    }
    await waitForWindow(0);
    if (!this.stopped) {
      await new Promise<void>((resolve) => client.publish(topics.status, status('offline', 'shutdown'), { qos: 1, retain: true }, () => resolve()));
      ending = true;
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    }
    return { batches, counts };
  }
}

/** Per-minute aggregates of a device's events, as the edge store would publish them. */
export function countsOf(site: string, device: string, events: readonly WireEvent[]): CountsMessage[] {
  const byMinute = new Map<number, Map<string, { source: string; subject: string; metric: string; n: number; sum: number; max: number | null }>>();
  const deltas: Parameters<typeof countDeltasOf>[1] = [];
  for (const e of events) {
    const n = countDeltasOf({ tsMs: e.ts, type: e.type, source: e.source, data: e.data }, deltas);
    if (n === 0) continue;
    const minute = minuteOf(e.ts);
    let rows = byMinute.get(minute);
    if (!rows) byMinute.set(minute, (rows = new Map()));
    for (const d of deltas) {
      const key = `${e.source}\0${d.subject}\0${d.metric}`;
      const row = rows.get(key);
      if (row) {
        row.n++;
        row.sum += d.value;
        row.max = row.max === null ? d.value : Math.max(row.max, d.value);
      } else rows.set(key, { source: e.source, subject: d.subject, metric: d.metric, n: 1, sum: d.value, max: d.value });
    }
  }
  return [...byMinute.entries()].sort((a, b) => a[0] - b[0]).map(([minute, rows]) => ({ v: 1, site, device, minute, counts: [...rows.values()] }));
}
