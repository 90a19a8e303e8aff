// Capture time we can trust (#27). A sensor's clock may jump (RTC reset, NTP step) and a file
// may be out of order (merged or reversed captures). Offline, a whole file is sorted by time and
// small groups of records far from all the others are skipped and counted (`planTimeOrder`);
// live, a frame far from the sensor's current time is held until several frames agree with it
// (`CaptureTimeFilter`), so one far-off record cannot move presence days ahead.

/** Records separated from every other by more than this are "far off" (offline and live). */
export const FAR_OFF_MS = 3_600_000;
/** A group of fewer records than this, far off the rest, is a clock fault, not traffic. */
export const MIN_AGREEING_RECORDS = 8;

export interface TimeOrderPlan {
  /** Record indices in the order to visit them (time order, file order among equal times), far-off ones left out. */
  order: Uint32Array;
  /** Records earlier than the record just before them in the file (steps back; 0: in time order). */
  outOfOrder: number;
  /** Records left out: in a group of < MIN_AGREEING_RECORDS more than FAR_OFF_MS from the rest. */
  skipped: number;
}

/**
 * The visiting order of a capture's records from their times: time order, and groups of fewer
 * than `minAgreeing` records lying more than `farOffMs` from every other record skipped, as long
 * as some group is big enough to be the capture (a tiny capture is kept whole).
 */
export function planTimeOrder(tsMs: Float64Array, farOffMs = FAR_OFF_MS, minAgreeing = MIN_AGREEING_RECORDS): TimeOrderPlan {
  const n = tsMs.length;
  let outOfOrder = 0;
  for (let i = 1; i < n; i++) if (tsMs[i]! < tsMs[i - 1]!) outOfOrder++;
  const sorted = new Uint32Array(n);
  for (let i = 0; i < n; i++) sorted[i] = i;
  if (outOfOrder > 0) sorted.sort((a, b) => tsMs[a]! - tsMs[b]! || a - b);
  // Groups: runs of the sorted times without a gap over farOffMs.
  const groupStarts: number[] = [0];
  for (let i = 1; i < n; i++) if (tsMs[sorted[i]!]! - tsMs[sorted[i - 1]!]! > farOffMs) groupStarts.push(i);
  groupStarts.push(n);
  let biggest = 0;
  for (let g = 0; g + 1 < groupStarts.length; g++) biggest = Math.max(biggest, groupStarts[g + 1]! - groupStarts[g]!);
  if (n === 0 || groupStarts.length === 2 || biggest < minAgreeing) return { order: sorted, outOfOrder, skipped: 0 };
  const keep = new Uint32Array(n);
  let k = 0;
  for (let g = 0; g + 1 < groupStarts.length; g++) {
    const from = groupStarts[g]!;
    const to = groupStarts[g + 1]!;
    if (to - from < minAgreeing) continue;
    for (let i = from; i < to; i++) keep[k++] = sorted[i]!;
  }
  return { order: keep.subarray(0, k), outOfOrder, skipped: n - k };
}

/** What `CaptureTimeFilter.offer` decided about a frame. */
export const TimeVerdict = {
  /** In line with the sensor's time: use it now. */
  Accept: 0,
  /** Far off: held until more frames agree (or it is rejected). */
  Held: 1,
  /** Enough frames agreed: time stepped to them; use the held frames (`drainHeld`), this one included. */
  Step: 2,
} as const;
export type TimeVerdict = (typeof TimeVerdict)[keyof typeof TimeVerdict];

export interface TimeFilterCounters {
  /** Far-off frames that no others agreed with, dropped. */
  rejected: number;
  /** Time steps accepted (several frames agreed on a new time; the start's agreement is not one). */
  steps: number;
  /** Frames a little behind the sensor's time, accepted (sensors merging, driver reordering). */
  late: number;
}

const HOLD_BYTES = 4_096;

