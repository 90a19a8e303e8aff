// Counts crossings of one directed counting line A -> B by foot points. Side of P =
// sign of cross(B - A, P - A); `in` = negative -> positive, `out` = positive -> negative.
// A side only counts once the point is `minDistancePx` beyond the line (hysteresis, so a
// track wobbling on the line counts once), and a change of side only counts when the
// last step across the infinite line passed through the segment itself (closed: the end
// points count). A new side must also hold for `minSideMs` (not go back beyond the band
// on the old side meanwhile), so a one-frame box jump does not count twice. Per-track
// state lives in typed arrays indexed by slot.
// On a calibrated camera (a FloorLine given) the same rule runs on the floor: the line's end
// points mapped to metres, the foot point's floor position (TrackSlots.floorX/Y), the band in
// metres and the hold in ms; a side test is the same under the homography below the horizon,
// distances are not, so a far person gets the same band as a near one.
import { crossingParam } from '../shared/geometry.ts';
import { growF64, growInt8, growU8, type TrackSlots } from './track-slots.ts';

export const enum Direction {
  In = 1,
  Out = -1,
}

export interface LineCrossListener {
  onLineCross(lineIndex: number, slot: number, direction: Direction, tsMs: number): void;
}

export interface LineGeometry {
  name: string;
  points: readonly [readonly [number, number], readonly [number, number]];
  minDistancePx: number;
  /** How long a new side must hold before the crossing counts (0: at once). */
  minSideMs?: number;
  /** Band half-width as a fraction of the box height, when larger than minDistancePx (far/near people). */
  minDistanceBoxFraction?: number;
}

/** A line mapped onto the floor (metres) with its floor band and hold. */
export interface FloorLine {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  /** Band half-width on the floor (m). */
  bandM: number;
  /** The band widens to this many box heights of pixel noise, carried onto the floor across the line (0: off). */
  bandNoiseBoxFraction: number;
  /** How long a new side must hold (ms). */
  holdMs: number;
}

const PARAM_EPS = 1e-9;

export class LineCounter {
  readonly name: string;
  readonly ax: number;
  readonly ay: number;
  readonly bx: number;
  readonly by: number;
  private readonly invLength: number;
  private readonly minDistancePx: number;
  /** Confirmed side: -1, +1, or 0 while never beyond the band. */
  private side = new Int8Array(0);
  /** Raw side of the track's first point (decides a crossing of a track born on the line). */
  private birthRaw = new Int8Array(0);
  /** Raw side of the last point that was not exactly on the line (0: no point yet). The
   * previous sample itself is `view.prevX/prevY` (kept once per track, not per line). */
  private rawSign = new Int8Array(0);
  /** Whether the latest step across the infinite line went through the segment. */
  private throughSegment = new Uint8Array(0);
  /** A side change waiting for `minSideMs`: its side (0: none), since when, and whether it counts. */
  private pendingSide = new Int8Array(0);
  private pendingTs = new Float64Array(0);
  private pendingCounts = new Uint8Array(0);
  private readonly minSideMs: number;
  private readonly minDistanceBoxFraction: number;
  /** Floor mode: the rule runs on floor positions (m) against these end points. */
  readonly floor: boolean;
  private readonly fax: number;
  private readonly fay: number;
  private readonly fbx: number;
  private readonly fby: number;
  private readonly bandM: number;
  /** Floor mode: unit normal nx, ny of the floor line and bandNoiseBoxFraction (one typed array: no boxed fields). */
  private readonly floorNoise = new Float64Array(3);
  inCount = 0;
  outCount = 0;

  constructor(
    geometry: LineGeometry,
    readonly index: number,
    private readonly listener: LineCrossListener,
    floor: FloorLine | null = null,
  ) {
    this.name = geometry.name;
    const [[ax, ay], [bx, by]] = geometry.points;
    this.ax = ax;
    this.ay = ay;
    this.bx = bx;
    this.by = by;
    this.minDistancePx = geometry.minDistancePx;
    this.minSideMs = floor ? floor.holdMs : (geometry.minSideMs ?? 0);
    this.minDistanceBoxFraction = geometry.minDistanceBoxFraction ?? 0;
    this.floor = floor !== null;
    this.fax = floor ? floor.ax : ax;
    this.fay = floor ? floor.ay : ay;
    this.fbx = floor ? floor.bx : bx;
    this.fby = floor ? floor.by : by;
    this.bandM = floor ? floor.bandM : 0;
    if (floor) {
      const fl = Math.hypot(floor.bx - floor.ax, floor.by - floor.ay);
      this.floorNoise[0] = -(floor.by - floor.ay) / fl;
      this.floorNoise[1] = (floor.bx - floor.ax) / fl;
      this.floorNoise[2] = floor.bandNoiseBoxFraction;
    }
    this.invLength = floor ? 1 / Math.hypot(floor.bx - floor.ax, floor.by - floor.ay) : 1 / Math.hypot(bx - ax, by - ay);
  }

  ensureCapacity(n: number): void {
    if (this.side.length >= n) return;
    this.side = growInt8(this.side, n);
    this.birthRaw = growInt8(this.birthRaw, n);
    this.rawSign = growInt8(this.rawSign, n);
    this.throughSegment = growU8(this.throughSegment, n);
    this.pendingSide = growInt8(this.pendingSide, n);
    this.pendingTs = growF64(this.pendingTs, n);
    this.pendingCounts = growU8(this.pendingCounts, n);
  }

