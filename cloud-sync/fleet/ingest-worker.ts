// One `footfall ingest` worker: MQTT 5 lanes in a shared subscription, each a
// persistent session, feeding a batcher that writes PostgreSQL and acknowledges
// (PUBACK) a message only after the transaction holding it has committed.
//
// mqtt.js defers the PUBACK of a QoS 1 message until the `customHandleAcks` callback
// is called (MQTT 5 only), and it handles a connection's packets one at a time, so a
// connection holds at most one un-acknowledged message. Batching across messages
// therefore needs several connections ("lanes"); a batch holds at most one message per
// lane, and two batches may be in flight (one validated and sent while the other
// commits). Every lane is a member of the shared subscription, so the broker spreads
// the stream over all lanes of all workers.
import { hostname } from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { subscriptionFilter } from '../contract/index.ts';
import { FootfallError, errorMessage } from '../../edge/shared/errors.ts';
import { RateLimitedLog, silentLogger, type Logger } from '../../edge/shared/log.ts';
import type { Stage, StageHealth } from '../../edge/shared/types.ts';
import { BatchWriter, isTransientPgError, type BatchItem } from './batch-writer.ts';
import { MessageValidator } from './message-validator.ts';
import { migrate } from './migrations.ts';
import { PartitionKeeper } from './partitions.ts';

export interface IngestWorkerOptions {
  mqttUrl: string;
  pgUrl: string;
  /** Shared-subscription group: workers in one group split the stream. */
  group?: string;
  /** Stable client id (lanes append `-1`, `-2`, ...); defaults to footfall-ingest-{group}-{host}. */
  clientId?: string;
  /** Accepted sites; messages from any other site are dead-lettered. Null: all. */
  sites?: readonly string[] | null;
  /** MQTT connections of this worker (see the module comment); default 8. */
  lanes?: number;
  /** How long the broker keeps a lane's session (and its queued messages) while the worker is away. */
  sessionExpiryS?: number;
  maxPayloadBytes?: number;
  maxAgeMs?: number;
  maxFutureMs?: number;
  /** Wait this long for the other lanes' messages before writing a batch. */
  lingerMs?: number;
  /** Batches written at the same time (each on its own PostgreSQL connection). */
  maxConcurrentBatches?: number;
  keepaliveS?: number;
  reconnectPeriodMs?: number;
  username?: string;
  password?: string;
  logger?: Logger;
}

export interface IngestMetrics {
  received: number;
  batches: number;
  events: number;
  inserted: number;
  duplicates: number;
  countRows: number;
  statuses: number;
  deadLetters: number;
  pgErrors: number;
  /** Messages written whose lane reconnected before the ack: the broker redelivers them. */
  staleAcks: number;
  connects: number;
  /** Connects that found the lane's session (subscriptions and queued messages) at the broker. */
  sessionsResumed: number;
  disconnects: number;
  /** Events stored with their box's clock offset taken off (a box clock off by more than a minute, #27). */
  clockCorrectedEvents: number;
}

interface Lane {
  index: number;
  clientId: string;
  client: MqttClient | null;
  /** Bumped when the connection closes: a held ack of an older generation must not be sent. */
  generation: number;
  holding: boolean;
  connected: boolean;
}

interface Pending {
  lane: Lane;
  generation: number;
  topic: string;
  payload: Buffer;
  /** Retained at the broker (a status delivered on subscribe). */
  retained: boolean;
  done: (error: Error | null, reasonCode?: number) => void;
}

const KINDS = ['events', 'counts', 'status'] as const;

export function defaultClientId(group: string): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40);
  return `footfall-ingest-${group}-${host}`;
}

export class IngestWorker implements Stage {
  readonly name = 'ingest';
  readonly metrics: IngestMetrics = {
    received: 0, batches: 0, events: 0, inserted: 0, duplicates: 0, countRows: 0, statuses: 0,
    deadLetters: 0, pgErrors: 0, staleAcks: 0, connects: 0, sessionsResumed: 0, disconnects: 0, clockCorrectedEvents: 0,
  };
  private readonly log: Logger;
  private readonly deadLog: RateLimitedLog;
  private readonly pgLog: RateLimitedLog;
  private readonly lanes: Lane[] = [];
  private pending: Pending[] = [];
  private pool: pg.Pool | null = null;
  private writer: BatchWriter | null = null;
  private validator: MessageValidator | null = null;
  private active = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private lingerTimer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping = false;
  private lastError: string | null = null;

  constructor(private readonly options: IngestWorkerOptions) {
    this.log = (options.logger ?? silentLogger()).child({ module: 'ingest' });
    this.deadLog = new RateLimitedLog(this.log, 5, 60_000);
    this.pgLog = new RateLimitedLog(this.log, 5, 60_000);
  }

