// Turns PUBACKs, which may arrive out of order with several batches in flight, into
// the outbox's durable position: the position only moves over the contiguous prefix
// of settled batches; batches acknowledged past a gap wait in memory (lost in a crash,
// so they are sent again: at-least-once).

/** One published batch's seq range. Gaps between ranges hold only held or missing events. */
export interface TrackedRange {
  firstSeq: number;
  lastSeq: number;
  /** in flight, settled (acknowledged, or held back), or failed (to be sent again). */
  state: 'inFlight' | 'settled' | 'failed';
}

export class AckTracker {
  /** Ranges in seq order. Small: the in-flight window plus ranges settled past a gap. */
  private readonly ranges: TrackedRange[] = [];

  get size(): number {
    return this.ranges.length;
  }

  /** Records a batch about to be published. Ranges are added in seq order between rewinds. */
  add(firstSeq: number, lastSeq: number): TrackedRange {
    const range: TrackedRange = { firstSeq, lastSeq, state: 'inFlight' };
    let i = this.ranges.length;
    while (i > 0 && this.ranges[i - 1]!.firstSeq > firstSeq) i--;
    this.ranges.splice(i, 0, range);
    return range;
  }

  /**
   * Marks a range settled and returns the new position (the last seq of the settled
   * prefix it completes), or null when the prefix did not grow.
   */
  settle(range: TrackedRange): number | null {
    range.state = 'settled';
    let position: number | null = null;
    while (this.ranges.length > 0 && this.ranges[0]!.state === 'settled') position = this.ranges.shift()!.lastSeq;
    return position;
  }

  fail(range: TrackedRange): void {
    range.state = 'failed';
  }

  /**
   * Before reading again from `position`: forgets ranges that are in flight (their link
   * is gone) or failed, and any at or below the position; keeps those settled past a gap.
   */
  rewind(position: number): void {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i]!;
      if (r.state !== 'settled' || r.lastSeq <= position) this.ranges.splice(i, 1);
    }
  }

  /** The first range settled past the read cursor, which the next read must stop before. */
  settledAfter(seq: number): TrackedRange | null {
    for (const r of this.ranges) if (r.state === 'settled' && r.firstSeq > seq) return r;
    return null;
  }

  clear(): void {
    this.ranges.length = 0;
  }
}
