// Everything analytics does for one camera, frame by frame: binds track ids to slots
// (with lost-and-found relinking), feeds each foot point to the counting lines, zones,
// queues and the heatmap, closes visits and paths when tracks end, and emits events
// (line.cross, zone.visit, zone.occupancy, path, queue) through the sink. Used by the
// stage (live) and by `footfall count` (MOT files) alike.
// On a calibrated camera every module sees one position per person, the floor position: the
// tracker's filtered one (TrackFrame.floor) or else the foot point mapped through the
// calibration. Lines count on the floor (band in metres); zones, queues and the heatmap test the
// floor position mapped back into the image (a polygon test is the same under the homography
// below the horizon). A foot point beyond the horizon has no floor position: it is counted
// (`beyondHorizon`) and left out of lines, zones, queues and the heatmap.
import { analyticsSection, BAND_M_DEFAULT, HOLD_S_DEFAULT, type LineConfig, type QueueConfig, type ZoneConfig } from '../config/sections/analytics.ts';
import type { EventSink, TrackFrame } from '../shared/types.ts';
import { HeatmapGrid, type HeatmapSnapshot } from './heatmap-grid.ts';
import { Direction, type FloorLine, LineCounter, type LineCrossListener } from './line-counter.ts';
import { CalibrationError, type FloorCalibration, HORIZON_EPS, MAX_FLOOR_RANGE_M } from '../shared/floor-calibration.ts';
import { PathRecorder, TransitionMatrix } from './path-recorder.ts';
import { QueueMonitor } from './queue-monitor.ts';
import { DwellHistogram } from './dwell-histogram.ts';
import { GeometryGrid, gridCellOf, LINE_MARGIN_PX, LONG_STEP_PX2 } from './geometry-grid.ts';
import { EDGE_BOTTOM, EDGE_LEFT, EDGE_RIGHT, EDGE_TOP, growU32, SlotState, TrackSlots } from './track-slots.ts';
import { ZoneCounter, type ZoneVisitListener } from './zone-counter.ts';
import { HOUR_MS, MINUTE_MS } from '../shared/time-units.ts';

/** The config schema's defaults, for callers that give no settings (one source of truth). */
const DEFAULT_ANALYTICS = analyticsSection.parse({});

/** Foot-point velocity: exponential smoothing gain per step, and the longest step it learns from. */
const VELOCITY_GAIN = 0.3;
const VELOCITY_MAX_STEP_MS = 500;
/** Farther than this a mapped foot point is no floor position (as FloorCalibration.toFloor). */
const FLOOR_LIMIT_M = MAX_FLOOR_RANGE_M * 10;
/** A box within this many px of the frame's edge is cut by it (detectors clip boxes to the frame). */
const EDGE_PX = 2;
/** rowSlot value of a row left out of this frame (a repeated id). */
const SKIP_ROW = -2;

export interface CameraGeometry {
  name: string;
  lines: readonly LineConfig[];
  zones: readonly ZoneConfig[];
  queues?: readonly QueueConfig[];
  /** Frame size in pixels, when known (the right and bottom edges; left and top are 0). */
  width?: number | undefined;
  height?: number | undefined;
  /** The camera's floor mapping (floorCalibrationOf(cameras[].calibration)): lines count on the floor in metres. */
  floor?: FloorCalibration | null | undefined;
}

