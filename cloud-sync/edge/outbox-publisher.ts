// The outbox: reads unsent events from the store in `seq` order, batches them by
// count and bytes (SQLite builds each event's JSON; the store reads batches ahead in a
// worker), publishes each batch at QoS 1 with a bounded number in flight, and records
// progress only on PUBACK: the store's position moves over the contiguous prefix of
// acknowledged batches (AckTracker). After a reconnect or a restart it starts again
// from that position, so delivery is at-least-once and duplicates are only of batches
// whose PUBACK was not recorded.
// Events the broker refuses are held back (held-events.ts) and retried later; what
// refusals and dropped sessions mean for the next batches is in broker-refusals.ts.
import type { MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import { READ_PENDING, type OutboxBatchText } from '../../edge/store/index.ts';
import { AckTracker, type TrackedRange } from './ack-tracker.ts';
import { EventBatchEncoder } from './batch-encoder.ts';
import { BrokerRefusals, REASON_CODE, refusesTopic } from './broker-refusals.ts';
import { describePublishRejection } from './connection-errors.ts';
import { HeldEvents, NO_BOUND } from './held-events.ts';
import type { ConnectionListener, SessionInfo } from './mqtt-connection.ts';
import type { OutboxStore } from './outbox-store.ts';
import { RateMeter } from './rate-meter.ts';
import { Waiters } from './waiters.ts';

export type { OutboxStore };

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
  /** A held (refused) event is retried after this long. */
  heldRetryMs?: number;
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
  /** Events refused on their own: held back unsent in the store, retried after heldRetryMs. */
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

const DEFAULT_HELD_RETRY_MS = 300_000;
const DEFAULT_BLOCKED_RETRY_MS = 30_000;
/** MQTT PUBLISH bytes besides the payload and topic: fixed header (5), topic length (2), packet id (2), properties (a few). */
const PUBLISH_OVERHEAD_BYTES = 32;
/** The backlog figures (two COUNT queries) are read at most this often. */
const BACKLOG_REFRESH_MS = 1_000;
/** Wire JSON of an event starts `{"id":"` and its id is a 36-character UUID. */
const WIRE_ID_START = '{"id":"'.length;
const UUID_LENGTH = 36;

/** The event id in one event's wire JSON (for logs). */
function eventIdOf(json: string): string {
  return json.slice(WIRE_ID_START, WIRE_ID_START + UUID_LENGTH);
}

export class OutboxPublisher {
  readonly metrics: OutboxMetrics = { sentEvents: 0, sentBatches: 0, publishErrors: 0, rejectedBatches: 0, rejectedEvents: 0, markErrors: 0, droppedSessions: 0 };
  lastError: string | null = null;
  private readonly store: OutboxStore;
  private readonly encoder: EventBatchEncoder;
  private readonly rate: RateMeter;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private readonly heldRetryMs: number;
  private readonly tracker = new AckTracker();
  private readonly held: HeldEvents;
  private readonly refusals = new BrokerRefusals();
  private readonly drainWaiters = new Waiters();
  private readonly inFlightWaiters = new Waiters();
  private client: MqttClient | null = null;
  /** Bumped on every link change: acks of an older generation are ignored. */
  private generation = 0;
  private inFlight = 0;
  /** The last seq read into a batch (reads continue after it). */
  private cursor = 0;
  /** Payload bytes the broker accepts in one PUBLISH (its Maximum Packet Size less our header). */
  private maxPayloadBytes = Infinity;
  /** A publish failed locally: re-read from the store once nothing is in flight. */
  private needsRewind = false;
  private state: 'new' | 'running' | 'paused' | 'stopped' = 'new';
  private pumping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private backlog = { readAtMs: -Infinity, unsent: 0, oldestTsMs: null as number | null };

  constructor(private readonly options: OutboxPublisherOptions) {
    this.store = options.outbox;
    this.encoder = new EventBatchEncoder(options.site, options.device);
    this.now = options.now ?? Date.now;
    this.heldRetryMs = options.heldRetryMs ?? DEFAULT_HELD_RETRY_MS;
    this.rate = new RateMeter(10, this.now);
    this.log = options.logger.child({ module: 'outbox' });
    this.warnings = new RateLimitedLog(this.log, 5, 60_000);
    this.held = new HeldEvents(this.store);
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    // Held events are retried once at start (docs/mqtt.md), then every heldRetryMs.
    this.held.load();
    this.store.onBatchReady(() => this.pump());
    this.options.link.addListener({ up: (c, session) => this.onUp(c, session), down: () => this.onDown() });
    if (this.options.link.connected) this.onUp(this.options.link.connected, { protocolVersion: 5, maxPacketBytes: null });
  }

  /** Stops taking new batches and waits (bounded) for in-flight PUBACKs to be recorded. */
  async stop(timeoutMs = 2_000): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.store.onBatchReady(null);
    this.clearPoll();
    await this.waitInFlightEmpty(timeoutMs);
    this.generation++;
    this.client = null;
    this.drainWaiters.wakeAll();
  }

  get inFlightBatches(): number {
    return this.inFlight;
  }

  /** Events the broker refused, held back unsent and retried later. */
  get heldEvents(): number {
    return this.held.size;
  }

  /** Why nothing is being published, when the broker refuses the events topic. */
  get blocked(): string | null {
    return this.refusals.blocked;
  }

  /** Resolves once nothing is left to publish (except held events) and nothing is in flight. */
  waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.add(resolve);
      this.pump();
    });
  }

  /**
   * Makes events from `fromMs` on unsent again and republishes them (the `resync`
   * command). In-flight batches finish first so no stale PUBACK marks them sent.
   */
  async resync(fromMs: number): Promise<number> {
    const before = this.state;
    if (before === 'running') this.state = 'paused';
    try {
      await this.waitInFlightEmpty(30_000);
      // A late PUBACK must not move the position forward again past the resync point.
      this.generation++;
      this.inFlight = 0;
      this.held.requeueRetrying();
      const n = this.store.rewindToTime(fromMs);
      this.tracker.clear();
      this.resetCursor();
      this.backlog.readAtMs = -Infinity;
      this.log.info({ fromMs, events: n }, 'resync: events marked unsent again');
      return n;
    } finally {
      if (this.state === 'paused') this.state = 'running';
      this.pump();
    }
  }

  /** Backlog, oldest unsent age, rate and errors, for health() and the status message. */
  metricsSnapshot(): Record<string, number | string | null> {
    const nowMs = this.now();
    if (nowMs - this.backlog.readAtMs >= BACKLOG_REFRESH_MS) {
      this.backlog = { readAtMs: nowMs, unsent: this.store.unsentCount(), oldestTsMs: this.store.oldestUnsentTsMs() };
    }
    const oldest = this.backlog.oldestTsMs;
    return {
      backlog: this.backlog.unsent,
      oldestUnsentAgeMs: oldest === null ? null : Math.max(0, nowMs - oldest),
      publishRateEps: Math.round(this.rate.perSecond() * 10) / 10,
      inFlight: this.inFlight,
      ...this.metrics,
      // Held events under the name health and status messages have always used.
      parkedEvents: this.held.size,
      lastError: this.lastError,
    };
  }

  private onUp(client: MqttClient, session: SessionInfo): void {
    if (this.state === 'stopped') return;
    this.generation++;
    this.client = client;
    this.maxPayloadBytes = session.maxPacketBytes ? session.maxPacketBytes - Buffer.byteLength(this.options.topic) - PUBLISH_OVERHEAD_BYTES : Infinity;
    if (session.maxPacketBytes && this.maxPayloadBytes < this.options.batch.maxBytes) {
      this.log.info({ brokerMaxPacketBytes: session.maxPacketBytes }, 'broker limits packet size; batches are kept below it');
    }
    this.inFlight = 0;
    this.held.requeueRetrying();
    this.resetCursor();
    this.needsRewind = false;
    this.refusals.startSession();
    this.pump();
  }

  private onDown(): void {
    if (this.client) this.noteSessionEnd();
    this.generation++;
    this.client = null;
    this.inFlight = 0;
    this.held.requeueRetrying();
    this.resetCursor();
    this.clearPoll();
    this.inFlightWaiters.wakeAll();
  }

  /** Reads start again at the durable position (ranges settled past a gap are kept). */
  private resetCursor(): void {
    this.cursor = this.store.ackedSeq();
    this.tracker.rewind(this.cursor);
  }

  private clearPoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private schedulePoll(delayMs = this.options.pollIntervalMs): void {
    if (this.pollTimer || this.state === 'stopped') return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pump();
    }, delayMs);
  }

  /** Fills the in-flight window from the store. Never throws. */
  private pump(): void {
    if (this.pumping) return;
    if (this.state !== 'running' || !this.client) {
      if (this.state === 'stopped') this.drainWaiters.wakeAll();
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
      const blockedMs = this.refusals.blockedForMs(this.now());
      if (blockedMs > 0) {
        this.schedulePoll(blockedMs);
        return;
      }
      this.retryHeld();
      while (this.inFlight < this.options.maxInFlight) {
        const batch = this.nextBatch();
        // The read-ahead is reading it; the batch-ready listener pumps again.
        if (batch === READ_PENDING) break;
        if (!batch) {
          exhausted = true;
          break;
        }
        if (batch.payload.length > this.maxPayloadBytes) {
          // Only a single event can exceed the limit (batches stop below it): the broker would refuse it.
          this.holdRefused(batch, REASON_CODE.PACKET_TOO_LARGE, tooLarge(batch));
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
      if (this.inFlight === 0) this.drainWaiters.wakeAll();
      this.schedulePoll();
    }
  }

  private get maxBatchBytes(): number {
    return Math.min(this.options.batch.maxBytes, this.maxPayloadBytes);
  }

  /**
   * The next batch of unsent events after the cursor (read ahead by the store's worker
   * when it has it ready, else read here; READ_PENDING while the worker reads it).
   * A read never crosses a held event or a range already acknowledged past a gap (a
   * batch's range must cover only events it carries); it steps over them instead.
   */
  private nextBatch(): Batch | null | typeof READ_PENDING {
    const jsonBudget = this.maxBatchBytes - this.encoder.overheadBytes;
    for (;;) {
      const heldBound = this.held.nextAfter(this.cursor);
      const settled = this.tracker.settledAfter(this.cursor);
      const bound = settled && settled.firstSeq < heldBound ? settled.firstSeq : heldBound;
      // Inside a refused batch's range events go one per batch.
      const maxEvents = this.refusals.maxEventsAfter(this.cursor, this.options.batch.maxEvents);
      const text = this.store.readNextBatch(this.cursor, bound, maxEvents, jsonBudget, this.encoder.prefix, this.encoder.suffix);
      if (text === READ_PENDING) return text;
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

  /** Republishes held events whose retry time has come, one per batch, outside the position. */
  private retryHeld(): void {
    if (this.held.size === 0) return;
    for (const seq of this.held.dueAt(this.now())) {
      if (this.inFlight >= this.options.maxInFlight || !this.client) return;
      const text = this.store.readBatch(seq - 1, seq + 1, 1, Infinity, this.encoder.prefix, this.encoder.suffix);
      if (!text) {
        // Retention deleted it.
        this.held.release(seq);
        continue;
      }
      const batch: Batch = { firstSeq: seq, lastSeq: seq, count: 1, payload: text.payload, firstJson: this.firstJsonOf(text), range: null };
      if (batch.payload.length > this.maxPayloadBytes) {
        this.holdRefused(batch, REASON_CODE.PACKET_TOO_LARGE, tooLarge(batch));
        continue;
      }
      // Not retried again while this attempt is in flight.
      this.held.markRetrying(seq);
      this.send(batch);
    }
  }

  /** A batch's range is acknowledged (or held): the durable position may move. */
  private settle(batch: Batch): void {
    if (!batch.range) return;
    const position = this.tracker.settle(batch.range);
    if (position !== null) this.store.advance(position, this.now());
  }

  private send(batch: Batch): void {
    const client = this.client!;
    const generation = this.generation;
    this.inFlight++;
    this.refusals.notePublished(batch.firstSeq, batch.lastSeq);
    client.publish(this.options.topic, batch.payload, { qos: 1 }, (err) => this.onAck(generation, batch, err));
  }

  private onAck(generation: number, batch: Batch, err: Error | undefined): void {
    if (generation !== this.generation) return;
    this.inFlight--;
    // A held event's retry that is not acknowledged waits for its next turn.
    if (!batch.range && err) this.held.retryFailed(batch.firstSeq, this.now() + this.heldRetryMs);
    this.refusals.noteAnswered();
    if (err) {
      const code = (err as Error & { code?: unknown }).code;
      if (typeof code === 'number' && code >= REASON_CODE.FIRST_ERROR) this.onRefused(batch, code, err.message);
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
        else if (this.held.has(batch.firstSeq)) this.held.release(batch.firstSeq);
        this.metrics.sentEvents += batch.count;
        this.metrics.sentBatches++;
        this.refusals.noteAccepted();
        this.rate.add(batch.count);
        this.backlog.readAtMs = -Infinity;
      } catch (e) {
        this.metrics.markErrors++;
        this.lastError = `cannot record PUBACK in the store: ${(e as Error).message}`;
        this.warnings.warn({ err: (e as Error).message, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq }, 'cannot record a PUBACK; these events will be sent again');
      }
    }
    if (this.inFlight === 0) this.inFlightWaiters.wakeAll();
    this.pump();
  }

  /**
   * A broker refusal (MQTT 5 PUBACK reason code). A refusal of the topic (ACL) holds
   * everything back and retries later; a refusal of the payload resends the batch's
   * events one by one and holds back only the refused ones.
   */
  private onRefused(batch: Batch, reasonCode: number, text: string): void {
    this.metrics.rejectedBatches++;
    this.lastError = describePublishRejection(reasonCode, text);
    const topicRefused = refusesTopic(reasonCode);
    if (batch.range && (topicRefused || batch.count > 1)) {
      this.tracker.fail(batch.range);
      this.needsRewind = true;
    }
    if (topicRefused) {
      const retryMs = this.options.blockedRetryMs ?? DEFAULT_BLOCKED_RETRY_MS;
      const reason = `${this.lastError} on ${this.options.topic}: check the broker's ACL; nothing is marked sent, retrying every ${Math.round(retryMs / 1000)} s`;
      this.refusals.blockTopic(this.now() + retryMs, reason);
      this.log.error({ reasonCode, topic: this.options.topic }, reason);
      return;
    }
    this.refusals.noteAccepted();
    if (batch.count > 1) {
      this.warnings.warn({ reasonCode, events: batch.count, firstSeq: batch.firstSeq }, `${this.lastError}; resending its events one by one`);
      this.refusals.sendSinglyThrough(batch.lastSeq);
      return;
    }
    this.holdRefused(batch, reasonCode, this.lastError);
    this.settle(batch);
  }

  /** The link went down: a session the broker closed right after our publishes narrows what comes next. */
  private noteSessionEnd(): void {
    const verdict = this.refusals.endSession();
    if (!verdict) return;
    this.metrics.droppedSessions++;
    this.lastError = `the broker closed the connection ${verdict.droppedInARow} time(s) in a row right after we published to ${this.options.topic}, acknowledging nothing: check its ACL for this topic and its maximum message size (mqtt.batch.maxBytes)`;
    this.warnings.warn({ firstSeq: verdict.firstSeq, batches: verdict.batches }, this.lastError);
    if (verdict.holdSeq !== null) {
      this.held.hold(verdict.holdSeq, 'the broker drops the connection when it is published', this.now() + this.heldRetryMs);
      this.metrics.rejectedEvents++;
      this.log.warn({ seq: verdict.holdSeq }, 'an event the broker drops the connection for is left unsent and retried later');
    }
  }

  /** Holds a single refused event back (in the store): unsent, retried after heldRetryMs. */
  private holdRefused(batch: Batch, reasonCode: number, why: string): void {
    this.metrics.rejectedEvents++;
    this.lastError = why;
    this.held.hold(batch.firstSeq, why, this.now() + this.heldRetryMs);
    this.warnings.warn(
      { reasonCode, id: eventIdOf(batch.firstJson), seq: batch.firstSeq, bytes: batch.payload.length },
      `${why}; the event stays unsent and is retried later`,
    );
  }

  private waitInFlightEmpty(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return this.inFlightWaiters.wait(timeoutMs);
  }
}

function tooLarge(batch: Batch): string {
  return `event larger than the broker's maximum packet size (${batch.payload.length} bytes payload)`;
}
