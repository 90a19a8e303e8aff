// The one inference queue for all cameras: a small ring of preallocated frame slots per
// camera. When inference falls behind, a camera's oldest waiting frame is overwritten
// (drop-oldest, counted), so memory never grows. Workers take frames round robin over the
// cameras with no frame in flight (`take`/`finish`): a camera that floods frames only
// overwrites its own ring and gets one turn in N, and one camera's frames are never
// detected out of order by two workers.
import type { RawFrame } from '../shared/event-bus.ts';

/** A preallocated slot holds a copy of a RawFrame (its own pixel buffer). */
export type QueueSlot = RawFrame;

class CameraRing {
  readonly slots: QueueSlot[] = [];
  head = 0;
  count = 0;
  received = 0;
  dropped = 0;
  processed = 0;
  /** A frame of this camera is being detected (taken, not yet finished). */
  inFlight = false;

  constructor(
    readonly camera: string,
    readonly depth: number,
  ) {}
}

export class FrameQueue {
  private readonly rings = new Map<string, CameraRing>();
  private readonly ringList: CameraRing[] = [];
  /** Where the next round-robin scan starts. */
  private cursor = 0;

  constructor(readonly depthPerCamera = 2) {}

  /** Copies the frame into a slot; returns true when an older frame had to be dropped. */
  push(frame: RawFrame): boolean {
    let ring = this.rings.get(frame.camera);
    if (!ring) {
      ring = new CameraRing(frame.camera, this.depthPerCamera);
      this.rings.set(frame.camera, ring);
      this.ringList.push(ring);
    }
    ring.received++;
    let dropped = false;
    if (ring.count === ring.depth) {
      ring.head = (ring.head + 1) % ring.depth;
      ring.count--;
      ring.dropped++;
      dropped = true;
    }
    const idx = (ring.head + ring.count) % ring.depth;
    const bytes = frame.width * frame.height * 3;
    let slot = ring.slots[idx];
    if (!slot) {
      slot = { camera: frame.camera, tsMs: 0, frameIndex: 0, sourceWidth: 0, sourceHeight: 0, width: 0, height: 0, data: Buffer.allocUnsafe(bytes) };
      ring.slots[idx] = slot;
    } else if (slot.data.length !== bytes) {
      slot.data = Buffer.allocUnsafe(bytes);
    }
    frame.data.copy(slot.data, 0, 0, bytes);
    slot.tsMs = frame.tsMs;
    slot.frameIndex = frame.frameIndex;
    slot.sourceWidth = frame.sourceWidth;
    slot.sourceHeight = frame.sourceHeight;
    slot.width = frame.width;
    slot.height = frame.height;
    ring.count++;
    return dropped;
  }

  /**
   * The oldest waiting frame across cameras, or null. The slot stays valid until the next
   * push for that camera; call `release()` once its pixels are consumed.
   */
  peekOldest(): QueueSlot | null {
    let best: CameraRing | null = null;
    let bestTs = Infinity;
    for (let i = 0; i < this.ringList.length; i++) {
      const r = this.ringList[i]!;
      if (r.count === 0) continue;
      const ts = r.slots[r.head]!.tsMs;
      if (ts < bestTs) {
        bestTs = ts;
        best = r;
      }
    }
    return best ? best.slots[best.head]! : null;
  }

  /**
   * The next frame round robin over cameras that have one waiting and none in flight, or
   * null; marks its camera in flight until `finish(camera)`. As with peekOldest, the slot
   * stays valid until the next push for that camera; call `release()` once its pixels are consumed.
   */
  take(): QueueSlot | null {
    const n = this.ringList.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const r = this.ringList[i]!;
      if (r.count === 0 || r.inFlight) continue;
      this.cursor = (i + 1) % n;
      r.inFlight = true;
      return r.slots[r.head]!;
    }
    return null;
  }

  /** The frame `take()` gave for `camera` is done (detected or failed): the camera may be taken again. */
  finish(camera: string): void {
    const r = this.rings.get(camera);
    if (r) r.inFlight = false;
  }

  /** Removes the head frame of `camera` (the one peekOldest returned) and counts it processed. */
  release(camera: string): void {
    const r = this.rings.get(camera);
    if (!r || r.count === 0) return;
    r.head = (r.head + 1) % r.depth;
    r.count--;
    r.processed++;
  }

  get waiting(): number {
    let n = 0;
    for (const r of this.ringList) n += r.count;
    return n;
  }

  counters(): Array<{ camera: string; received: number; processed: number; dropped: number; waiting: number }> {
    return this.ringList.map((r) => ({ camera: r.camera, received: r.received, processed: r.processed, dropped: r.dropped, waiting: r.count }));
  }
}