/**
 * Live guard on one sensor's frame times. The first frames are held until `minAgreeing` agree
 * (or `settle` at the end); then a frame within `farOffMs` ahead or `lateMs` behind the
 * latest accepted time is accepted. Any other is held (its bytes copied into a fixed
 * buffer); once `minAgreeing` held frames agree (each within `farOffMs` after the previous),
 * time steps to them and the held frames are handed back; a frame back in line first drops
 * the held ones as a clock fault (counted). No allocation per frame.
 */
export class CaptureTimeFilter {
  readonly counters: TimeFilterCounters = { rejected: 0, steps: 0, late: 0 };
  private refMs = NaN;
  private heldCount = 0;
  private readonly heldBytes: Buffer;
  private readonly heldLen: Int32Array;
  private readonly heldLink: Int32Array;
  private readonly heldTs: Float64Array;

  constructor(
    private readonly farOffMs = FAR_OFF_MS,
    private readonly lateMs = 60_000,
    private readonly minAgreeing = MIN_AGREEING_RECORDS,
  ) {
    this.heldBytes = Buffer.alloc(HOLD_BYTES * minAgreeing);
    this.heldLen = new Int32Array(minAgreeing);
    this.heldLink = new Int32Array(minAgreeing);
    this.heldTs = new Float64Array(minAgreeing);
  }

  /** The latest accepted time (NaN before the first frame). */
  get timeMs(): number {
    return this.refMs;
  }

  offer(buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number): TimeVerdict {
    // Before any time is agreed (start), every frame waits for others: the first record may be the fault.
    const d = tsMs - this.refMs;
    if (d <= this.farOffMs && d >= -this.lateMs) {
      if (this.heldCount > 0) {
        this.counters.rejected += this.heldCount;
        this.heldCount = 0;
      }
      if (d > 0) this.refMs = tsMs;
      else if (d < 0) this.counters.late++;
      return TimeVerdict.Accept;
    }
    if (this.heldCount > 0) {
      const step = tsMs - this.heldTs[this.heldCount - 1]!;
      if (step < -this.lateMs || step > this.farOffMs) {
        // Disagrees with the frames held so far: they were a fault; this one starts over.
        this.counters.rejected += this.heldCount;
        this.heldCount = 0;
      }
    }
    const i = this.heldCount++;
    const n = Math.min(len, HOLD_BYTES);
    this.heldBytes.set(buf.subarray(off, off + n), i * HOLD_BYTES);
    this.heldLen[i] = n;
    this.heldLink[i] = linkType;
    this.heldTs[i] = tsMs;
    if (this.heldCount < this.minAgreeing) return TimeVerdict.Held;
    // The start's agreement is not a step.
    if (!Number.isNaN(this.refMs)) this.counters.steps++;
    let latest = -Infinity;
    for (let j = 0; j < this.heldCount; j++) latest = Math.max(latest, this.heldTs[j]!);
    this.refMs = latest;
    return TimeVerdict.Step;
  }

  /**
   * At the end of a capture, or when a sensor stays quiet: frames held before any time was
   * agreed are all there is, so they are accepted (true: drain them). Frames held against an
   * agreed time are rejected (a fault at the very end).
   */
  settle(): boolean {
    if (this.heldCount === 0) return false;
    if (Number.isNaN(this.refMs)) {
      let latest = -Infinity;
      for (let j = 0; j < this.heldCount; j++) latest = Math.max(latest, this.heldTs[j]!);
      this.refMs = latest;
      return true;
    }
    this.counters.rejected += this.heldCount;
    this.heldCount = 0;
    return false;
  }

  /** After a Step or a settle: hands the held frames back in arrival order and forgets them. */
  drainHeld(visit: (buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number) => void): void {
    const n = this.heldCount;
    this.heldCount = 0;
    for (let j = 0; j < n; j++) visit(this.heldBytes, j * HOLD_BYTES, this.heldLen[j]!, this.heldLink[j]!, this.heldTs[j]!);
  }

  /** Frames held now (awaiting agreement). */
  get pending(): number {
    return this.heldCount;
  }
}