/** A line's end points mapped onto the floor with its floor band and hold (throws CalibrationError beyond the horizon). */
export function floorLineOf(line: Pick<LineConfig, 'name' | 'points'> & Partial<Pick<LineConfig, 'bandM' | 'holdS' | 'bandNoiseBoxFraction'>>, calibration: FloorCalibration): FloorLine {
  const p = new Float64Array(4);
  const [[ax, ay], [bx, by]] = line.points;
  if (!calibration.toFloor(ax, ay, p, 0) || !calibration.toFloor(bx, by, p, 2)) {
    throw new CalibrationError(`line "${line.name}" has an end point on or beyond the horizon: it does not lie on the floor`);
  }
  // A floor plan seen from above is often a mirror image of the camera's view (image y down,
  // floor y away): then B -> A on the floor keeps `in` the same direction as drawn.
  const j = new Float64Array(4);
  calibration.jacobian((ax + bx) / 2, (ay + by) / 2, j, 0);
  const mirrored = j[0]! * j[3]! - j[1]! * j[2]! < 0;
  const bandM = line.bandM ?? BAND_M_DEFAULT;
  const bandNoiseBoxFraction = line.bandNoiseBoxFraction ?? 0;
  const holdMs = 1000 * (line.holdS ?? HOLD_S_DEFAULT);
  return mirrored ? { ax: p[2]!, ay: p[3]!, bx: p[0]!, by: p[1]!, bandM, bandNoiseBoxFraction, holdMs } : { ax: p[0]!, ay: p[1]!, bx: p[2]!, by: p[3]!, bandM, bandNoiseBoxFraction, holdMs };
}

export interface CameraAnalyticsOptions {
  camera: CameraGeometry;
  sink: EventSink;
  relinkMaxGapMs?: number;
  relinkRadiusPx?: number;
  /** Relink reach grows by this many box heights per second of gap (0: fixed radius). */
  relinkRadiusBoxesPerS?: number;
  /** Relink looks for the lost person where their velocity takes them, for at most this long (0: where last seen). */
  relinkPredictMaxMs?: number;
  staleTrackMs?: number;
  /** Heatmap cell size (px), or null for no heatmap. */
  heatmapCellPx?: number | null;
  /** Called with the finished grid when an hour rolls over (and on flush). */
  onHeatmapHour?: (snapshot: HeatmapSnapshot, hourStartMs: number) => void;
}

export interface CountTotals {
  lines: Record<string, { in: number; out: number }>;
  zones: Record<string, { visits: number; meanDwellMs: number }>;
  paths: Record<string, number>;
}

/** Per-minute counts over the last hour (ring), for "visitors in the last hour" rules. */
class HourRing {
  private readonly counts = new Float64Array(60);
  private readonly minutes = new Float64Array(60).fill(-1);

