// Visits of one polygon zone: a visit opens once a foot point has stayed inside for
// `minStayMs` (shorter stays are flicker) and closes once it has been outside for
// `exitGraceMs` (or the track ends); its dwell runs from the first inside sample to the
// first outside one. Keeps occupancy now and per-minute samples (mean, max).
import { PackedPolygon } from '../shared/geometry.ts';
import { growF64, growU8, type TrackSlots } from './track-slots.ts';

export interface ZoneVisitListener {
  onZoneEnter(zoneIndex: number, slot: number, startTsMs: number, tsMs: number): void;
  onZoneVisit(zoneIndex: number, slot: number, startTsMs: number, dwellMs: number, endTsMs: number): void;
}

export interface ZoneGeometry {
  name: string;
  polygon: ReadonlyArray<readonly [number, number]>;
  minStayMs: number;
  exitGraceMs: number;
}

/** Occupancy figures of one closed minute. */
export interface OccupancyMinute {
  mean: number;
  max: number;
  /** Occupancy at the end of the minute. */
  count: number;
  /** Visits that opened during the minute. */
  entries: number;
  samples: number;
}

export class ZoneCounter {
  readonly name: string;
  readonly polygon: PackedPolygon;
  private readonly minStayMs: number;
  private readonly exitGraceMs: number;
  /** 1 while a confirmed visit is open. */
  private inside = new Uint8Array(0);
  /** First inside sample of the current raw-inside streak (NaN when outside). */
  private candidateTs = new Float64Array(0);
  /** First outside sample while a visit is open (NaN while inside). */
  private outsideTs = new Float64Array(0);
  private visitStartTs = new Float64Array(0);
  occupancy = 0;
  visits = 0;
  dwellSumMs = 0;
  private minuteSum = 0;
  private minuteSamples = 0;
  private minuteMax = 0;
  private minuteEntries = 0;

  constructor(
    geometry: ZoneGeometry,
    readonly index: number,
    private readonly listener: ZoneVisitListener,
  ) {
    this.name = geometry.name;
    this.polygon = new PackedPolygon(geometry.polygon);
    this.minStayMs = geometry.minStayMs;
    this.exitGraceMs = geometry.exitGraceMs;
  }

  ensureCapacity(n: number): void {
    if (this.inside.length >= n) return;
    this.inside = growU8(this.inside, n);
    this.candidateTs = growF64(this.candidateTs, n);
    this.outsideTs = growF64(this.outsideTs, n);
    this.visitStartTs = growF64(this.visitStartTs, n);
  }

  reset(slot: number): void {
    this.inside[slot] = 0;
    this.candidateTs[slot] = NaN;
    this.outsideTs[slot] = NaN;
  }

  /** Inside, or inside long enough to be a candidate: the zone must see this slot's next point. */
  isActive(slot: number): boolean {
    if (this.inside[slot] === 1) return true;
    const c = this.candidateTs[slot]!;
    return !Number.isNaN(c);
  }

  isInside(slot: number): boolean {
    return this.inside[slot] === 1;
  }

  visitStartOf(slot: number): number {
    return this.visitStartTs[slot]!;
  }

  /** Feeds the slot's current foot point and frame time (read from `view`). */
  update(slot: number, view: TrackSlots): void {
    this.updateInside(slot, view, this.polygon.contains(view.footX[slot]!, view.footY[slot]!));
  }

  /** As update(), when the caller already knows whether the foot point is in the polygon (a grid cell wholly inside or outside it). */
  updateInside(slot: number, view: TrackSlots, rawIn: boolean): void {
    const tsMs = view.frameTsMs;
    if (this.inside[slot] === 0) {
      if (!rawIn) {
        this.candidateTs[slot] = NaN;
        return;
      }
      let start = this.candidateTs[slot]!;
      if (Number.isNaN(start)) start = this.candidateTs[slot] = tsMs;
      if (tsMs - start >= this.minStayMs) {
        this.inside[slot] = 1;
        this.visitStartTs[slot] = start;
        this.outsideTs[slot] = NaN;
        this.occupancy++;
        this.minuteEntries++;
        this.listener.onZoneEnter(this.index, slot, start, tsMs);
      }
      return;
    }
    if (rawIn) {
      this.outsideTs[slot] = NaN;
      return;
    }
    let out = this.outsideTs[slot]!;
    if (Number.isNaN(out)) out = this.outsideTs[slot] = tsMs;
    if (tsMs - out >= this.exitGraceMs) this.close(slot, out);
  }

  /** The track is gone for good: close an open visit at the earlier of leaving and `lastSeenTsMs`. */
  finalize(slot: number, lastSeenTsMs: number): void {
    if (this.inside[slot] === 1) {
      const out = this.outsideTs[slot]!;
      this.close(slot, !Number.isNaN(out) && out < lastSeenTsMs ? out : lastSeenTsMs);
    }
    this.candidateTs[slot] = NaN;
  }

  private close(slot: number, endTsMs: number): void {
    this.inside[slot] = 0;
    this.candidateTs[slot] = NaN;
    this.outsideTs[slot] = NaN;
    this.occupancy--;
    const start = this.visitStartTs[slot]!;
    const dwellMs = Math.max(0, endTsMs - start);
    this.visits++;
    this.dwellSumMs += dwellMs;
    this.listener.onZoneVisit(this.index, slot, start, dwellMs, endTsMs);
  }

  /** Called once per frame after all updates. */
  sampleOccupancy(): void {
    this.minuteSum += this.occupancy;
    this.minuteSamples++;
    if (this.occupancy > this.minuteMax) this.minuteMax = this.occupancy;
  }

  /** Figures of the minute just closed (null without samples), and starts the next. */
  closeMinute(): OccupancyMinute | null {
    const out =
      this.minuteSamples === 0
        ? null
        : {
            mean: this.minuteSum / this.minuteSamples,
            max: this.minuteMax,
            count: this.occupancy,
            entries: this.minuteEntries,
            samples: this.minuteSamples,
          };
    this.minuteSum = 0;
    this.minuteSamples = 0;
    this.minuteMax = this.occupancy;
    this.minuteEntries = 0;
    return out;
  }
}
