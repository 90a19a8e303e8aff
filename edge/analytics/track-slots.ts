// Maps tracker ids to dense slot indices, so every analytics module keeps its per-track
// state in typed arrays indexed by slot. Also where "lost and found" happens: a new id
// that starts near where another track vanished moments ago takes over that slot, so
// lines, zones and paths see one person, not two.

import { IdSlotIndex } from './id-slot-index.ts';

export const enum SlotState {
  Free = 0,
  Active = 1,
  /** Ended (or vanished); kept for relinking until the gap window passes. */
  Lost = 2,
}

/** Bits of TrackSlots.atEdge. */
export const EDGE_LEFT = 1;
export const EDGE_TOP = 2;
export const EDGE_RIGHT = 4;
export const EDGE_BOTTOM = 8;

export class TrackSlots {
  capacity: number;
  /** Tracker id currently bound to the slot. */
  ids: Int32Array;
  /** First tracker id of the person (stays through relinks). */
  firstIds: Int32Array;
  state: Uint8Array;
  firstSeenTs: Float64Array;
  lastSeenTs: Float64Array;
  /** Last foot point and box height: what the modules read in `update(slot, slots)`. */
  footX: Float64Array;
  footY: Float64Array;
  boxH: Float64Array;
  /** The foot point before the current one (for where a step crossed a line). */
  prevX: Float64Array;
  prevY: Float64Array;
  /** Floor position (m) of the foot point and the one before it, when the camera is calibrated
   * (NaN: none yet). Floor-mode line counters read these instead of footX/footY. */
  floorX: Float64Array;
  floorY: Float64Array;
  prevFloorX: Float64Array;
  prevFloorY: Float64Array;
  /** Floor metres per image pixel at the foot point: the Jacobian d(x, y)/d(u, v), 4 per slot. */
  floorJ: Float64Array;
  /** Smoothed foot-point velocity (px/ms), for predicting where a lost person reappears. */
  velX: Float64Array;
  velY: Float64Array;
  /** Edges of the frame that cut the track's box (EDGE_LEFT | EDGE_TOP | EDGE_RIGHT | EDGE_BOTTOM). */
  atEdge: Uint8Array;
  /** Time of the frame being processed. Modules read it here rather than taking doubles as
   * call arguments, which V8 would box on every non-inlined call (a per-row allocation). */
  frameTsMs = 0;
  /** Frame stamp of the last update, to tell slots seen this frame from missing ones. */
  stamp: Uint32Array;
  activeCount = 0;
  lostCount = 0;
  relinks = 0;
  private readonly idToSlot = new IdSlotIndex();
  private freeStack: Int32Array;
  private freeTop = 0;

  constructor(initialCapacity = 64) {
    this.capacity = 0;
    this.ids = new Int32Array(0);
    this.firstIds = new Int32Array(0);
    this.state = new Uint8Array(0);
    this.firstSeenTs = new Float64Array(0);
    this.lastSeenTs = new Float64Array(0);
    this.footX = new Float64Array(0);
    this.footY = new Float64Array(0);
    this.boxH = new Float64Array(0);
    this.prevX = new Float64Array(0);
    this.prevY = new Float64Array(0);
    this.floorX = new Float64Array(0);
    this.floorY = new Float64Array(0);
    this.prevFloorX = new Float64Array(0);
    this.prevFloorY = new Float64Array(0);
    this.floorJ = new Float64Array(0);
    this.velX = new Float64Array(0);
    this.velY = new Float64Array(0);
    this.atEdge = new Uint8Array(0);
    this.stamp = new Uint32Array(0);
    this.freeStack = new Int32Array(0);
    this.grow(Math.max(4, initialCapacity));
  }

  /** Slot of a live id, or -1. */
  lookup(id: number): number {
    return this.idToSlot.get(id);
  }

  /** Binds a new id to a free slot (growing the arrays when full; check `capacity` after). */
  allocate(id: number, tsMs: number): number {
    if (this.freeTop === 0) this.grow(this.capacity * 2);
    const slot = this.freeStack[--this.freeTop]!;
    this.ids[slot] = id;
    this.firstIds[slot] = id;
    this.state[slot] = SlotState.Active;
    this.firstSeenTs[slot] = tsMs;
    this.lastSeenTs[slot] = tsMs;
    this.velX[slot] = 0;
    this.velY[slot] = 0;
    this.atEdge[slot] = 0;
    this.stamp[slot] = 0;
    this.idToSlot.set(id, slot);
    this.activeCount++;
    return slot;
  }

