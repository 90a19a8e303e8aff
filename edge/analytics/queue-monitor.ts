// One queue: people waiting in a queue area who are served when they cross the service
// line. Length now is the area's occupancy; the wait is estimated two ways: Little's law
// (mean length / smoothed service rate) and the measured times of the people served
// (queue entry -> service line), reported per minute.
import type { QueueConfig } from '../config/sections/analytics.ts';
import { Direction, type FloorLine, LineCounter, type LineCrossListener } from './line-counter.ts';
import { growF64, type TrackSlots } from './track-slots.ts';
import { ZoneCounter, type ZoneVisitListener } from './zone-counter.ts';

/** How long after leaving the queue area a service-line crossing still counts as served. */
const SERVED_AFTER_EXIT_MS = 30_000;

export interface QueueMinute {
  queue: string;
  /** Mean length over the minute. */
  length: number;
  maxLength: number;
  served: number;
  /** Smoothed service rate, people per minute. */
  throughputPerMin: number;
  /** Best current estimate: Little's law when a service rate is known, else the measured mean. */
  waitMs: number | null;
  littleWaitMs: number | null;
  /** Mean measured wait of the people served this minute (null if none). */
  measuredWaitMs: number | null;
}

export class QueueMonitor implements ZoneVisitListener, LineCrossListener {
  readonly name: string;
  readonly area: ZoneCounter;
  readonly serviceLine: LineCounter;
  private readonly servedDirection: number;
  private readonly smoothing: number;
  private entryTs = new Float64Array(0);
  private exitTs = new Float64Array(0);
  private served = 0;
  private waitSumMs = 0;
  private waitCount = 0;
  private throughputPerMin: number | null = null;
  /** Last measured waits (ring), for the current estimate between minutes. */
  private readonly recentWaits = new Float64Array(16);
  private recentCount = 0;
  private recentNext = 0;
  lastMinute: QueueMinute | null = null;
  servedTotal = 0;

  /** Box of the queue area and the service line grown by `marginPx`: points outside it
   * concern this queue only while the person is in its area or took a long step. */
  reachBox(marginPx: number): [number, number, number, number] {
    const p = this.area.polygon;
    const l = this.serviceLine;
    return [
      Math.min(p.minX, l.ax, l.bx) - marginPx,
      Math.min(p.minY, l.ay, l.by) - marginPx,
      Math.max(p.maxX, l.ax, l.bx) + marginPx,
      Math.max(p.maxY, l.ay, l.by) + marginPx,
    ];
  }

  /** `floor`: the service line mapped onto the floor (a calibrated camera), or null to count in the image. */
  constructor(config: QueueConfig, floor: FloorLine | null = null) {
    this.name = config.name;
    this.area = new ZoneCounter(
      { name: config.name, polygon: config.polygon, minStayMs: config.minStayMs, exitGraceMs: config.exitGraceMs },
      0,
      this,
    );
    this.serviceLine = new LineCounter({ name: `${config.name}.service`, points: config.serviceLine.points, minDistancePx: config.serviceLine.minDistancePx, minSideMs: config.serviceLine.minSideMs }, 0, this, floor);
    this.servedDirection = config.serviceLine.direction === 'in' ? Direction.In : config.serviceLine.direction === 'out' ? Direction.Out : 0;
    this.smoothing = config.smoothing;
  }

  ensureCapacity(n: number): void {
    this.area.ensureCapacity(n);
    this.serviceLine.ensureCapacity(n);
    if (this.entryTs.length < n) {
      this.entryTs = growF64(this.entryTs, n);
      this.exitTs = growF64(this.exitTs, n);
    }
  }

  reset(slot: number): void {
    this.area.reset(slot);
    this.serviceLine.reset(slot);
    this.entryTs[slot] = NaN;
    this.exitTs[slot] = NaN;
  }

  update(slot: number, view: TrackSlots): void {
    this.area.update(slot, view);
    this.serviceLine.update(slot, view);
  }

  finalize(slot: number, lastSeenTsMs: number): void {
    this.serviceLine.finalize(slot);
    this.area.finalize(slot, lastSeenTsMs);
    this.entryTs[slot] = NaN;
  }

  get length(): number {
    return this.area.occupancy;
  }

  onZoneEnter(_zone: number, slot: number, startTsMs: number): void {
    this.entryTs[slot] = startTsMs;
    this.exitTs[slot] = NaN;
  }

  onZoneVisit(_zone: number, slot: number, _start: number, _dwellMs: number, endTsMs: number): void {
    this.exitTs[slot] = endTsMs;
  }

  onLineCross(_line: number, slot: number, direction: Direction, tsMs: number): void {
    if (this.servedDirection !== 0 && direction !== this.servedDirection) return;
    const entry = this.entryTs[slot]!;
    if (Number.isNaN(entry)) return;
    const exit = this.exitTs[slot]!;
    if (!Number.isNaN(exit) && tsMs - exit > SERVED_AFTER_EXIT_MS) return;
    this.entryTs[slot] = NaN;
    const waitMs = tsMs - entry;
    this.served++;
    this.servedTotal++;
    this.waitSumMs += waitMs;
    this.waitCount++;
    this.recentWaits[this.recentNext] = waitMs;
    this.recentNext = (this.recentNext + 1) % this.recentWaits.length;
    if (this.recentCount < this.recentWaits.length) this.recentCount++;
  }

  sampleLength(): void {
    this.area.sampleOccupancy();
  }

  /** Mean of the last measured waits (null before anyone was served). */
  recentMeasuredWaitMs(): number | null {
    if (this.recentCount === 0) return null;
    let s = 0;
    for (let i = 0; i < this.recentCount; i++) s += this.recentWaits[i]!;
    return s / this.recentCount;
  }

  /** Current wait estimate for the rules (ms), from the last closed minute. */
  currentWaitMs(): number | null {
    return this.lastMinute?.waitMs ?? this.recentMeasuredWaitMs();
  }

  closeMinute(): QueueMinute | null {
    const occ = this.area.closeMinute();
    const served = this.served;
    const measured = this.waitCount > 0 ? this.waitSumMs / this.waitCount : null;
    this.served = 0;
    this.waitSumMs = 0;
    this.waitCount = 0;
    if (!occ) return null;
    const a = this.smoothing;
    this.throughputPerMin = this.throughputPerMin === null ? served : a * served + (1 - a) * this.throughputPerMin;
    const little = this.throughputPerMin > 1e-6 ? (occ.mean / this.throughputPerMin) * 60_000 : occ.mean === 0 ? 0 : null;
    const minute: QueueMinute = {
      queue: this.name,
      length: round2(occ.mean),
      maxLength: occ.max,
      served,
      throughputPerMin: round2(this.throughputPerMin),
      waitMs: little !== null ? Math.round(little) : measured !== null ? Math.round(measured) : this.recentMeasuredWaitMs(),
      littleWaitMs: little === null ? null : Math.round(little),
      measuredWaitMs: measured === null ? null : Math.round(measured),
    };
    this.lastMinute = minute;
    return minute;
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
