// The outbox: reads unsent events from the store in `seq` order, batches them by
// count and bytes (SQLite builds each batch's JSON), publishes each batch at QoS 1 with
// a bounded number in flight, and records progress only on PUBACK: the store's position
// moves over the contiguous prefix of acknowledged batches (AckTracker). After a
// reconnect or a restart it starts again from that position, so delivery is
// at-least-once and duplicates are only of batches whose PUBACK was not recorded.
// Events the broker refuses are held back in the store and retried later.
import type { IPublishPacket, MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../edge/shared/log.ts';
import type { OutboxBatchText, OutboxState } from '../edge/store/index.ts';
import { AckTracker, type TrackedRange } from './ack-tracker.ts';
import { EventBatchEncoder } from './batch-encoder.ts';
import { describePublishRejection } from './connection-errors.ts';
import type { ConnectionListener, SessionInfo } from './mqtt-connection.ts';
import { RateMeter } from './rate-meter.ts';

/** PUBACK reason codes that refuse the topic, not the payload: splitting the batch would not help. */
const TOPIC_REFUSALS = new Set([0x87, 0x90]);

/** What the outbox needs from the event store's outbox state (`EventStore.outbox`). */
export type OutboxStore = Pick<OutboxState, 'readBatch' | 'ackedSeq' | 'advance' | 'hold' | 'release' | 'held' | 'rewindToTime' | 'unsentCount' | 'oldestUnsentTsMs'>;

/** Where the outbox gets its link from (MqttConnection). */
export interface OutboxLink {
  addListener(listener: ConnectionListener): void;
  readonly connected: MqttClient | null;
}

export interface OutboxPublisherOptions {
  outbox: OutboxStore;
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
  /** Events refused on their own: held back unsent in the store, retried after parkRetryMs. */
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
  /** The first event's JSON (for logs about a refused event); empty in a batch of several. */
  firstJson: string;
  /** Its place in the position's prefix; null for the retry of a held event. */
  range: TrackedRange | null;
}

/** Seqs past any real one: an unbounded read. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

export class OutboxPublisher {
  readonly metrics: OutboxMetrics = { sentEvents: 0, sentBatches: 0, publishErrors: 0, rejectedBatches: 0, rejectedEvents: 0, markErrors: 0, droppedSessions: 0 };
  lastError: string | null = null;
  private readonly encoder: EventBatchEncoder;
  private readonly rate: RateMeter;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private readonly tracker = new AckTracker();
  private client: MqttClient | null = null;
  /** Bumped on every link change: acks of an older generation are ignored. */
  private generation = 0;
  private inFlight = 0;
  /** The last seq read into a batch (reads continue after it). */
  private cursor = 0;
  /** Events up to this seq go one per batch: a batch containing them was refused (survives reconnects). */
  private singleUntilSeq = 0;
  /** The broker refuses the events topic itself (ACL): nothing is sent until then. */
  private blockedUntilMs = 0;
  private blockedReason: string | null = null;
  /** Held events (refused by the broker; the store keeps them too), by seq: when to retry. */
  private readonly held = new Map<number, number>();
  /** The same seqs in order, for bounding reads. */
  private heldSeqs: number[] = [];
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
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // Held events are retried once at start (docs/mqtt.md), then every parkRetryMs.
    for (const h of this.options.outbox.held()) this.held.set(h.seq, 0);
    this.heldSeqs = [...this.held.keys()].sort((a, b) => a - b);
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
    return this.held.size;
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
      // A late PUBACK must not move the position forward again past the resync point.
      this.generation++;
      this.inFlight = 0;
      this.requeueHeldRetries();
      const n = this.options.outbox.rewindToTime(fromMs);
      this.tracker.clear();
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
      this.backlogCache = { atMs: nowMs, unsent: this.options.outbox.unsentCount(), oldestTsMs: this.options.outbox.oldestUnsentTsMs() };
    }
    const oldest = this.backlogCache.oldestTsMs;
    return {
      backlog: this.backlogCache.unsent,
      oldestUnsentAgeMs: oldest === null ? null : Math.max(0, nowMs - oldest),
      publishRateEps: Math.round(this.rate.perSecond() * 10) / 10,
      inFlight: this.inFlight,
      ...this.metrics,
      parkedEvents: this.held.size,
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
    this.requeueHeldRetries();
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
    this.requeueHeldRetries();
    this.resetCursor();
    this.clearPoll();
    this.resolveInFlight();
  }

  /** Held-event retries whose answer can no longer arrive (new generation) are tried again. */
  private requeueHeldRetries(): void {
    for (const [seq, retryAtMs] of this.held) if (retryAtMs === Infinity) this.held.set(seq, 0);
  }

  /** Reads start again at the durable position (ranges settled past a gap are kept). */
  private resetCursor(): void {
    this.cursor = this.options.outbox.ackedSeq();
    this.tracker.rewind(this.cursor);
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
      this.retryHeld();
      while (this.inFlight < this.options.maxInFlight) {
        const batch = this.nextBatch();
        if (!batch) {
          exhausted = true;
          break;
        }
        if (batch.payload.length > this.maxPayloadBytes) {
          // Only a single event can exceed the limit (batches stop below it): the broker would refuse it.
          this.park(batch, 0x95, `event larger than the broker's maximum packet size (${batch.payload.length} bytes payload)`);
          this.settle(batch);
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

  private get maxBatchBytes(): number {
    return Math.min(this.options.batch.maxBytes, this.maxPayloadBytes);
  }

  /**
   * The next batch of unsent events after the cursor, built by SQLite in one statement.
   * A read never crosses a held event or a range already acknowledged past a gap (a
   * batch's range must cover only events it carries); it steps over them instead.
   */
  private nextBatch(): Batch | null {
    const jsonBudget = this.maxBatchBytes - this.encoder.overheadBytes;
    for (;;) {
      const heldBound = this.nextHeldAfter(this.cursor);
      const settled = this.tracker.settledAfter(this.cursor);
      const bound = settled && settled.firstSeq < heldBound ? settled.firstSeq : heldBound;
      // Inside a refused batch's range events go one per batch.
      const maxEvents = this.cursor < this.singleUntilSeq ? 1 : this.options.batch.maxEvents;
      const text = this.options.outbox.readBatch(this.cursor, bound, maxEvents, jsonBudget, this.encoder.prefix, this.encoder.suffix);
      if (text) {
        this.cursor = text.lastSeq;
        const range = this.tracker.add(text.firstSeq, text.lastSeq);
        return { firstSeq: text.firstSeq, lastSeq: text.lastSeq, count: text.count, payload: text.payload, firstJson: this.firstJsonOf(text), range };
      }
      if (bound === NO_BOUND) return null;
      this.cursor = settled && settled.firstSeq === bound ? settled.lastSeq : bound;
    }
  }

  /** A single event's JSON, for logs about a refusal (a batch of several carries none). */
  private firstJsonOf(text: OutboxBatchText): string {
    if (text.count !== 1) return '';
    return text.payload.toString('utf8', Buffer.byteLength(this.encoder.prefix), text.payload.length - this.encoder.suffix.length);
  }

  /** The smallest held seq above `seq`, or NO_BOUND. */
  private nextHeldAfter(seq: number): number {
    const a = this.heldSeqs;
    if (a.length === 0 || a[a.length - 1]! <= seq) return NO_BOUND;
    let lo = 0;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! > seq) hi = mid;
      else lo = mid + 1;
    }
    return a[lo]!;
  }

  /** Republishes held events whose retry time has come, one per batch, outside the position. */
  private retryHeld(): void {
    if (this.held.size === 0) return;
    const nowMs = this.now();
    for (const [seq, retryAtMs] of this.held) {
      if (this.inFlight >= this.options.maxInFlight || !this.client) return;
      if (retryAtMs > nowMs) continue;
      const text = this.options.outbox.readBatch(seq - 1, seq + 1, 1, Infinity, this.encoder.prefix, this.encoder.suffix);
      if (!text) {
        // Retention deleted it.
        this.options.outbox.release(seq);
        this.unhold(seq);
        continue;
      }
      const batch: Batch = { firstSeq: seq, lastSeq: seq, count: 1, payload: text.payload, firstJson: this.firstJsonOf(text), range: null };
      if (batch.payload.length > this.maxPayloadBytes) {
        this.park(batch, 0x95, `event larger than the broker's maximum packet size (${batch.payload.length} bytes payload)`);
        continue;
      }
      // Not retried again while this attempt is in flight.
      this.held.set(seq, Infinity);
      this.send(batch);
    }
  }

  private unhold(seq: number): void {
    if (!this.held.delete(seq)) return;
    const i = this.heldSeqs.indexOf(seq);
    if (i >= 0) this.heldSeqs.splice(i, 1);
  }

  /** A batch's range is acknowledged (or held): the durable position may move. */
  private settle(batch: Batch): void {
    if (!batch.range) return;
    const position = this.tracker.settle(batch.range);
    if (position !== null) this.options.outbox.advance(position, this.now());
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
    // A held event's retry that is not acknowledged waits for its next turn.
    if (!batch.range && err && this.held.get(batch.firstSeq) === Infinity) {
      this.held.set(batch.firstSeq, this.now() + (this.options.parkRetryMs ?? 300_000));
    }
    this.session.acked++;
    this.fruitlessSessions = 0;
    if (err) {
      const code = (err as Error & { code?: unknown }).code;
      if (typeof code === 'number' && code >= 0x80) this.onRejected(batch, code, err.message);
      else {
        this.metrics.publishErrors++;
        if (batch.range) this.tracker.fail(batch.range);
        this.needsRewind = batch.range !== null || this.needsRewind;
        this.lastError = `publish failed: ${err.message}`;
        this.warnings.warn({ err: err.message }, 'publish failed; the batch stays unsent and is sent again');
      }
    } else {
      try {
        if (batch.range) this.settle(batch);
        else if (this.held.has(batch.firstSeq)) {
          this.options.outbox.release(batch.firstSeq);
          this.unhold(batch.firstSeq);
        }
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
    if (batch.range && (TOPIC_REFUSALS.has(reasonCode) || batch.count > 1)) {
      this.tracker.fail(batch.range);
      this.needsRewind = true;
    }
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
    this.settle(batch);
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
        this.hold(s.firstSeq, 'the broker drops the connection when it is published');
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

  /** Holds a single refused event back (in the store): unsent, retried after parkRetryMs. */
  private park(batch: Batch, reasonCode: number, why: string): void {
    this.metrics.rejectedEvents++;
    this.lastError = why;
    this.hold(batch.firstSeq, why);
    this.warnings.warn(
      { reasonCode, id: batch.firstJson.slice(7, 43), seq: batch.firstSeq, bytes: batch.payload.length },
      `${why}; the event stays unsent and is retried later`,
    );
  }

  private hold(seq: number, reason: string): void {
    const retryAtMs = this.now() + (this.options.parkRetryMs ?? 300_000);
    this.options.outbox.hold(seq, reason, retryAtMs);
    if (!this.held.has(seq)) {
      let i = this.heldSeqs.length;
      while (i > 0 && this.heldSeqs[i - 1]! > seq) i--;
      this.heldSeqs.splice(i, 0, seq);
    }
    this.held.set(seq, retryAtMs);
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
