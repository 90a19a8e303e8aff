// Publishes each closed minute of the store's per-minute aggregates on
// footfall/v1/{site}/{device}/counts (QoS 1), once the minute plus a grace period has
// passed. The next minute to publish is kept in the store's kv table and advanced on
// PUBACK, so a restart resumes without gaps (at most a day is caught up).
import type { MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import type { CountRow } from '../../edge/store/index.ts';
import type { CountsMessage } from '../contract/index.ts';
import type { ConnectionListener } from './mqtt-connection.ts';
import { MINUTE_MS } from '../../edge/shared/time-units.ts';

export const COUNTS_STATE_KEY = 'cloud-sync.counts.nextMinute';
const MAX_CATCH_UP_MS = 86_400_000;

export interface CountsStore {
  countsBetween(fromMs: number, toMs: number): CountRow[];
  getState(key: string): string | null;
  setState(key: string, value: string): void;
}

export interface CountsPublisherOptions {
  store: CountsStore;
  topic: string;
  site: string;
  device: string;
  graceMs: number;
  logger: Logger;
  /** Called with every published minute (Home Assistant discovery uses it). */
  onPublished?: (message: CountsMessage) => void;
  tickMs?: number;
  now?: () => number;
}

export class CountsPublisher implements ConnectionListener {
  published = 0;
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;

  constructor(private readonly options: CountsPublisherOptions) {
    this.log = options.logger.child({ module: 'counts' });
    this.warnings = new RateLimitedLog(this.log);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client = null;
  }

  up(client: MqttClient): void {
    this.client = client;
    void this.tick();
  }

  down(): void {
    this.client = null;
  }

  private nextMinute(nowMs: number): number {
    const floor = nowMs - (nowMs % MINUTE_MS);
    const saved = Number(this.options.store.getState(COUNTS_STATE_KEY));
    if (!Number.isFinite(saved) || saved <= 0) return floor;
    return Math.max(saved, floor - MAX_CATCH_UP_MS);
  }

  /** Publishes every closed minute not yet published. Exposed for tests. */
  async tick(): Promise<number> {
    if (this.busy || !this.client) return 0;
    this.busy = true;
    let n = 0;
    try {
      let minute = this.nextMinute(this.now());
      while (this.client && minute + MINUTE_MS + this.options.graceMs <= this.now()) {
        const rows = this.options.store.countsBetween(minute, minute + MINUTE_MS);
        const message: CountsMessage = {
          v: 1,
          site: this.options.site,
          device: this.options.device,
          minute,
          counts: rows.map((r) => ({ source: r.source, subject: r.subject, metric: r.metric, n: r.n, sum: r.sum, max: r.max })),
        };
        await this.client.publishAsync(this.options.topic, JSON.stringify(message), { qos: 1 });
        minute += MINUTE_MS;
        this.options.store.setState(COUNTS_STATE_KEY, String(minute));
        this.published++;
        n++;
        this.options.onPublished?.(message);
      }
    } catch (err) {
      this.warnings.warn({ err: (err as Error).message }, 'counts publish failed; retried on the next tick');
    } finally {
      this.busy = false;
    }
    return n;
  }
}
