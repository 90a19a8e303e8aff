// Publishes this box's floor fragments (sitePaths.role: broker) on
// footfall/v1/{site}/{device}/fragments for the site's stitcher: QoS 1, not retained, MQTT 5
// message expiry. Fragments are worth seconds, so nothing is queued or retried: with the link
// down, or too many messages awaiting their PUBACK, a batch is dropped and counted. It never
// blocks and never throws into the agent.
import type { MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import type { FragmentBatch } from '../../edge/site-paths/index.ts';
import { deviceTopics, encodeFragmentBatch } from '../contract/index.ts';
import type { ConnectionListener, SessionInfo } from './mqtt-connection.ts';

export interface FragmentPublisherOptions {
  site: string;
  device: string;
  logger: Logger;
  /** MQTT 5 message expiry, s (sitePaths.maxClockSkewS): the broker drops what the stitcher could no longer use. */
  expiryS: number;
  /** Messages awaiting their PUBACK beyond which a batch is dropped (default 16). */
  maxInFlight?: number;
}

export interface FragmentPublisherMetrics {
  /** Batches handed to the broker and acknowledged. */
  batchesSent: number;
  messagesSent: number;
  samplesSent: number;
  /** Batches dropped: link down. */
  droppedOffline: number;
  /** Batches dropped: too many messages awaiting their PUBACK (slow or stuck broker). */
  droppedBusy: number;
  /** Messages the broker refused or that failed on the way (the batch is not sent again). */
  failedMessages: number;
  /** Batches that cannot be put on the wire (a bug or a bad name; logged). */
  encodeErrors: number;
}

export class FragmentPublisher implements ConnectionListener {
  readonly metrics: FragmentPublisherMetrics = { batchesSent: 0, messagesSent: 0, samplesSent: 0, droppedOffline: 0, droppedBusy: 0, failedMessages: 0, encodeErrors: 0 };
  lastError: string | null = null;
  private client: MqttClient | null = null;
  private v5 = false;
  private inFlight = 0;
  private readonly topic: string;
  private readonly maxInFlight: number;
  private readonly warnings: RateLimitedLog;

  constructor(private readonly options: FragmentPublisherOptions) {
    this.topic = deviceTopics(options.site, options.device).fragments;
    this.maxInFlight = options.maxInFlight ?? 16;
    this.warnings = new RateLimitedLog(options.logger.child({ module: 'fragments-out' }));
  }

  up(client: MqttClient, session: SessionInfo): void {
    this.client = client;
    this.v5 = session.protocolVersion === 5;
    this.inFlight = 0;
  }

  down(): void {
    this.client = null;
  }

  /** Hands a batch to the broker; false when it was dropped (counted). */
  publish(batch: FragmentBatch): boolean {
    const client = this.client;
    if (!client) {
      this.metrics.droppedOffline++;
      return false;
    }
    if (this.inFlight >= this.maxInFlight) {
      this.metrics.droppedBusy++;
      this.warnings.warn({ inFlight: this.inFlight }, 'fragments: the broker is not acknowledging; batches are dropped');
      return false;
    }
    let messages: string[];
    try {
      messages = encodeFragmentBatch(this.options.site, batch);
    } catch (err) {
      this.metrics.encodeErrors++;
      this.lastError = (err as Error).message;
      this.warnings.warn({ err: this.lastError }, 'fragments: batch cannot be encoded; dropped');
      return false;
    }
    let samples = 0;
    for (const c of batch.chunks) samples += c.t.length;
    const opts = this.v5 ? { qos: 1 as const, retain: false, properties: { messageExpiryInterval: Math.max(1, Math.round(this.options.expiryS)) } } : { qos: 1 as const, retain: false };
    let pending = messages.length;
    let failed = false;
    for (const text of messages) {
      this.inFlight++;
      const done = (err?: Error): void => {
        if (client === this.client) this.inFlight = Math.max(0, this.inFlight - 1);
        if (err) {
          failed = true;
          this.metrics.failedMessages++;
          this.lastError = err.message;
          this.warnings.warn({ err: err.message }, 'fragments: publish failed; batch lost');
        } else this.metrics.messagesSent++;
        if (--pending === 0 && !failed) {
          this.metrics.batchesSent++;
          this.metrics.samplesSent += samples;
        }
      };
      try {
        client.publish(this.topic, text, opts, (err) => done(err ?? undefined));
      } catch (err) {
        done(err as Error);
      }
    }
    return true;
  }
}