  add(tsMs: number, n = 1): void {
    const m = Math.floor(tsMs / MINUTE_MS);
    const i = ((m % 60) + 60) % 60;
    if (this.minutes[i] !== m) {
      this.minutes[i] = m;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  lastHour(nowMs: number): number {
    const now = Math.floor(nowMs / MINUTE_MS);
    let s = 0;
    for (let i = 0; i < 60; i++) if (this.minutes[i]! > now - 60 && this.minutes[i]! <= now) s += this.counts[i]!;
    return s;
  }
}

export class CameraAnalytics implements LineCrossListener, ZoneVisitListener {
  readonly camera: string;
  readonly slots = new TrackSlots(64);
  readonly lines: LineCounter[];
  private readonly lineConfigs: readonly LineConfig[];
  readonly zones: ZoneCounter[];
  readonly queues: QueueMonitor[];
  readonly paths = new PathRecorder();
  readonly transitions = new TransitionMatrix();
  readonly heatmap: HeatmapGrid | null;
  private readonly sink: EventSink;
  private readonly relinkMaxGapMs: number;
  private readonly relinkRadiusPx: number;
  private readonly relinkRadiusBoxesPerS: number;
  private readonly relinkPredictMaxMs: number;
  private readonly staleTrackMs: number;
  /** Right and bottom limits of a box that is not cut by the frame's edge (Infinity: unknown size). */
  private readonly edgeRight: number;
  private readonly edgeBottom: number;
  private readonly onHeatmapHour: CameraAnalyticsOptions['onHeatmapHour'];
  private readonly lineIns: HourRing[];
  private readonly zoneEntries: HourRing[];
  /** Dwell distribution per zone per hour. */
  readonly dwellHistograms: DwellHistogram[];
  private rowSlot = new Int32Array(256);
  /** Which lines and zones each point needs (see GeometryGrid). */
  private readonly grid: GeometryGrid;
  /** Per queue: x0, y0, x1, y1 of its reach (area and service line plus LINE_MARGIN_PX). */
  private readonly queueReach: Float64Array;
  /** Per slot: zones that must see its next point (inside or entering), bit k = zone k. */
  private zoneActive = new Uint32Array(0);
  private frameStamp = 0;
  /** No slot goes stale or past the relink window before this time: a lower bound, lowered as slots start or are lost, so most frames skip expire()'s scan. */
  private nextExpiryTs = -Infinity;
  private minuteMs = NaN;
  private hourMs = NaN;
  private capacity = 0;
  private readonly calibration: FloorCalibration | null;
  lastFrameTsMs = NaN;
  /** Rows whose foot point lay on or beyond the horizon (no floor position): left out of lines, zones and queues. */
  beyondHorizon = 0;
  frames = 0;
  trackUpdates = 0;
  events = 0;
  badRows = 0;

  constructor(options: CameraAnalyticsOptions) {
    this.camera = options.camera.name;
    this.sink = options.sink;
    this.relinkMaxGapMs = options.relinkMaxGapMs ?? DEFAULT_ANALYTICS.relinkMaxGapMs;
    this.relinkRadiusPx = options.relinkRadiusPx ?? DEFAULT_ANALYTICS.relinkRadiusPx;
    this.relinkRadiusBoxesPerS = options.relinkRadiusBoxesPerS ?? DEFAULT_ANALYTICS.relinkRadiusBoxesPerS;
    this.relinkPredictMaxMs = options.relinkPredictMaxMs ?? DEFAULT_ANALYTICS.relinkPredictMaxMs;
    this.staleTrackMs = options.staleTrackMs ?? DEFAULT_ANALYTICS.staleTrackMs;
    this.onHeatmapHour = options.onHeatmapHour;
    this.edgeRight = options.camera.width !== undefined ? options.camera.width - EDGE_PX : Infinity;
    this.edgeBottom = options.camera.height !== undefined ? options.camera.height - EDGE_PX : Infinity;
    this.lineConfigs = options.camera.lines;
    this.calibration = options.camera.floor ?? null;
    const cal = this.calibration;
    this.lines = options.camera.lines.map((l, i) => new LineCounter(l, i, this, cal ? floorLineOf(l, cal) : null));
    this.zones = options.camera.zones.map((z, i) => new ZoneCounter(z, i, this));
    // A queue's service line counts on the floor too, with the line defaults and its own hold.
    this.queues = (options.camera.queues ?? []).map(
      (q) => new QueueMonitor(q, cal ? floorLineOf({ name: `${q.name}.service`, points: q.serviceLine.points, holdS: q.serviceLine.minSideMs / 1000 }, cal) : null),
    );
    this.heatmap = options.heatmapCellPx ? new HeatmapGrid(options.heatmapCellPx) : null;
    this.lineIns = this.lines.map(() => new HourRing());
    this.zoneEntries = this.zones.map(() => new HourRing());
    this.dwellHistograms = this.zones.map(() => new DwellHistogram());
    this.grid = new GeometryGrid(this.lines, this.zones);
    this.queueReach = new Float64Array(this.queues.flatMap((q) => q.reachBox(LINE_MARGIN_PX)));
    this.syncCapacity();
  }

  private syncCapacity(): void {
    const n = this.slots.capacity;
    if (n === this.capacity) return;
    for (const l of this.lines) l.ensureCapacity(n);
    for (const z of this.zones) z.ensureCapacity(n);
    for (const q of this.queues) q.ensureCapacity(n);
    this.paths.ensureCapacity(n);
    this.zoneActive = growU32(this.zoneActive, n);
    this.capacity = n;
  }

  private resetSlot(slot: number): void {
    for (const l of this.lines) l.reset(slot);
    for (const z of this.zones) z.reset(slot);
    this.zoneActive[slot] = 0;
    for (const q of this.queues) q.reset(slot);
    this.paths.reset(slot);
  }

  process(frame: TrackFrame): void {
    const ts = frame.tsMs;
    this.rollClock(ts);
    this.frames++;
    const stamp = ++this.frameStamp;
    const slots = this.slots;
    const n = frame.count;
    if (this.rowSlot.length < n) this.rowSlot = new Int32Array(n * 2);
    const rowSlot = this.rowSlot;
    const ids = frame.ids;
    const boxes = frame.boxes;
    // Pass 1: known ids, so the relink search below only considers tracks missing now.
    for (let i = 0; i < n; i++) {
      let s = slots.lookup(ids[i]!);
      if (s >= 0 && slots.stamp[s] === stamp) {
        // The same id twice in one frame: keep its first box.
        this.badRows++;
        s = SKIP_ROW;
      } else if (s >= 0) slots.stamp[s] = stamp;
      rowSlot[i] = s;
    }
    // Pass 2: new ids continue a just-lost track nearby, or start a new one.
    for (let i = 0; i < n; i++) {
      if (rowSlot[i] !== -1) continue;
      const again = slots.lookup(ids[i]!);
      if (again >= 0 && slots.stamp[again] === stamp) {
        this.badRows++;
        rowSlot[i] = SKIP_ROW;
        continue;
      }
      const x = boxes[4 * i]! + boxes[4 * i + 2]! / 2;
      const y = boxes[4 * i + 1]! + boxes[4 * i + 3]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        this.badRows++;
        continue;
      }
      let s = slots.relinkCandidate(x, y, ts, stamp, this.relinkMaxGapMs, this.relinkRadiusPx, this.relinkRadiusBoxesPerS, this.relinkPredictMaxMs);
      // Either way the slot is live from now on: it can go stale staleTrackMs from now.
      this.expiryAtMost(ts + this.staleTrackMs);
      if (s >= 0) slots.relink(s, ids[i]!);
      else {
        s = slots.allocate(ids[i]!, ts);
        this.syncCapacity();
        this.resetSlot(s);
        // No previous point: the first one is shown to every line (see the line grid).
        slots.footX[s] = NaN;
        slots.footY[s] = NaN;
        slots.floorX[s] = NaN;
        slots.floorY[s] = NaN;
      }
      slots.stamp[s] = stamp;
      rowSlot[i] = s;
    }
    // Pass 3: feed every module (they read foot point, box height and time from `slots`).
    slots.frameTsMs = ts;
    const lines = this.lines;
    const zones = this.zones;
    const queues = this.queues;
    const heat = this.heatmap;
    const zoneCells = this.grid.zoneCells;
    const zoneInsideCells = this.grid.zoneInsideCells;
    const lineCells = this.grid.lineCells;
    const queueReach = this.queueReach;
    const lineAll = lines.length >= 32 ? 0xffffffff : ((1 << lines.length) - 1) >>> 0;
    const zoneActive = this.zoneActive;
    const hi = this.calibration !== null ? this.calibration.imageToFloor : null;
    const hf = this.calibration !== null ? this.calibration.floorToImage : null;
    const floorRows = hi !== null ? frame.floor : undefined;
    for (let i = 0; i < n; i++) {
      const s = rowSlot[i]!;
      if (s < 0) continue;
      let x = boxes[4 * i]! + boxes[4 * i + 2]! / 2;
      let y = boxes[4 * i + 1]! + boxes[4 * i + 3]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        this.badRows++;
        continue;
      }
      if (hi !== null && hf !== null) {
        // The person's floor position: the tracker's (filtered), else the foot point mapped. The
        // homography is written out here, not called: a non-inlined call with double arguments
        // would box them (a per-row allocation).
        let fx = 0;
        let fy = 0;
        let given = false;
        if (floorRows !== undefined && 2 * i + 1 < floorRows.length) {
          fx = floorRows[2 * i]!;
          fy = floorRows[2 * i + 1]!;
          given = Number.isFinite(fx) && Number.isFinite(fy);
        }
        if (given) {
          const wi = hf[6]! * fx + hf[7]! * fy + hf[8]!;
          if (Math.abs(wi) > 1e-12) {
            // Zones, queues and the heatmap see the same (filtered) position, in the image.
            x = (hf[0]! * fx + hf[1]! * fy + hf[2]!) / wi;
            y = (hf[3]! * fx + hf[4]! * fy + hf[5]!) / wi;
          } else given = false;
        }
        const w = hi[6]! * x + hi[7]! * y + hi[8]!;
        let onFloor = w > HORIZON_EPS * (Math.abs(hi[6]! * x) + Math.abs(hi[7]! * y) + Math.abs(hi[8]!));
        if (onFloor && !given) {
          fx = (hi[0]! * x + hi[1]! * y + hi[2]!) / w;
          fy = (hi[3]! * x + hi[4]! * y + hi[5]!) / w;
          onFloor = Math.abs(fx) < FLOOR_LIMIT_M && Math.abs(fy) < FLOOR_LIMIT_M;
        }
        if (!onFloor) {
          // Beyond the horizon: no floor position. The track stays alive, its modules wait.
          this.beyondHorizon++;
          slots.lastSeenTs[s] = ts;
          continue;
        }
        // Metres per pixel at the foot point (the Jacobian d(x, y)/d(u, v)): how far the
        // detector's pixel noise moves the person on the floor.
        const J = slots.floorJ;
        const o = 4 * s;
        const gx = (hi[0]! * x + hi[1]! * y + hi[2]!) / w;
        const gy = (hi[3]! * x + hi[4]! * y + hi[5]!) / w;
        J[o] = (hi[0]! - gx * hi[6]!) / w;
        J[o + 1] = (hi[1]! - gx * hi[7]!) / w;
        J[o + 2] = (hi[3]! - gy * hi[6]!) / w;
        J[o + 3] = (hi[4]! - gy * hi[7]!) / w;
        slots.prevFloorX[s] = slots.floorX[s]!;
        slots.prevFloorY[s] = slots.floorY[s]!;
        slots.floorX[s] = fx;
        slots.floorY[s] = fy;
      }
      const px = slots.footX[s]!;
      const py = slots.footY[s]!;
      const dtMs = ts - slots.lastSeenTs[s]!;
      // Smoothed velocity over steps of a live track (not across a relink's jump or a first point).
      if (dtMs > 0 && dtMs <= VELOCITY_MAX_STEP_MS && !Number.isNaN(px)) {
        slots.velX[s]! += VELOCITY_GAIN * ((x - px) / dtMs - slots.velX[s]!);
        slots.velY[s]! += VELOCITY_GAIN * ((y - py) / dtMs - slots.velY[s]!);
      }
      slots.prevX[s] = px;
      slots.prevY[s] = py;
      slots.footX[s] = x;
      slots.footY[s] = y;
      const bx = boxes[4 * i]!;
      const by = boxes[4 * i + 1]!;
      slots.boxH[s] = boxes[4 * i + 3]!;
      slots.atEdge[s] =
        (bx <= EDGE_PX ? EDGE_LEFT : 0) | (by <= EDGE_PX ? EDGE_TOP : 0) | (bx + boxes[4 * i + 2]! >= this.edgeRight ? EDGE_RIGHT : 0) | (y >= this.edgeBottom ? EDGE_BOTTOM : 0);
      slots.lastSeenTs[s] = ts;
      const cell = gridCellOf(x, y);
      // A new track (previous point NaN) or a long step goes to every line and queue.
      const longStep = !((x - px) * (x - px) + (y - py) * (y - py) <= LONG_STEP_PX2);
      // Floor lines see every point: their band is in metres, wider than the grid's pixel margin for near people.
      if (lineCells !== null && cell >= 0 && hi === null) {
        let mask = longStep ? lineAll : lineCells[cell]!;
        while (mask !== 0) {
          const k = 31 - Math.clz32(mask & -mask);
          mask = (mask & (mask - 1)) >>> 0;
          lines[k]!.update(s, slots);
        }
      } else for (let k = 0; k < lines.length; k++) lines[k]!.update(s, slots);
      if (zoneCells !== null && zoneInsideCells !== null) {
        // Only zones the cell touches, or that are tracking this slot, need the point; a
        // cell wholly inside a zone (or one it does not touch) answers the polygon test.
        const touching = cell >= 0 ? zoneCells[cell]! : 0;
        const insideAll = cell >= 0 ? zoneInsideCells[cell]! : 0;
        let mask = (zoneActive[s]! | touching) >>> 0;
        let active = 0;
        while (mask !== 0) {
          const k = 31 - Math.clz32(mask & -mask);
          const bit = 1 << k;
          mask = (mask & (mask - 1)) >>> 0;
          const z = zones[k]!;
          if ((insideAll & bit) !== 0) z.updateInside(s, slots, true);
          else if ((touching & bit) !== 0) z.update(s, slots);
          else z.updateInside(s, slots, false);
          if (z.isActive(s)) active |= bit;
        }
        zoneActive[s] = active >>> 0;
      } else for (let k = 0; k < zones.length; k++) zones[k]!.update(s, slots);
      if (queues.length > 0) {
        for (let k = 0; k < queues.length; k++) {
          const q = queues[k]!;
          const b = 4 * k;
          if (longStep || q.area.isActive(s) || (x >= queueReach[b]! && y >= queueReach[b + 1]! && x <= queueReach[b + 2]! && y <= queueReach[b + 3]!)) q.update(s, slots);
        }
      }
      if (heat) heat.addFoot(slots, s);
      this.trackUpdates++;
    }
    for (let k = 0; k < zones.length; k++) zones[k]!.sampleOccupancy();
    for (let k = 0; k < queues.length; k++) queues[k]!.sampleLength();
    // Ended ids: keep their slots for relinking until the gap window passes.
    for (let i = 0; i < frame.endedCount; i++) {
      const s = slots.lookup(frame.endedIds[i]!);
      if (s >= 0 && slots.stamp[s] !== stamp) {
        slots.markLost(s);
        this.expiryAtMost(slots.lastSeenTs[s]! + this.relinkMaxGapMs);
      }
    }
    this.expire(ts, false);
    this.lastFrameTsMs = ts;
  }

