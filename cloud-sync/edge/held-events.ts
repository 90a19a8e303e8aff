// Events the broker refused, held back unsent: recorded in the store (so they survive
// a restart) and kept here in seq order with the time of their next retry, so reads
// can stop before them and the retries find the due ones. One list, one word: "held".
import type { OutboxStore } from './outbox-store.ts';

/** A seq past any real one: no held event bounds the read. */
export const NO_BOUND = Number.MAX_SAFE_INTEGER;
/** Retry time of an event whose retry is in flight: not due again until its answer comes. */
const RETRY_IN_FLIGHT = Infinity;
/** Retry time of an event to retry at the next chance (at start, after a lost retry). */
const RETRY_NOW = 0;

interface HeldEntry {
  seq: number;
  retryAtMs: number;
}

export class HeldEvents {
  /** In seq order; few (events the broker refused one by one). */
  private readonly entries: HeldEntry[] = [];

  constructor(private readonly store: OutboxStore) {}

  get size(): number {
    return this.entries.length;
  }

  /** Reads the store's held events; each is retried at the next chance (docs/mqtt.md). */
  load(): void {
    this.entries.length = 0;
    for (const h of this.store.held()) this.entries.push({ seq: h.seq, retryAtMs: RETRY_NOW });
    this.entries.sort((a, b) => a.seq - b.seq);
  }

  has(seq: number): boolean {
    return this.indexOf(seq) >= 0;
  }

  /** The smallest held seq above `seq`, or NO_BOUND. */
  nextAfter(seq: number): number {
    const a = this.entries;
    const i = this.firstIndexAbove(seq);
    return i < a.length ? a[i]!.seq : NO_BOUND;
  }

  /** Holds an event back, in the store and here: unsent, retried at retryAtMs. */
  hold(seq: number, reason: string, retryAtMs: number): void {
    this.store.hold(seq, reason, retryAtMs);
    const i = this.indexOf(seq);
    if (i >= 0) this.entries[i]!.retryAtMs = retryAtMs;
    else this.entries.splice(this.firstIndexAbove(seq), 0, { seq, retryAtMs });
  }

  /** The event was acknowledged (or retention deleted it): no longer held, in the store and here. */
  release(seq: number): void {
    this.store.release(seq);
    const i = this.indexOf(seq);
    if (i >= 0) this.entries.splice(i, 1);
  }

  /** Seqs whose retry time has come, in seq order. */
  dueAt(nowMs: number): number[] {
    const due: number[] = [];
    for (const e of this.entries) if (e.retryAtMs <= nowMs) due.push(e.seq);
    return due;
  }

  /** A retry of `seq` is in flight: not due again until its answer. */
  markRetrying(seq: number): void {
    const i = this.indexOf(seq);
    if (i >= 0) this.entries[i]!.retryAtMs = RETRY_IN_FLIGHT;
  }

  /** The retry of `seq` was not acknowledged: it waits for retryAtMs. */
  retryFailed(seq: number, retryAtMs: number): void {
    const i = this.indexOf(seq);
    if (i >= 0 && this.entries[i]!.retryAtMs === RETRY_IN_FLIGHT) this.entries[i]!.retryAtMs = retryAtMs;
  }

  /** Retries whose answer can no longer arrive (the link changed) are tried again at the next chance. */
  requeueRetrying(): void {
    for (const e of this.entries) if (e.retryAtMs === RETRY_IN_FLIGHT) e.retryAtMs = RETRY_NOW;
  }

  private indexOf(seq: number): number {
    const i = this.firstIndexAbove(seq - 1);
    return i < this.entries.length && this.entries[i]!.seq === seq ? i : -1;
  }

  /** Index of the first entry with a seq above `seq` (binary search). */
  private firstIndexAbove(seq: number): number {
    const a = this.entries;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]!.seq > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