  get group(): string {
    return this.options.group ?? 'footfall';
  }

  get clientId(): string {
    return this.options.clientId ?? defaultClientId(this.group);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    const o = this.options;
    const pool = new pg.Pool({ connectionString: o.pgUrl, max: 4, connectionTimeoutMillis: 5_000 });
    pool.on('error', (err) => this.pgLog.warn({ err: err.message }, 'idle PostgreSQL connection failed'));
    try {
      const client = await pool.connect();
      const onError = (): void => undefined; // the failing query reports it
      client.on('error', onError);
      try {
        const applied = await migrate(client);
        if (applied.length > 0) this.log.info({ applied }, 'applied schema migrations');
      } finally {
        client.removeListener('error', onError);
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new FootfallError('NETWORK', `cannot prepare PostgreSQL at ${redact(o.pgUrl)}: ${errorMessage(err)}`, { cause: err });
    }
    this.pool = pool;
    this.writer = new BatchWriter(pool, new PartitionKeeper(), this.clientId);
    this.validator = new MessageValidator({
      maxPayloadBytes: o.maxPayloadBytes ?? 1024 * 1024,
      allowedSites: o.sites && o.sites.length > 0 ? new Set(o.sites) : null,
      maxAgeMs: o.maxAgeMs ?? 400 * 86_400_000,
      maxFutureMs: o.maxFutureMs ?? 86_400_000,
    });
    this.running = true;
    const lanes = o.lanes ?? 8;
    for (let i = 1; i <= lanes; i++) {
      const lane: Lane = { index: i, clientId: lanes === 1 ? this.clientId : `${this.clientId}-${i}`, client: null, generation: 0, holding: false, connected: false };
      this.lanes.push(lane);
      this.connectLane(lane);
    }
    this.log.info({ url: redact(o.mqttUrl), group: this.group, clientId: this.clientId, lanes }, 'ingest started');
  }

  private connectLane(lane: Lane): void {
    const o = this.options;
    const client = mqtt.connect(o.mqttUrl, {
      protocolVersion: 5,
      clientId: lane.clientId,
      clean: false,
      properties: { sessionExpiryInterval: o.sessionExpiryS ?? 86_400 },
      keepalive: o.keepaliveS ?? 60,
      // Reconnect quickly: Mosquitto (2.0) drops a shared-subscription message published
      // after a broker restart while no member of the group has reconnected yet, so the
      // workers must be back before the boxes (whose publishers back off for >= 1 s).
      reconnectPeriod: o.reconnectPeriodMs ?? 200,
      connectTimeout: 10_000,
      resubscribe: false,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      customHandleAcks: (topic: string, payload: Buffer, packet: { retain?: boolean }, done: (error: Error | null, code?: number) => void) => {
        if (!this.running || this.stopping) return; // never ack after stop: the broker keeps it for the next session
        this.metrics.received++;
        lane.holding = true;
        this.pending.push({ lane, generation: lane.generation, topic, payload, retained: packet?.retain === true, done });
        this.schedule();
      },
    } as mqtt.IClientOptions);
    lane.client = client;
    client.on('connect', (connack) => {
      lane.connected = true;
      this.metrics.connects++;
      if (connack.sessionPresent) this.metrics.sessionsResumed++;
      const filters = KINDS.map((k) => subscriptionFilter(k, { shareGroup: this.group }));
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) this.pgLog.warn({ err: err.message, lane: lane.clientId }, 'subscribe failed');
      });
      this.log.debug({ lane: lane.clientId, sessionPresent: connack.sessionPresent }, 'lane connected');
    });
    client.on('close', () => {
      if (lane.connected) this.metrics.disconnects++;
      lane.connected = false;
      lane.generation++;
      lane.holding = false;
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      this.pgLog.warn({ err: err.message, lane: lane.clientId }, 'MQTT connection problem');
    });
  }

  /**
   * Starts a batch once every connected lane holds a message, or after the linger time.
   * Up to maxConcurrentBatches batches are written at once, so one batch is validated
   * and sent while another commits.
   */
  private schedule(): void {
    if (this.pending.length === 0 || this.stopping || !this.running) return;
    if (this.active >= (this.options.maxConcurrentBatches ?? 2)) return;
    let waiting = 0;
    for (const l of this.lanes) if (l.connected && !l.holding) waiting++;
    if (waiting === 0) {
      this.startBatch();
      return;
    }
    if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        if (this.pending.length > 0 && !this.stopping && this.active < (this.options.maxConcurrentBatches ?? 2)) this.startBatch();
      }, this.options.lingerMs ?? 2);
    }
  }

  private startBatch(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const batch = this.pending;
    this.pending = [];
    this.active++;
    const p: Promise<void> = this.writeBatch(batch)
      .catch(() => undefined) // only thrown when stopping; the messages stay un-acknowledged
      .finally(() => {
        this.active--;
        this.inFlight.delete(p);
        this.schedule();
      });
    this.inFlight.add(p);
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    await this.commit(batch);
    for (const p of batch) {
      if (p.lane.generation === p.generation && this.running) {
        p.lane.holding = false;
        p.done(null, 0);
      } else this.metrics.staleAcks++;
    }
  }

  /** Writes a batch, retrying transient PostgreSQL failures until it commits; bad data is split out and dead-lettered. */
  private async commit(batch: Pending[]): Promise<void> {
    const validator = this.validator!;
    const nowMs = Date.now();
    const items: BatchItem[] = [];
    for (const p of batch) {
      const message = validator.validate(p.topic, p.payload, nowMs, p.retained);
      if (message.kind === 'events' && message.clockOffsetMs !== 0) this.metrics.clockCorrectedEvents += message.value.events.length;
      items.push({ topic: p.topic, payload: p.payload, message });
      // Events split out of a batch go to dead letters on their own; the rest is written.
      if (message.kind === 'events' && message.rejected) items.push({ topic: p.topic, payload: message.rejected.payload, message: { kind: 'dead', reason: message.rejected.reason } });
    }
    for (const it of items) if (it.message.kind === 'dead') this.deadLog.warn({ topic: it.topic, reason: it.message.reason }, 'message dead-lettered');
    let delayMs = 100;
    for (;;) {
      try {
        await this.writeItems(items);
        return;
      } catch (err) {
        this.metrics.pgErrors++;
        this.lastError = errorMessage(err);
        this.pgLog.warn({ err: this.lastError, retryInMs: delayMs }, 'PostgreSQL write failed; holding the batch (un-acknowledged) and retrying');
        if (!this.running) throw err;
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(5_000, delayMs * 2);
      }
    }
  }

  private async writeItems(items: BatchItem[]): Promise<void> {
    try {
      this.account(await this.writer!.write(items));
    } catch (err) {
      if (isTransientPgError(err)) throw err;
      // The data was refused: write message by message and dead-letter the ones refused.
      for (const it of items) {
        try {
          this.account(await this.writer!.write([it]));
        } catch (one) {
          if (isTransientPgError(one)) throw one;
          const reason = `rejected by PostgreSQL: ${errorMessage(one)}`;
          this.deadLog.warn({ topic: it.topic, reason }, 'message dead-lettered');
          this.account(await this.writer!.write([{ topic: it.topic, payload: it.payload, message: { kind: 'dead', reason } }]));
        }
      }
    }
    this.metrics.batches++;
  }

  private account(r: { events: number; inserted: number; countRows: number; statuses: number; deadLetters: number }): void {
    this.metrics.events += r.events;
    this.metrics.inserted += r.inserted;
    this.metrics.duplicates += r.events - r.inserted;
    this.metrics.countRows += r.countRows;
    this.metrics.statuses += r.statuses;
    this.metrics.deadLetters += r.deadLetters;
  }

  /** Finishes the batch being written (and acks it), then closes; messages not yet written stay with the broker. */
  async stop(): Promise<void> {
    if (!this.running && this.lanes.length === 0) return;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    // Let the batches being written commit and ack, but start no new one.
    this.stopping = true;
    this.pending = [];
    if (this.inFlight.size > 0) await Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, 10_000))]);
    this.running = false;
    await Promise.all(
      this.lanes.map(
        (l) =>
          new Promise<void>((resolve) => {
            if (!l.client) return resolve();
            l.client.end(true, {}, () => resolve());
          }),
      ),
    );
    this.lanes.length = 0;
    this.pending = [];
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.end().catch(() => undefined);
    this.log.info({ ...this.metrics }, 'ingest stopped');
  }

  health(): StageHealth {
    if (!this.running) return { status: 'stopped' };
    const connected = this.lanes.filter((l) => l.connected).length;
    const m = this.metrics;
    const metrics: Record<string, number | string | null> = { ...m, clockCorrectedDevices: this.validator?.correctedDevices ?? 0, lanesConnected: connected, lanes: this.lanes.length, pending: this.pending.length, batchesInFlight: this.active };
    if (connected === 0) return { status: 'failed', detail: this.lastError ?? 'no MQTT lane connected', metrics };
    if (connected < this.lanes.length) return { status: 'degraded', detail: `${connected}/${this.lanes.length} lanes connected`, metrics };
    return { status: 'ok', metrics };
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