  /** Finalizes lost slots past the relink window, and ends tracks gone stale. */
  private expire(ts: number, all: boolean): void {
    const slots = this.slots;
    if (slots.lostCount === 0 && !all && this.frames % 8 !== 0) return;
    // Nothing can have expired yet: the scan would change nothing.
    if (!all && ts <= this.nextExpiryTs) return;
    let next = Infinity;
    for (let s = 0; s < slots.capacity; s++) {
      const st = slots.state[s]!;
      if (st === SlotState.Free) continue;
      const idle = ts - slots.lastSeenTs[s]!;
      if (st === SlotState.Active && (all || idle > this.staleTrackMs)) slots.markLost(s);
      if (slots.state[s] === SlotState.Lost && (all || idle > this.relinkMaxGapMs)) this.finalizeSlot(s);
      const left = slots.state[s]!;
      if (left !== SlotState.Free) {
        const at = slots.lastSeenTs[s]! + (left === SlotState.Active ? this.staleTrackMs : this.relinkMaxGapMs);
        if (at < next) next = at;
      }
    }
    this.nextExpiryTs = next;
  }

  private expiryAtMost(tsMs: number): void {
    if (tsMs < this.nextExpiryTs) this.nextExpiryTs = tsMs;
  }

  private finalizeSlot(slot: number): void {
    const last = this.slots.lastSeenTs[slot]!;
    for (const l of this.lines) l.finalize(slot);
    for (const z of this.zones) z.finalize(slot, last);
    for (const q of this.queues) q.finalize(slot, last);
    const path = this.paths.take(slot);
    if (path) {
      const names = path.zones.map((z) => this.zones[z]!.name);
      this.transitions.add(names, last);
      this.emit(last, 'path', { trackId: this.slots.firstIds[slot]!, zones: names, dwellsMs: path.dwellsMs });
    }
    this.slots.release(slot);
  }