  /**
   * The slot of the track a new id most plausibly continues: lost or missing this frame
   * (`frameStamp`), last seen at most `maxGapMs` ago, and within reach of where it was
   * heading: its last foot point moved on by its velocity for the gap (at most
   * `predictMaxMs` of it), within `radiusPx` plus `radiusBoxesPerS` box heights per second
   * of gap (people walk about 0.75 of their height per second). A track last seen cut by the
   * frame's edge left the view and is not continued. The nearest relative to its reach wins.
   * -1 if none.
   */
  relinkCandidate(x: number, y: number, tsMs: number, frameStamp: number, maxGapMs: number, radiusPx: number, radiusBoxesPerS = 0, predictMaxMs = 0): number {
    if (maxGapMs <= 0 || radiusPx <= 0) return -1;
    let best = -1;
    let bestScore = 1;
    for (let s = 0; s < this.capacity; s++) {
      const st = this.state[s]!;
      if (st === SlotState.Free || this.stamp[s] === frameStamp || this.leftView(s)) continue;
      const gap = tsMs - this.lastSeenTs[s]!;
      if (gap <= 0 || gap > maxGapMs) continue;
      const ahead = gap < predictMaxMs ? gap : predictMaxMs;
      const dx = this.footX[s]! + this.velX[s]! * ahead - x;
      const dy = this.footY[s]! + this.velY[s]! * ahead - y;
      const reach = radiusPx + radiusBoxesPerS * this.boxH[s]! * (gap / 1000);
      const score = (dx * dx + dy * dy) / (reach * reach);
      if (score <= bestScore) {
        bestScore = score;
        best = s;
      }
    }
    return best;
  }

  /** Whether the track vanished through the frame's edge: cut by an edge and moving towards it. */
  leftView(slot: number): boolean {
    const e = this.atEdge[slot]!;
    if (e === 0) return false;
    const vx = this.velX[slot]!;
    const vy = this.velY[slot]!;
    return ((e & EDGE_LEFT) !== 0 && vx < 0) || ((e & EDGE_TOP) !== 0 && vy < 0) || ((e & EDGE_RIGHT) !== 0 && vx > 0) || ((e & EDGE_BOTTOM) !== 0 && vy > 0);
  }

  /** Binds `id` to an existing (lost or missing) slot: the same person continues. */
  relink(slot: number, id: number): void {
    const old = this.ids[slot]!;
    if (this.idToSlot.get(old) === slot) this.idToSlot.delete(old);
    if (this.state[slot] === SlotState.Lost) {
      this.lostCount--;
      this.activeCount++;
    }
    this.state[slot] = SlotState.Active;
    this.ids[slot] = id;
    this.idToSlot.set(id, slot);
    this.relinks++;
  }

  /** The tracker ended the id (or it went stale): keep the slot for relinking. */
  markLost(slot: number): void {
    if (this.state[slot] !== SlotState.Active) return;
    this.state[slot] = SlotState.Lost;
    this.idToSlot.delete(this.ids[slot]!);
    this.activeCount--;
    this.lostCount++;
  }

  release(slot: number): void {
    const st = this.state[slot]!;
    if (st === SlotState.Free) return;
    if (st === SlotState.Active) {
      if (this.idToSlot.get(this.ids[slot]!) === slot) this.idToSlot.delete(this.ids[slot]!);
      this.activeCount--;
    } else this.lostCount--;
    this.state[slot] = SlotState.Free;
    this.freeStack[this.freeTop++] = slot;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.ids = growInt32(this.ids, capacity);
    this.firstIds = growInt32(this.firstIds, capacity);
    this.state = growU8(this.state, capacity);
    this.firstSeenTs = growF64(this.firstSeenTs, capacity);
    this.lastSeenTs = growF64(this.lastSeenTs, capacity);
    this.footX = growF64(this.footX, capacity);
    this.footY = growF64(this.footY, capacity);
    this.boxH = growF64(this.boxH, capacity);
    this.prevX = growF64(this.prevX, capacity);
    this.prevY = growF64(this.prevY, capacity);
    this.floorX = growF64(this.floorX, capacity);
    this.floorY = growF64(this.floorY, capacity);
    this.prevFloorX = growF64(this.prevFloorX, capacity);
    this.prevFloorY = growF64(this.prevFloorY, capacity);
    this.floorJ = growF64(this.floorJ, 4 * capacity);
    this.velX = growF64(this.velX, capacity);
    this.velY = growF64(this.velY, capacity);
    this.atEdge = growU8(this.atEdge, capacity);
    this.stamp = growU32(this.stamp, capacity);
    const free = new Int32Array(capacity);
    free.set(this.freeStack.subarray(0, this.freeTop));
    // Push new slots so the lowest index is handed out first.
    for (let s = capacity - 1; s >= old; s--) free[this.freeTop++] = s;
    this.freeStack = free;
    this.capacity = capacity;
  }
}

export function growF64(a: Float64Array, n: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export function growInt32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export function growInt8(a: Int8Array, n: number): Int8Array<ArrayBuffer> {
  const b = new Int8Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}
