// The site stitcher's side of fragments across boxes: subscribes to
// footfall/v1/{site}/+/fragments (QoS 1, on the agent's session), decodes and validates each
// message and hands the batch and its receive time to the stitcher. A malformed message is
// counted and logged at a bounded rate, never thrown out of the MQTT client's handler; which
// devices are welcome and which times are plausible is the stitcher's to decide (and count).
import type { MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import type { FragmentBatch } from '../../edge/site-paths/index.ts';
import { decodeFragmentBatch, parseTopic, subscriptionFilter } from '../contract/index.ts';
import type { ConnectionListener } from './mqtt-connection.ts';

/** Larger messages are refused before parsing (20,000 samples take about 400 KB). */
export const MAX_FRAGMENT_MESSAGE_BYTES = 1 << 20;

export interface FragmentSubscriberOptions {
  site: string;
  logger: Logger;
  onBatch: (batch: FragmentBatch, receivedAtMs: number) => void;
  now?: () => number;
}

export interface FragmentSubscriberMetrics {
  received: number;
  accepted: number;
  /** Not JSON, not the schema, too large, or a payload whose site/device is not its topic's. */
  malformed: number;
  /** onBatch threw (a bug in the stitcher side; the message is lost, the client lives). */
  handlerErrors: number;
  subscribeErrors: number;
}

export class FragmentSubscriber implements ConnectionListener {
  readonly metrics: FragmentSubscriberMetrics = { received: 0, accepted: 0, malformed: 0, handlerErrors: 0, subscribeErrors: 0 };
  lastError: string | null = null;
  private client: MqttClient | null = null;
  private readonly filter: string;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;

  constructor(private readonly options: FragmentSubscriberOptions) {
    this.filter = subscriptionFilter('fragments', { site: options.site });
    this.warnings = new RateLimitedLog(options.logger.child({ module: 'fragments-in' }));
    this.now = options.now ?? Date.now;
  }

  /** Resolves when the broker has granted the subscription (tests and start-up order). */
  up(client: MqttClient): Promise<void> {
    this.client = client;
    return new Promise((resolve) => {
      client.subscribe(this.filter, { qos: 1 }, (err, granted) => {
        if (err || granted?.some((g) => g.qos >= 0x80)) {
          this.metrics.subscribeErrors++;
          this.lastError = `cannot subscribe to ${this.filter}: ${err?.message ?? 'refused by the broker (ACL?)'}`;
          this.warnings.warn({ granted }, this.lastError);
        }
        resolve();
      });
    });
  }

  down(): void {
    this.client = null;
  }

  /** Unsubscribes (a persistent session would otherwise keep collecting fragments). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client?.connected) await client.unsubscribeAsync(this.filter).catch(() => undefined);
  }

  message(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t || t.kind !== 'fragments' || t.site !== this.options.site) return;
    const receivedAtMs = this.now();
    this.metrics.received++;
    if (payload.length > MAX_FRAGMENT_MESSAGE_BYTES) return this.malformed(t.device, `fragments message too large: ${payload.length} bytes > ${MAX_FRAGMENT_MESSAGE_BYTES}`);
    const r = decodeFragmentBatch(payload);
    if (!r.ok) return this.malformed(t.device, r.error);
    if (r.message.site !== t.site || r.message.device !== t.device) {
      return this.malformed(t.device, `fragments message of ${r.message.site}/${r.message.device} on the topic of ${t.site}/${t.device}`);
    }
    try {
      this.options.onBatch(r.batch, receivedAtMs);
      this.metrics.accepted++;
    } catch (err) {
      this.metrics.handlerErrors++;
      this.lastError = `fragments of ${t.device}: ${(err as Error).message}`;
      this.warnings.warn({ err: (err as Error).stack }, 'fragments: the stitcher failed on a batch; dropped');
    }
  }

  private malformed(device: string, reason: string): void {
    this.metrics.malformed++;
    this.lastError = `${device}: ${reason}`;
    this.warnings.warn({ device }, reason);
  }
}
