// Reads the outbox's next batches ahead in a worker thread with its own read-only
// connection (outbox-read-worker.mjs), so building their JSON in SQLite (most of the
// outbox's cost) overlaps publishing instead of running on the publisher's thread.
// A batch read ahead is used only when it starts exactly where the caller's read
// starts, under the same limits, and ends before the caller's bound (held events,
// ranges settled past a gap); otherwise the caller's thread reads, as without
// read-ahead. Events never change once written and seqs are never reused, so a batch
// read ahead holds what a synchronous read would.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../shared/log.ts';
import { OUTBOX_BATCH_SQL, type OutboxBatchText } from './outbox-batch-reader.ts';
import type { BatchLimits, ReadAheadCommand, ReadAheadReply, ReadAheadWorkerData } from './outbox-read-protocol.ts';

const WORKER = new URL('./outbox-read-worker.mjs', import.meta.url);
/** Batches kept read ahead at most (each at most mqtt.batch.maxBytes). */
const READ_AHEAD_DEPTH = 8;

/** The batch asked for is being read by the worker: the batch-ready listener fires when it is in (or the worker fails). */
export const READ_PENDING = 'pending' as const;

type ReadBatch = (afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix: string, suffix: string) => OutboxBatchText | null;

interface ReadyBatch {
  afterSeq: number;
  batch: OutboxBatchText;
}

export interface ReadAheadMetrics {
  /** Batches taken from the worker. */
  readAhead: number;
  /** Batches read on the caller's thread (nothing fitting was ready). */
  readNow: number;
}

export class OutboxReadAhead {
  readonly metrics: ReadAheadMetrics = { readAhead: 0, readNow: 0 };
  /** Called when a batch (or the end of the store) arrives from the worker, or the worker fails. */
  onReady: (() => void) | null = null;
  private worker: Worker | null = null;
  /** The worker has its connection open (until then every read is on the caller's thread). */
  private workerReady = false;
  private failed = false;
  private closed = false;
  private generation = 0;
  private limits: BatchLimits | null = null;
  private envelopeBytes = 0;
  /** Where the worker's next batch starts; it reached the end of the store when streamEnded. */
  private expectedAfterSeq = -1;
  private streamEnded = true;
  private readonly ready: ReadyBatch[] = [];

  constructor(
    private readonly path: string,
    private readonly readNow: ReadBatch,
    private readonly log: Logger,
  ) {}

  /**
   * Same contract as OutboxState.readBatch, except that it returns READ_PENDING instead
   * of reading on this thread while the worker reads that very batch.
   */
  read(afterSeq: number, beforeSeq: number, maxEvents: number, maxJsonBytes: number, prefix: string, suffix: string): OutboxBatchText | null | typeof READ_PENDING {
    // Single-event reads (held retries, refused ranges) are never read ahead.
    if (maxEvents <= 1 || this.failed || this.closed) return this.readNow(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
    if (!this.worker) this.spawn();
    const l = this.limits;
    const sameLimits = l !== null && l.maxEvents === maxEvents && l.maxJsonBytes === maxJsonBytes && l.prefix === prefix && l.suffix === suffix;
    if (sameLimits) {
      // Batches the caller has read past (on its own thread, or stepping over a bound) are dropped.
      let taken = 0;
      while (this.ready.length > 0 && this.ready[0]!.afterSeq < afterSeq) {
        this.ready.shift();
        taken++;
      }
      const head = this.ready[0];
      if (head && head.afterSeq === afterSeq && head.batch.lastSeq < beforeSeq && (head.batch.bytes <= maxJsonBytes || head.batch.count === 1)) {
        this.ready.shift();
        this.send({ type: 'more', generation: this.generation, taken: taken + 1 });
        this.metrics.readAhead++;
        return head.batch;
      }
      if (taken > 0) this.send({ type: 'more', generation: this.generation, taken });
      if (!head && !this.streamEnded && this.expectedAfterSeq === afterSeq) return READ_PENDING;
    }
    const batch = this.readNow(afterSeq, beforeSeq, maxEvents, maxJsonBytes, prefix, suffix);
    this.metrics.readNow++;
    // A full batch means more may follow: (re)start the stream right after it, unless the
    // worker's next batch already starts there.
    if (batch && batch.count === maxEvents && this.workerReady) {
      const next = this.ready.length > 0 ? this.ready[0]!.afterSeq : this.expectedAfterSeq;
      if (!sameLimits || this.streamEnded || next !== batch.lastSeq) this.start(batch.lastSeq, { maxEvents, maxJsonBytes, prefix, suffix });
    }
    return batch;
  }

  /** Stops the worker. Reads after this are on the caller's thread. */
  close(): void {
    this.closed = true;
    this.ready.length = 0;
    this.onReady = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
  }

  private start(afterSeq: number, limits: BatchLimits): void {
    this.generation++;
    this.limits = limits;
    this.envelopeBytes = Buffer.byteLength(limits.prefix) + Buffer.byteLength(limits.suffix);
    this.ready.length = 0;
    this.streamEnded = false;
    this.expectedAfterSeq = afterSeq;
    this.send({ type: 'start', generation: this.generation, afterSeq, limits });
  }

  private send(command: ReadAheadCommand): void {
    this.worker?.postMessage(command);
  }

  private spawn(): Worker | null {
    if (this.failed || this.closed) return null;
    try {
      const data: ReadAheadWorkerData = { path: this.path, depth: READ_AHEAD_DEPTH, sql: OUTBOX_BATCH_SQL };
      // Plain JavaScript: no TypeScript loader (execArgv), so it starts in milliseconds.
      const worker = new Worker(WORKER, { workerData: data, execArgv: [] });
      worker.unref();
      worker.on('message', (reply: ReadAheadReply) => this.onReply(reply));
      worker.on('error', (err) => this.fail(err.message));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(`worker exited with code ${code}`);
      });
      this.worker = worker;
      return worker;
    } catch (err) {
      this.fail((err as Error).message);
      return null;
    }
  }

  private onReply(reply: ReadAheadReply): void {
    if (reply.type === 'error') {
      this.fail(reply.message);
      return;
    }
    if (reply.type === 'ready') {
      this.workerReady = true;
      return;
    }
    if (reply.generation !== this.generation || this.closed) return;
    if (reply.type === 'end') {
      this.streamEnded = true;
    } else {
      const p = reply.payload;
      const payload = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      const batch = { payload, firstSeq: reply.firstSeq, lastSeq: reply.lastSeq, count: reply.count, bytes: payload.length - this.envelopeBytes };
      this.ready.push({ afterSeq: reply.afterSeq, batch });
      this.expectedAfterSeq = reply.lastSeq;
    }
    this.onReady?.();
  }

  /** Without the worker every read is on the caller's thread: slower, never wrong. */
  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.ready.length = 0;
    this.log.warn({ err: message }, 'outbox read-ahead worker failed; reading batches on the publisher thread');
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
    this.onReady?.();
  }
}