  /** Closes minutes and hours that ended before `ts`. */
  private rollClock(ts: number): void {
    const minute = ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    if (Number.isNaN(this.minuteMs)) this.minuteMs = minute;
    else if (minute > this.minuteMs) {
      this.closeMinute(this.minuteMs);
      this.minuteMs = minute;
    }
    const hour = ts - (((ts % HOUR_MS) + HOUR_MS) % HOUR_MS);
    if (Number.isNaN(this.hourMs)) this.hourMs = hour;
    else if (hour > this.hourMs) {
      this.closeHour(this.hourMs);
      this.hourMs = hour;
    }
  }

  private closeMinute(minuteMs: number): void {
    for (const z of this.zones) {
      const m = z.closeMinute();
      if (m) {
        this.emit(minuteMs, 'zone.occupancy', {
          zone: z.name,
          mean: Math.round(m.mean * 100) / 100,
          max: m.max,
          count: m.count,
          entries: m.entries,
        });
      }
    }
    for (const q of this.queues) {
      const m = q.closeMinute();
      if (m) this.emit(minuteMs, 'queue', { ...m });
    }
  }

  private closeHour(hourMs: number): void {
    if (this.heatmap && this.onHeatmapHour && this.heatmap.samples > 0) this.onHeatmapHour(this.heatmap.takeSnapshot(), hourMs);
    else this.heatmap?.takeSnapshot();
  }

