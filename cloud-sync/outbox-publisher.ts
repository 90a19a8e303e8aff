// The outbox: reads unsent events from the store in `seq` order, batches them by
// count and bytes, publishes each batch at QoS 1 with a bounded number in flight, and
// marks a batch's seq range sent only when its PUBACK arrives. After a reconnect or a
// restart it starts again from the oldest unsent event, so delivery is at-least-once
// and duplicates are only of batches whose PUBACK was not recorded.
import type { IPublishPacket, MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../edge/shared/log.ts';
import { EventBatchEncoder } from './batch-encoder.ts';
import { describePublishRejection } from './connection-errors.ts';
import type { ConnectionListener, SessionInfo } from './mqtt-connection.ts';
import { RateMeter } from './rate-meter.ts';

/** PUBACK reason codes that refuse the topic, not the payload: splitting the batch would not help. */
const TOPIC_REFUSALS = new Set([0x87, 0x90]);

/** What the outbox needs from the event store. */
export interface OutboxStore {
  /** [seq, wire event JSON] pairs of unsent events after `afterSeq`, in seq order. */
  readUnsentWireJson(afterSeq: number, limit: number): Array<[number, string]>;
  markSentRange(fromSeq: number, toSeq: number, sentAtMs?: number): number;
  markUnsentSince(sinceMs: number): number;
  unsentCount(): number;
  oldestUnsentTsMs(): number | null;
}

/** Where the outbox gets its link from (MqttConnection). */
export interface OutboxLink {
  addListener(listener: ConnectionListener): void;
  readonly connected: MqttClient | null;
}

export interface OutboxPublisherOptions {
  store: OutboxStore;
  link: OutboxLink;
  topic: string;
  site: string;
  device: string;
  batch: { maxEvents: number; maxBytes: number };
  maxInFlight: number;
  pollIntervalMs: number;
  logger: Logger;
  /** A rejected event is retried after this long. */
  parkRetryMs?: number;
  /** When the broker refuses the events topic itself, publishing is retried after this long. */
  blockedRetryMs?: number;
  now?: () => number;
}

export interface OutboxMetrics {
  sentEvents: number;
  sentBatches: number;
  /** Publishes that failed for a connection reason (they are resent). */
  publishErrors: number;
  /** Batches the broker refused with a PUBACK reason code (MQTT 5). */
  rejectedBatches: number;
  /** Events refused on their own: left unsent, skipped until parkRetryMs or a reconnect. */
  rejectedEvents: number;
  /** PUBACKs that could not be recorded in the store (those events will be sent again). */
  markErrors: number;
  /** Sessions the broker closed right after we published, acknowledging nothing. */
  droppedSessions: number;
}

interface Batch {
  firstSeq: number;
  lastSeq: number;
  count: number;
  payload: Buffer;
  /** The first event's JSON (for logs about a refused event). */
  firstJson: string;
}

export class OutboxPublisher {
  readonly metrics: OutboxMetrics = { sentEvents: 0, sentBatches: 0, publishErrors: 0, rejectedBatches: 0, rejectedEvents: 0, markErrors: 0, droppedSessions: 0 };
  lastError: string | null = null;
  private readonly encoder: EventBatchEncoder;
  private readonly rate: RateMeter;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private readonly readLimit: number;
  private client: MqttClient | null = null;
  /** Bumped on every link change: acks of an older generation are ignored. */
  private generation = 0;
  private inFlight = 0;
  private cursor = 0;
  private buffer: Array<[number, string]> = [];
  private bufferIndex = 0;
  /** Events up to this seq go one per batch: a batch containing them was refused (survives reconnects). */
  private singleUntilSeq = 0;
  /** The broker refuses the events topic itself (ACL): nothing is sent until then. */
  private blockedUntilMs = 0;
  private blockedReason: string | null = null;
  private readonly parked = new Set<number>();
  private parkedClearAtMs = 0;
  /** Payload bytes the broker accepts in one PUBLISH (its Maximum Packet Size less our header). */
  private maxPayloadBytes = Infinity;
  /** A publish failed locally: re-read from the store once nothing is in flight. */
  private needsRewind = false;
  /** Per session: batches published, PUBACKs seen, and the first and last seq published. */
  private session = { published: 0, acked: 0, firstSeq: 0, lastSeq: 0 };
  /** Sessions in a row that the broker closed after we published, without acknowledging anything. */
  private fruitlessSessions = 0;
  private fruitlessFirstSeq = -1;
  private pumping = false;
  private paused = false;
  private stopped = false;
  private started = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];
  private inFlightWaiters: Array<() => void> = [];
  private backlogCache = { atMs: -Infinity, unsent: 0, oldestTsMs: null as number | null };

  constructor(private readonly options: OutboxPublisherOptions) {
    this.encoder = new EventBatchEncoder(options.site, options.device);
    this.now = options.now ?? Date.now;
    this.rate = new RateMeter(10, this.now);
    this.log = options.logger.child({ module: 'outbox' });
    this.warnings = new RateLimitedLog(this.log, 5, 60_000);
    this.readLimit = Math.max(1_000, options.batch.maxEvents * options.maxInFlight);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.options.link.addListener({ up: (c, session) => this.onUp(c, session), down: () => this.onDown() });
    if (this.options.link.connected) this.onUp(this.options.link.connected, { protocolVersion: 5, maxPacketBytes: null });
  }

  /** Stops taking new batches and waits (bounded) for in-flight PUBACKs to be recorded. */
  async stop(timeoutMs = 2_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearPoll();
    await this.waitInFlightEmpty(timeoutMs);
    this.generation++;
    this.client = null;
    this.resolveDrain();
  }

  get inFlightBatches(): number {
    return this.inFlight;
  }

  get parkedEvents(): number {
    return this.parked.size;
  }

  /** Resolves once nothing is left to publish (except rejected events) and nothing is in flight. */
  waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.pump();
    });
  }

  /**
   * Makes events from `fromMs` on unsent again and republishes them (the `resync`
   * command). In-flight batches finish first so no stale PUBACK marks them sent.
   */
  async resync(fromMs: number): Promise<number> {
    this.paused = true;
    try {
      await this.waitInFlightEmpty(30_000);
      const n = this.options.store.markUnsentSince(fromMs);
      this.resetCursor();
      this.backlogCache.atMs = -Infinity;
      this.log.info({ fromMs, events: n }, 'resync: events marked unsent again');
      return n;
    } finally {
      this.paused = false;
      this.pump();
    }
  }

  /** Backlog, oldest unsent age, rate and errors, for health() and the status message. */
  metricsSnapshot(): Record<string, number | string | null> {
    const nowMs = this.now();
    if (nowMs - this.backlogCache.atMs >= 1_000) {
      this.backlogCache = { atMs: nowMs, unsent: this.options.store.unsentCount(), oldestTsMs: this.options.store.oldestUnsentTsMs() };
    }
    const oldest = this.backlogCache.oldestTsMs;
    return {
      backlog: this.backlogCache.unsent,
      oldestUnsentAgeMs: oldest === null ? null : Math.max(0, nowMs - oldest),
      publishRateEps: Math.round(this.rate.perSecond() * 10) / 10,
      inFlight: this.inFlight,
      ...this.metrics,
      parkedEvents: this.parked.size,
      lastError: this.lastError,
    };
  }

  private onUp(client: MqttClient, session: SessionInfo): void {
    if (this.stopped) return;
    this.generation++;
    this.client = client;
    // Fixed header (5) + topic (2 + length) + packet id (2) + properties (a few) stay below the limit.
    this.maxPayloadBytes = session.maxPacketBytes ? session.maxPacketBytes - Buffer.byteLength(this.options.topic) - 32 : Infinity;
    if (session.maxPacketBytes && this.maxPayloadBytes < this.options.batch.maxBytes) {
      this.log.info({ brokerMaxPacketBytes: session.maxPacketBytes }, 'broker limits packet size; batches are kept below it');
    }
    this.inFlight = 0;
    this.resetCursor();
    this.needsRewind = false;
    this.session = { published: 0, acked: 0, firstSeq: 0, lastSeq: 0 };
    this.pump();
  }

  private onDown(): void {
    this.noteFruitlessSession();
    this.generation++;
    this.client = null;
    this.inFlight = 0;
    this.resetCursor();
    this.clearPoll();
    this.resolveInFlight();
  }

  private resetCursor(): void {
    this.cursor = 0;
    this.buffer = [];
    this.bufferIndex = 0;
  }

  private clearPoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.stopped) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pump();
    }, this.options.pollIntervalMs);
  }

  /** Fills the in-flight window from the store. Never throws. */
  private pump(): void {
    if (this.pumping) return;
    if (this.stopped || !this.client || this.paused) {
      if (this.stopped) this.resolveDrain();
      return;
    }
    this.pumping = true;
    let exhausted = false;
    try {
      if (this.parked.size > 0 && this.inFlight === 0 && this.now() >= this.parkedClearAtMs) {
        this.parked.clear();
        this.resetCursor();
      }
      if (this.needsRewind) {
        // Let what is in flight settle first, so the re-read returns only unacknowledged events.
        if (this.inFlight > 0) return;
        this.needsRewind = false;
        this.resetCursor();
      }
      if (this.blockedUntilMs > 0) {
        const waitMs = this.blockedUntilMs - this.now();
        if (waitMs > 0) {
          this.pollTimer ??= setTimeout(() => {
            this.pollTimer = null;
            this.pump();
          }, waitMs);
          return;
        }
        this.blockedUntilMs = 0;
      }
      while (this.inFlight < this.options.maxInFlight) {
        const batch = this.nextBatch();
        if (!batch) {
          exhausted = true;
          break;
        }
        if (batch.payload.length > this.maxPayloadBytes) {
          // Only a single event can exceed the limit (batches stop below it): the broker would refuse it.
          this.park(batch, 0x95, `event larger than the broker's maximum packet size (${batch.payload.length} bytes payload)`);
          continue;
        }
        this.send(batch);
        if (!this.client) break;
      }
    } catch (err) {
      this.lastError = `outbox read failed: ${(err as Error).message}`;
      this.warnings.warn({ err: (err as Error).message }, 'outbox could not read the store; retrying');
      exhausted = true;
    } finally {
      this.pumping = false;
    }
    if (exhausted) {
      if (this.inFlight === 0) this.resolveDrain();
      this.schedulePoll();
    }
  }

  private refill(): boolean {
    const rows = this.options.store.readUnsentWireJson(this.cursor, this.readLimit);
    this.buffer = rows;
    this.bufferIndex = 0;
    if (rows.length === 0) return false;
    this.cursor = rows[rows.length - 1]![0];
    return true;
  }

  /** The next batch of contiguous unsent rows (one row at a time inside a refused range). */
  private nextBatch(): Batch | null {
    let maxEvents = this.options.batch.maxEvents;
    const maxBytes = Math.min(this.options.batch.maxBytes, this.maxPayloadBytes);
    const pieces: string[] = [];
    let bytes = this.encoder.overheadBytes;
    let firstSeq = 0;
    let lastSeq = 0;
    while (pieces.length < maxEvents) {
      if (this.bufferIndex >= this.buffer.length && !this.refill()) break;
      const row = this.buffer[this.bufferIndex]!;
      const seq = row[0];
      if (seq <= this.singleUntilSeq) maxEvents = 1;
      if (this.parked.has(seq)) {
        // A batch's seq range must never cover a refused event (markSentRange would mark it).
        if (pieces.length > 0) break;
        this.bufferIndex++;
        continue;
      }
      const piece = row[1];
      const pieceBytes = Buffer.byteLength(piece) + (pieces.length > 0 ? 1 : 0);
      if (pieces.length > 0 && (bytes + pieceBytes > maxBytes || maxEvents === 1)) break;
      if (pieces.length === 0) firstSeq = seq;
      lastSeq = seq;
      pieces.push(piece);
      bytes += pieceBytes;
      this.bufferIndex++;
    }
    if (pieces.length === 0) return null;
    const payload = Buffer.from(this.encoder.prefix + pieces.join(',') + this.encoder.suffix);
    return { firstSeq, lastSeq, count: pieces.length, payload, firstJson: pieces[0]! };
  }

  private send(batch: Batch): void {
    const client = this.client!;
    const generation = this.generation;
    this.inFlight++;
    if (this.session.published++ === 0) this.session.firstSeq = batch.firstSeq;
    this.session.lastSeq = Math.max(this.session.lastSeq, batch.lastSeq);
    client.publish(this.options.topic, batch.payload, { qos: 1 }, (err, packet) => this.onAck(generation, batch, err, packet));
  }

  private onAck(generation: number, batch: Batch, err: Error | undefined, _packet: unknown): void {
    if (generation !== this.generation) return;
    this.inFlight--;
    this.session.acked++;
    this.fruitlessSessions = 0;
    if (err) {
      const code = (err as Error & { code?: unknown }).code;
      if (typeof code === 'number' && code >= 0x80) this.onRejected(batch, code, err.message);
      else {
        this.metrics.publishErrors++;
        this.needsRewind = true;
        this.lastError = `publish failed: ${err.message}`;
        this.warnings.warn({ err: err.message }, 'publish failed; the batch stays unsent and is sent again');
      }
    } else {
      try {
        this.options.store.markSentRange(batch.firstSeq, batch.lastSeq, this.now());
        this.metrics.sentEvents += batch.count;
        this.metrics.sentBatches++;
        this.blockedReason = null;
        this.rate.add(batch.count);
        this.backlogCache.atMs = -Infinity;
      } catch (e) {
        this.metrics.markErrors++;
        this.lastError = `cannot record PUBACK in the store: ${(e as Error).message}`;
        this.warnings.warn({ err: (e as Error).message, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq }, 'cannot record a PUBACK; these events will be sent again');
      }
    }
    if (this.inFlight === 0) this.resolveInFlight();
    this.pump();
  }

  /**
   * A broker refusal (MQTT 5 PUBACK reason code). A refusal of the topic (ACL) holds
   * everything back and retries later; a refusal of the payload resends the batch's
   * events one by one and leaves only the refused ones unsent.
   */
  private onRejected(batch: Batch, reasonCode: number, text: string): void {
    this.metrics.rejectedBatches++;
    this.lastError = describePublishRejection(reasonCode, text);
    this.needsRewind = true;
    if (TOPIC_REFUSALS.has(reasonCode)) {
      const retryMs = this.options.blockedRetryMs ?? 30_000;
      this.blockedUntilMs = this.now() + retryMs;
      this.blockedReason = `${this.lastError} on ${this.options.topic}: check the broker's ACL; nothing is marked sent, retrying every ${Math.round(retryMs / 1000)} s`;
      this.log.error({ reasonCode, topic: this.options.topic }, this.blockedReason);
      return;
    }
    this.blockedReason = null;
    if (batch.count > 1) {
      this.warnings.warn({ reasonCode, events: batch.count, firstSeq: batch.firstSeq }, `${this.lastError}; resending its events one by one`);
      this.singleUntilSeq = Math.max(this.singleUntilSeq, batch.lastSeq);
      return;
    }
    this.park(batch, reasonCode, this.lastError);
  }

  /**
   * Some brokers (Mosquitto 2.0.11 on an ACL denial, many on an oversized packet with
   * MQTT 3.1.1) drop the connection instead of refusing a publish. After two such
   * sessions the outbox sends one event per batch; if the same first event kills two
   * more, it is left unsent (parked) so the rest can flow.
   */
  private noteFruitlessSession(): void {
    const s = this.session;
    if (!this.client || s.published === 0 || s.acked > 0) return;
    this.fruitlessSessions++;
    this.metrics.droppedSessions++;
    this.lastError = `the broker closed the connection ${this.fruitlessSessions} time(s) in a row right after we published to ${this.options.topic}, acknowledging nothing: check its ACL for this topic and its maximum message size (mqtt.batch.maxBytes)`;
    this.warnings.warn({ firstSeq: s.firstSeq, batches: s.published }, this.lastError);
    if (this.fruitlessSessions >= 2 && s.lastSeq > this.singleUntilSeq) {
      this.singleUntilSeq = s.lastSeq;
      this.fruitlessFirstSeq = -1;
      return;
    }
    if (s.firstSeq <= this.singleUntilSeq) {
      if (this.fruitlessFirstSeq === s.firstSeq && this.fruitlessSessions >= 4) {
        if (this.parked.size === 0) this.parkedClearAtMs = this.now() + (this.options.parkRetryMs ?? 300_000);
        this.parked.add(s.firstSeq);
        this.metrics.rejectedEvents++;
        this.fruitlessSessions = 2;
        this.log.warn({ seq: s.firstSeq }, 'an event the broker drops the connection for is left unsent and retried later');
      }
      this.fruitlessFirstSeq = s.firstSeq;
    }
  }

  /** Why nothing is being published, when the broker refuses the events topic. */
  get blocked(): string | null {
    return this.blockedUntilMs > 0 ? this.blockedReason : null;
  }

  /** Leaves a single refused event unsent and skips it until parkRetryMs or the next reconnect. */
  private park(batch: Batch, reasonCode: number, why: string): void {
    this.metrics.rejectedEvents++;
    this.lastError = why;
    if (this.parked.size === 0) this.parkedClearAtMs = this.now() + (this.options.parkRetryMs ?? 300_000);
    this.parked.add(batch.firstSeq);
    this.warnings.warn(
      { reasonCode, id: batch.firstJson.slice(7, 43), seq: batch.firstSeq, bytes: batch.payload.length },
      `${why}; the event stays unsent and is retried later`,
    );
  }

  private waitInFlightEmpty(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.inFlightWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private resolveInFlight(): void {
    const waiters = this.inFlightWaiters;
    this.inFlightWaiters = [];
    for (const w of waiters) w();
  }

  private resolveDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

export type { IPublishPacket };