  reset(slot: number): void {
    this.side[slot] = 0;
    this.birthRaw[slot] = 0;
    this.rawSign[slot] = 0;
    this.throughSegment[slot] = 0;
    this.pendingSide[slot] = 0;
  }

  /** The track is gone: a side change still waiting for `minSideMs` stands (it never went back). */
  finalize(slot: number): void {
    if (this.pendingSide[slot] !== 0) this.commit(slot);
  }

  /** Confirmed side of a slot (-1, 0, +1), for tests and queue logic. */
  sideOf(slot: number): number {
    return this.side[slot]!;
  }

  /** Feeds the slot's current foot point (floor position in floor mode), box height and frame time (read from `view`). */
  update(slot: number, view: TrackSlots): void {
    const fl = this.floor;
    const x = fl ? view.floorX[slot]! : view.footX[slot]!;
    const y = fl ? view.floorY[slot]! : view.footY[slot]!;
    const tsMs = view.frameTsMs;
    const ax = this.fax;
    const ay = this.fay;
    const bx = this.fbx;
    const by = this.fby;
    // crossSide, written out: a non-inlined call with double arguments boxes them (allocation).
    const c = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (c !== 0) {
      const raw = c > 0 ? 1 : -1;
      const prevRaw = this.rawSign[slot]!;
      if (prevRaw === 0) this.birthRaw[slot] = raw;
      else if (raw !== prevRaw) {
        // The step from the previous sample (on the old side, or exactly on the line).
        const px = fl ? view.prevFloorX[slot]! : view.prevX[slot]!;
        const py = fl ? view.prevFloorY[slot]! : view.prevY[slot]!;
        const cp = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        // Same side as now: the line was crossed while the track was too far away to be
        // fed to this line (see CameraAnalytics' line grid), so not through the segment.
        if ((cp > 0 && c > 0) || (cp < 0 && c < 0)) this.throughSegment[slot] = 0;
        else {
          const t = crossingParam(ax, ay, bx, by, px, py, x, y, cp, c);
          this.throughSegment[slot] = t >= -PARAM_EPS && t <= 1 + PARAM_EPS ? 1 : 0;
        }
      }
      this.rawSign[slot] = raw;
    } else if (this.rawSign[slot] === 0) {
      // Born exactly on the line: no side yet, but a later step off it is a crossing
      // candidate through this point.
      return;
    }
    const d = c * this.invLength;
    const rel = this.minDistanceBoxFraction * view.boxH[slot]!;
    const h = fl ? this.bandM : rel > this.minDistancePx ? rel : this.minDistancePx;
    // Floor mode: the band widens to pixel noise of k box heights, as floor distance across the
    // line (|nᵀ·J|·k·h). Kept apart from h (compared, never assigned into it): h comes from fields
    // that may hold small integers, and a computed double merged into it would be boxed.
    let noise = 0;
    const fn = this.floorNoise;
    if (fl && fn[2]! > 0) {
      const J = view.floorJ;
      const o = 4 * slot;
      const gu = fn[0]! * J[o]! + fn[1]! * J[o + 2]!;
      const gv = fn[0]! * J[o + 1]! + fn[1]! * J[o + 3]!;
      noise = fn[2]! * view.boxH[slot]! * Math.sqrt(gu * gu + gv * gv);
    }
    const confirmed = h > 0 || noise > 0 ? (d >= h && d >= noise ? 1 : d <= -h && d <= -noise ? -1 : 0) : d > 0 ? 1 : d < 0 ? -1 : 0;
    const pending = this.pendingSide[slot]!;
    if (pending !== 0) {
      // Back on the old side of the line (even inside the band): the change did not hold.
      // A real crossing that wobbles back is picked up again on its next step over.
      const old = this.side[slot] !== 0 ? this.side[slot]! : this.birthRaw[slot]!;
      if ((c > 0 ? 1 : c < 0 ? -1 : 0) === old) this.pendingSide[slot] = 0;
      else if (tsMs - this.pendingTs[slot]! >= this.minSideMs) this.commit(slot);
    }
    if (confirmed === 0) return;
    const prev = this.side[slot]!;
    if (confirmed === prev || confirmed === this.pendingSide[slot]) return;
    const from = prev !== 0 ? prev : this.birthRaw[slot]!;
    const counts = from !== 0 && from !== confirmed && this.throughSegment[slot] === 1;
    this.throughSegment[slot] = 0;
    this.pendingSide[slot] = confirmed;
    this.pendingTs[slot] = tsMs;
    this.pendingCounts[slot] = counts ? 1 : 0;
    if (this.minSideMs <= 0) this.commit(slot);
  }

  private commit(slot: number): void {
    const side = this.pendingSide[slot]!;
    this.pendingSide[slot] = 0;
    this.side[slot] = side;
    if (this.pendingCounts[slot] !== 1) return;
    const tsMs = this.pendingTs[slot]!;
    if (side > 0) {
      this.inCount++;
      this.listener.onLineCross(this.index, slot, Direction.In, tsMs);
    } else {
      this.outCount++;
      this.listener.onLineCross(this.index, slot, Direction.Out, tsMs);
    }
  }
}