  /** Ends every track and closes the current minute and hour (end of file, shutdown). */
  flush(): void {
    const ts = this.lastFrameTsMs;
    if (Number.isNaN(ts)) return;
    this.expire(ts, true);
    this.closeMinute(this.minuteMs);
    this.closeHour(this.hourMs);
    this.minuteMs = NaN;
    this.hourMs = NaN;
  }

  onLineCross(lineIndex: number, slot: number, direction: Direction, tsMs: number): void {
    const dir = direction === Direction.In ? 'in' : 'out';
    if (direction === Direction.In) this.lineIns[lineIndex]!.add(tsMs);
    const data: Record<string, unknown> = { line: this.lines[lineIndex]!.name, direction: dir, trackId: this.slots.firstIds[slot]! };
    // A site entrance also says whether the person came into the site or left it.
    const config = this.lineConfigs[lineIndex]!;
    if (config.role === 'entrance') data.site = dir === config.intoSite ? 'in' : 'out';
    this.emit(tsMs, 'line.cross', data);
  }

  onZoneEnter(zoneIndex: number, _slot: number, _startTsMs: number, tsMs: number): void {
    this.zoneEntries[zoneIndex]!.add(tsMs);
  }

  onZoneVisit(zoneIndex: number, slot: number, startTsMs: number, dwellMs: number, endTsMs: number): void {
    this.paths.addVisit(slot, zoneIndex, startTsMs, dwellMs);
    this.dwellHistograms[zoneIndex]!.add(dwellMs, endTsMs);
    this.emit(endTsMs, 'zone.visit', { zone: this.zones[zoneIndex]!.name, trackId: this.slots.firstIds[slot]!, dwellMs, enteredAtMs: startTsMs });
  }

  private emit(tsMs: number, type: string, data: Record<string, unknown>): void {
    this.events++;
    this.sink.append({ tsMs, type, source: this.camera, data });
  }

  /** Whether any line of this camera is a site entrance. */
  get hasEntrance(): boolean {
    return this.lineConfigs.some((l) => l.role === 'entrance');
  }

  /** Live figures for rules and the status page. */
  occupancyOf(zone: string): number | null {
    const z = this.zones.find((q) => q.name === zone);
    return z ? z.occupancy : null;
  }

  queueOf(name: string): QueueMonitor | null {
    return this.queues.find((q) => q.name === name) ?? null;
  }

  /** Entries into a zone or `in` crossings of a line in the hour up to `nowMs` (null: unknown subject). */
  visitorsLastHour(subject: string, nowMs: number): number | null {
    const zi = this.zones.findIndex((z) => z.name === subject);
    if (zi >= 0) return this.zoneEntries[zi]!.lastHour(nowMs);
    const li = this.lines.findIndex((l) => l.name === subject);
    if (li >= 0) return this.lineIns[li]!.lastHour(nowMs);
    return null;
  }

  totals(): CountTotals {
    const lines: CountTotals['lines'] = {};
    for (const l of this.lines) lines[l.name] = { in: l.inCount, out: l.outCount };
    const zones: CountTotals['zones'] = {};
    for (const z of this.zones) zones[z.name] = { visits: z.visits, meanDwellMs: z.visits ? Math.round(z.dwellSumMs / z.visits) : 0 };
    const paths: CountTotals['paths'] = {};
    for (const [k, v] of [...this.transitions.total].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) paths[k] = v;
    return { lines, zones, paths };
  }
}
