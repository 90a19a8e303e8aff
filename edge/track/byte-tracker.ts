// ByteTrack-family multi-person tracker on typed arrays: time-aware Kalman filter per
// track, two-stage IoU association (high-score detections first, then low-score ones
// against the remaining tracks), tentative -> confirmed -> lost -> removed lifecycle with
// re-activation, and from OC-SORT the observation-centric re-update after a gap and the
// recovery association by last observed box. Every buffer is preallocated and only grows
// when the number of targets exceeds it.
import { TrackState } from '../shared/types.ts';
import { GENERIC_THRESHOLDS, type TrackerConfig } from '../config/sections/tracker.ts';
import { kalmanBox, kalmanInit, kalmanPredict, kalmanUpdate, KF_BLOCK, KF_STRIDE, KfCoord, KfField, type KalmanNoise } from './kalman.ts';
import { LinearAssignment } from './linear-assignment.ts';
import { MAX_FLOOR_RANGE_M, type FloorCalibration } from '../shared/floor-calibration.ts';
import { FLOOR_KF_STRIDE, FLOOR_MEAS_STRIDE, floorCost, floorInit, floorPredict, floorUpdate } from './floor-kalman.ts';
import { ScoreMapper } from './score-mapper.ts';

/** Slots of the tracker's `io` scratch beyond [0] frame time, [1] time step, [2..6) measurement. */
const IO_ACCEL_VAR = 6;
const IO_FLOOR_COST = 7;
const IO_SIZE = 8;
/** Foot points mapping farther than this (m) are treated as beyond the horizon (as FloorCalibration.toFloor). */
const MAX_FLOOR_COORD_M = MAX_FLOOR_RANGE_M * 10;

/** Slot state of a free pool entry (not a track). */
const FREE = 255;
/** A lost track counts as uncertain (TrackerOutput.uncertainCount) for this long after its last detection (ms). */
export const UNCERTAIN_LOST_MS = 1000;

/** One frame of tracker output; arrays are reused for the next frame (copy what you keep). */

/**
 * The associations of a frame; update() runs them in the order First, LowScore, Recovery,
 * Tentative. The values index `limits`.
 */
const enum AssociationStage {
  /** Confirmed and lost tracks vs high-score detections. */
  First = 0,
  /** Still-unmatched confirmed tracks vs low-score detections. */
  LowScore = 1,
  /** Tentative tracks vs the high-score detections left. */
  Tentative = 2,
  /** Lost tracks by their last observed box (OC-SORT recovery). */
  Recovery = 3,
}

export interface TrackerOutput {
  tsMs: number;
  /** Confirmed tracks updated by a detection in this frame (plus coasting lost tracks when coastMs > 0). */
  count: number;
  ids: Int32Array;
  /** x, y, w, h per row (top-left origin, source pixels), the filtered box. */
  boxes: Float32Array;
  /** Detector score (mapped to [0, 1]) of the detection that updated the track. */
  scores: Float32Array;
  /** vx, vy of the box centre per row, pixels per second. */
  velocities: Float32Array;
  /** Time since the track started, ms. */
  agesMs: Float64Array;
  /** TrackState per row (Confirmed for reported rows). */
  states: Uint8Array;
  /** Floor position x, y per row (metres) from the floor filter; NaN without a calibration. */
  floor: Float32Array;
  /** Floor velocity vx, vy per row (m/s); NaN without a calibration. */
  floorVelocities: Float32Array;
  /** Ids of confirmed tracks removed in this frame. */
  endedCount: number;
  endedIds: Int32Array;
  /** Live tracks not reported as confirmed that the tracker is unsure of: tentative, or lost within UNCERTAIN_LOST_MS. */
  uncertainCount: number;
}

/** Per-frame problems the tracker absorbed (counted, never thrown). */
export interface TrackerCounters {
  frames: number;
  /** Of `frames`, frames advanced by predict() (not detected: no association, no state change). */
  predictedFrames: number;
  /** Frames dropped because their time was before the previous frame's. */
  outOfOrderFrames: number;
  /** Detections dropped for NaN or non-positive sizes or a NaN score. */
  invalidDetections: number;
  /** Detections ignored because maxTracks was reached. */
  poolExhausted: number;
  /** Detections dropped in floor mode because their foot point maps beyond the horizon. */
  beyondHorizon: number;
}

/** Floor mode: the camera's calibration (image pixels -> floor metres). */
export interface FloorTracking {
  calibration: FloorCalibration;
}

export type TrackerOptions = TrackerConfig;

export class ByteTracker {
  readonly output: TrackerOutput;
  readonly counters: TrackerCounters = { frames: 0, predictedFrames: 0, outOfOrderFrames: 0, invalidDetections: 0, poolExhausted: 0, beyondHorizon: 0 };

  private readonly noise: KalmanNoise;
  private readonly scoreMapper: ScoreMapper;
  private readonly lap = new LinearAssignment();
  private nextId = 1;
  private lastTimeMs = NaN;
  /**
   * [0] frame time (ms), [1] time step scratch (ms), [2..6) a measurement scratch. Doubles
   * travel through this array instead of call arguments so nothing is boxed per frame.
   */
  private readonly io = new Float64Array(IO_SIZE);
  /** Cost limits of the four associations (1 - minimum IoU), indexed by AssociationStage. */
  private readonly limits: Float64Array;
  private firstFrame = true;

  // Track pool (slot-indexed).
  private capacity = 0;
  private kf = new Float64Array(0);
  private state = new Uint8Array(0);
  private trackId = new Int32Array(0);
  private hits = new Int32Array(0);
  private startMs = new Float64Array(0);
  private lastUpdateMs = new Float64Array(0);
  private predictedMs = new Float64Array(0);
  private trackScore = new Float32Array(0);
  /** Last observed box (cx, cy, w, h), for the observation-centric re-update. */
  private lastObs = new Float64Array(0);
  /** Predicted box per slot (x1, y1, x2, y2) for IoU. */
  private tbox = new Float64Array(0);
  /** Last observed box per slot (x1, y1, x2, y2), filled for the recovery association. */
  private obox = new Float64Array(0);
  private matchedNow = new Uint8Array(0);
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  private live = new Int32Array(0);
  private liveCount = 0;
  private group = new Int32Array(0);

  // Detection buffers (grow with the largest frame).
  private detCapacity = 0;
  private dbox = new Float64Array(0); // x1, y1, x2, y2
  private dmeas = new Float64Array(0); // cx, cy, w, h
  private dscore = new Float32Array(0);
  private dused = new Uint8Array(0);
  private high = new Int32Array(0);
  private low = new Int32Array(0);
  private cost = new Float64Array(0);

  /** Resolved thresholds (the config's, else the generic ones). */
  private readonly highScore: number;
  private readonly newTrackScore: number;

  // Floor mode (a calibrated camera): a floor Kalman filter per slot, floor measurements per detection.
  private readonly calibration: FloorCalibration | null;
  private floorKf = new Float64Array(0);
  private dfloor = new Float64Array(0);
  /** Cost limits of the floor associations, indexed by AssociationStage (Recovery unused). */
  private readonly floorLimits: Float64Array;

  constructor(
    private readonly options: TrackerOptions,
    floor?: FloorTracking,
  ) {
    this.calibration = floor?.calibration ?? null;
    this.io[IO_ACCEL_VAR] = options.floorAccelStd * options.floorAccelStd;
    this.floorLimits = new Float64Array([options.floorGate, options.floorLowGate, options.floorGate, options.floorGate]);
    this.highScore = options.highScore ?? GENERIC_THRESHOLDS.highScore;
    this.newTrackScore = options.newTrackScore ?? GENERIC_THRESHOLDS.newTrackScore;
    this.noise = {
      stdWeightPosition: options.stdWeightPosition,
      stdWeightVelocity: options.stdWeightVelocity,
      stdWeightMeasurement: options.stdWeightMeasurement,
      referenceIntervalMs: options.referenceIntervalMs,
    };
    this.scoreMapper = new ScoreMapper({
      mode: options.scoreMapping,
      scoreMin: options.scoreMin,
      scoreMax: options.scoreMax,
      rankWindow: options.rankWindow,
      rankExponent: options.rankExponent,
      autoFallback: options.autoFallback,
    });
    // Indexed by AssociationStage.
    this.limits = new Float64Array([1 - options.matchIou, 1 - options.lowMatchIou, 1 - options.tentativeMatchIou, 1 - options.recoveryIou]);
    this.output = {
      tsMs: 0,
      count: 0,
      ids: new Int32Array(0),
      boxes: new Float32Array(0),
      scores: new Float32Array(0),
      velocities: new Float32Array(0),
      agesMs: new Float64Array(0),
      states: new Uint8Array(0),
      floor: new Float32Array(0),
      floorVelocities: new Float32Array(0),
      endedCount: 0,
      endedIds: new Int32Array(0),
      uncertainCount: 0,
    };
    this.growTracks(64);
    this.growDetections(64);
  }

  /** Live tracks of any state (tentative, confirmed, lost). */
  get liveTracks(): number {
    return this.liveCount;
  }

  /**
   * Advances to frameTimeMs on a frame the detector did not run on (sparse detection): every
   * live track is Kalman-predicted to the frame and the confirmed ones (and coasting lost ones,
   * as in update) are reported at their predicted boxes. No association, no state change, no
   * expiry: a frame not looked at is not evidence that anyone left. Allocates nothing.
   */
  predict(frameTimeMs: number): TrackerOutput {
    if (!this.beginFrame(frameTimeMs)) return this.output;
    this.counters.predictedFrames++;
    this.predictLive();
    this.writeOutput(true);
    return this.output;
  }

  /** Starts a frame: clears the output; false (counted) when the time is not finite or goes back. */
  private beginFrame(frameTimeMs: number): boolean {
    const out = this.output;
    out.count = 0;
    out.endedCount = 0;
    if (!Number.isFinite(frameTimeMs) || frameTimeMs < this.lastTimeMs) {
      this.counters.outOfOrderFrames++;
      return false;
    }
    this.counters.frames++;
    out.tsMs = frameTimeMs;
    this.lastTimeMs = frameTimeMs;
    this.io[0] = frameTimeMs;
    return true;
  }

  /** Kalman-predicts every live track to the frame time in io[0] (image box, and floor state when calibrated). */
  private predictLive(): void {
    const frameTimeMs = this.io[0]!;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      this.io[1] = frameTimeMs - this.predictedMs[slot]!;
      kalmanPredict(this.kf, slot, this.io, 1, this.noise, this.state[slot] === TrackState.Lost);
      if (this.calibration) {
        this.io[1] = this.io[1]! / 1000;
        floorPredict(this.floorKf, slot, this.io, 1, IO_ACCEL_VAR);
      }
      this.predictedMs[slot] = frameTimeMs;
      this.refreshBox(slot);
    }
  }

  /**
   * Advances to frameTimeMs with this frame's detections (boxes x, y, w, h, top-left; raw
   * detector scores) and returns the confirmed tracks seen in it.
   */
  update(frameTimeMs: number, detections: { count: number; boxes: Float32Array | Float64Array; scores: Float32Array }): TrackerOutput {
    const out = this.output;
    if (!this.beginFrame(frameTimeMs)) return out;
    const o = this.options;

    // 1. Remove tracks lost for too long (before predicting across a huge gap).
    this.expire();

    // 2. Detections: validate, map scores, split into high and low.
    const nd = this.loadDetections(detections);
    let nHigh = 0;
    let nLow = 0;
    for (let d = 0; d < nd; d++) {
      const s = this.dscore[d]!;
      if (s >= this.highScore) this.high[nHigh++] = d;
      else if (s >= o.lowScore) this.low[nLow++] = d;
      else this.dused[d] = 1;
    }

    // 3. Predict every live track to this frame.
    this.predictLive();
    for (let k = 0; k < this.liveCount; k++) this.matchedNow[this.live[k]!] = 0;

    // 4. First association: confirmed and lost tracks vs high-score detections.
    let ng = 0;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      const st = this.state[slot];
      if (st === TrackState.Confirmed || st === TrackState.Lost) this.group[ng++] = slot;
    }
    this.associate(ng, this.high, nHigh, AssociationStage.First);

    // 5. Second association: still-unmatched confirmed (not lost) tracks vs low-score detections.
    let ng2 = 0;
    for (let k = 0; k < ng; k++) {
      const slot = this.group[k]!;
      if (!this.matchedNow[slot] && this.state[slot] === TrackState.Confirmed) this.group[ng2++] = slot;
    }
    this.associate(ng2, this.low, nLow, AssociationStage.LowScore);
    for (let k = 0; k < ng2; k++) {
      const slot = this.group[k]!;
      if (!this.matchedNow[slot]) this.state[slot] = TrackState.Lost;
    }

    // 5b. Recovery (OC-SORT OCR): unmatched confirmed/lost tracks by their last observed box.
    let nHighLeft = 0;
    for (let k = 0; k < nHigh; k++) {
      const d = this.high[k]!;
      if (!this.dused[d]) this.high[nHighLeft++] = d;
    }
    // Floor mode needs no recovery by last box: a lost track's floor covariance grows with the gap.
    if (o.recoveryIou > 0 && nHighLeft > 0 && !this.calibration) {
      let nr = 0;
      for (let k = 0; k < this.liveCount; k++) {
        const slot = this.live[k]!;
        if (this.state[slot] !== TrackState.Lost || this.matchedNow[slot]) continue;
        this.group[nr++] = slot;
        const b = 4 * slot;
        const w = this.lastObs[b + 2]!;
        const h = this.lastObs[b + 3]!;
        this.obox[b] = this.lastObs[b]! - w / 2;
        this.obox[b + 1] = this.lastObs[b + 1]! - h / 2;
        this.obox[b + 2] = this.lastObs[b]! + w / 2;
        this.obox[b + 3] = this.lastObs[b + 1]! + h / 2;
      }
      this.associate(nr, this.high, nHighLeft, AssociationStage.Recovery);
    }

    // 6. Tentative tracks vs the high-score detections left; unmatched tentatives die.
    let nt = 0;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      if (this.state[slot] === TrackState.Tentative) this.group[nt++] = slot;
    }
    let nLeft2 = 0;
    for (let k = 0; k < nHighLeft; k++) {
      const d = this.high[k]!;
      if (!this.dused[d]) this.high[nLeft2++] = d;
    }
    nHighLeft = nLeft2;
    this.associate(nt, this.high, nHighLeft, AssociationStage.Tentative);
    for (let k = 0; k < nt; k++) {
      const slot = this.group[k]!;
      if (!this.matchedNow[slot]) this.state[slot] = FREE;
    }

    // 7. New tentative tracks from confident unmatched detections.
    for (let k = 0; k < nHighLeft; k++) {
      const d = this.high[k]!;
      if (this.dused[d] || this.dscore[d]! < this.newTrackScore) continue;
      this.startTrack(d);
    }
    this.firstFrame = false;

    // 8. Compact the live list (drop freed slots) and write the output.
    this.compactAndOutput();
    return out;
  }

  private expire(): void {
    const nowMs = this.io[0]!;
    const maxLost = this.options.maxLostMs;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      const st = this.state[slot];
      if ((st === TrackState.Lost || st === TrackState.Confirmed) && nowMs - this.lastUpdateMs[slot]! > maxLost) {
        this.endTrack(slot);
      } else if (st === TrackState.Tentative && nowMs - this.lastUpdateMs[slot]! > maxLost) {
        this.state[slot] = FREE;
      }
    }
  }

  private endTrack(slot: number): void {
    const out = this.output;
    if (out.endedIds.length <= out.endedCount) {
      const next = new Int32Array(Math.max(16, out.endedIds.length * 2));
      next.set(out.endedIds);
      out.endedIds = next;
    }
    out.endedIds[out.endedCount++] = this.trackId[slot]!;
    this.state[slot] = FREE;
  }

  private loadDetections(det: { count: number; boxes: Float32Array | Float64Array; scores: Float32Array }): number {
    const count = det.count;
    if (count > this.detCapacity) this.growDetections(count);
    this.scoreMapper.observe(det.scores, count);
    let nd = 0;
    for (let i = 0; i < count; i++) {
      const x = det.boxes[4 * i]!;
      const y = det.boxes[4 * i + 1]!;
      const w = det.boxes[4 * i + 2]!;
      const h = det.boxes[4 * i + 3]!;
      const s = det.scores[i]!;
      if (!(w > 0) || !(h > 0) || !Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(w) || !Number.isFinite(h) || Number.isNaN(s)) {
        this.counters.invalidDetections++;
        continue;
      }
      this.dbox[4 * nd] = x;
      this.dbox[4 * nd + 1] = y;
      this.dbox[4 * nd + 2] = x + w;
      this.dbox[4 * nd + 3] = y + h;
      this.dmeas[4 * nd] = x + w / 2;
      this.dmeas[4 * nd + 1] = y + h / 2;
      this.dmeas[4 * nd + 2] = w;
      this.dmeas[4 * nd + 3] = h;
      this.dscore[nd] = s;
      this.dused[nd] = 0;
      if (this.calibration && !this.loadFloorMeasurement(nd)) {
        this.counters.beyondHorizon++;
        continue;
      }
      nd++;
    }
    this.scoreMapper.mapInPlace(this.dscore, nd);
    return nd;
  }

  /**
   * The floor measurement of detection d (already in dmeas): its foot point (u, v) mapped onto
   * the floor, with the pixel noise (floorMeasurementStd x box height, at least 1 px) carried
   * through the projection's Jacobian. False when the foot point is beyond the horizon. The
   * homography is applied inline: doubles passed to or returned from calls would be boxed.
   */
  private loadFloorMeasurement(d: number): boolean {
    const H = this.calibration!.imageToFloor;
    const q = this.dmeas;
    const h = q[4 * d + 3]!;
    const u = q[4 * d]!;
    const v = q[4 * d + 1]! + h / 2;
    const w = H[6]! * u + H[7]! * v + H[8]!;
    if (!(w > 1e-9 * (Math.abs(H[6]! * u) + Math.abs(H[7]! * v) + Math.abs(H[8]!)))) return false;
    const x = (H[0]! * u + H[1]! * v + H[2]!) / w;
    const y = (H[3]! * u + H[4]! * v + H[5]!) / w;
    if (!(Math.abs(x) < MAX_FLOOR_COORD_M && Math.abs(y) < MAX_FLOOR_COORD_M)) return false;
    // Jacobian d(x, y)/d(u, v).
    const j0 = (H[0]! - x * H[6]!) / w;
    const j1 = (H[1]! - x * H[7]!) / w;
    const j2 = (H[3]! - y * H[6]!) / w;
    const j3 = (H[4]! - y * H[7]!) / w;
    let sd = this.options.floorMeasurementStd * h;
    if (sd < 1) sd = 1;
    const va = sd * sd;
    const m = this.dfloor;
    const at = FLOOR_MEAS_STRIDE * d;
    m[at] = x;
    m[at + 1] = y;
    // R = J·diag(va, va)·Jᵀ
    m[at + 2] = va * (j0 * j0 + j1 * j1);
    m[at + 3] = va * (j0 * j2 + j1 * j3);
    m[at + 4] = va * (j2 * j2 + j3 * j3);
    return true;
  }

  /**
   * Floor-mode association. With floorIouWeight 0, UCMCTrack's cost: squared Mahalanobis
   * distance on the floor + ln det S, gated at floorGate. Above 0, a blend: w·(1 - IoU) +
   * (1 - w)·d²/floorGate, where d² (chi-square, 2 dof) must stay under floorGate and the blend
   * under w·(the stage's IoU limit) + (1 - w): the floor vetoes physically impossible matches and
   * ranks candidates by where the person can be, the box overlap keeps what the image knows.
   */
  private associateOnFloor(ng: number, dets: Int32Array, nd: number, stage: AssociationStage): void {
    const w = this.options.floorIouWeight;
    const gate = this.floorLimits[stage]!;
    const limit = w * this.limits[stage]! + (1 - w);
    const need = ng * nd;
    if (this.cost.length < need) this.cost = new Float64Array(Math.max(need, this.cost.length * 2));
    const cost = this.cost;
    const db = this.dbox;
    const tb = this.tbox;
    for (let a = 0; a < ng; a++) {
      const slot = this.group[a]!;
      const row = a * nd;
      const ax1 = tb[4 * slot]!;
      const ay1 = tb[4 * slot + 1]!;
      const ax2 = tb[4 * slot + 2]!;
      const ay2 = tb[4 * slot + 3]!;
      const areaA = (ax2 - ax1) * (ay2 - ay1);
      for (let b = 0; b < nd; b++) {
        const d = dets[b]!;
        floorCost(this.floorKf, slot, this.dfloor, FLOOR_MEAS_STRIDE * d, w === 0, this.io, IO_FLOOR_COST);
        const c = this.io[IO_FLOOR_COST]!;
        if (!(c < gate)) {
          cost[row + b] = 1;
          continue;
        }
        if (w === 0) {
          cost[row + b] = c - gate;
          continue;
        }
        const bx1 = db[4 * d]!;
        const by1 = db[4 * d + 1]!;
        const bx2 = db[4 * d + 2]!;
        const by2 = db[4 * d + 3]!;
        const iw = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
        const ih = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
        let iou = 0;
        if (iw > 0 && ih > 0) {
          const inter = iw * ih;
          iou = inter / (areaA + (bx2 - bx1) * (by2 - by1) - inter);
        }
        const blend = w * (1 - iou) + ((1 - w) * c) / gate;
        cost[row + b] = blend < limit ? blend - limit : 1;
      }
    }
    const pairs = this.lap.solveGated(cost, ng, nd, 0);
    if (pairs === 0) return;
    const r2c = this.lap.rowToCol;
    for (let a = 0; a < ng; a++) {
      const b = r2c[a]!;
      if (b < 0) continue;
      this.applyMatch(this.group[a]!, dets[b]!);
    }
  }

  /**
   * Gated optimal assignment of group[0..ng) to dets[0..nd) with cost 1 - IoU (x score in
   * the first and tentative stages when fuseScore); the recovery stage uses last observed boxes.
   */
  private associate(ng: number, dets: Int32Array, nd: number, stage: AssociationStage): void {
    if (ng === 0 || nd === 0) return;
    if (this.calibration && stage !== AssociationStage.Recovery) {
      this.associateOnFloor(ng, dets, nd, stage);
      return;
    }
    const fuse = (stage === AssociationStage.First || stage === AssociationStage.Tentative) && this.options.fuseScore;
    const costLimit = this.limits[stage]!;
    const need = ng * nd;
    if (this.cost.length < need) this.cost = new Float64Array(Math.max(need, this.cost.length * 2));
    const cost = this.cost;
    const tb = stage === AssociationStage.Recovery ? this.obox : this.tbox;
    const db = this.dbox;
    // Sort the candidates by left edge (insertion sort: small, nearly sorted lists) so each
    // track only computes IoU against detections whose x-range can overlap its box.
    let maxW = 0;
    for (let b = 1; b < nd; b++) {
      const d = dets[b]!;
      const x = db[4 * d]!;
      let k = b - 1;
      while (k >= 0 && db[4 * dets[k]!]! > x) {
        dets[k + 1] = dets[k]!;
        k--;
      }
      dets[k + 1] = d;
    }
    for (let b = 0; b < nd; b++) {
      const d = dets[b]!;
      const w = db[4 * d + 2]! - db[4 * d]!;
      if (w > maxW) maxW = w;
    }
    // Pairs with no overlap cost 1 (- limit): never allowed. A loop, not cost.fill(x): a
    // builtin call would box the non-integer double x (an allocation per call).
    const none = 1 - costLimit;
    for (let k = 0; k < need; k++) cost[k] = none;
    for (let a = 0; a < ng; a++) {
      const s = this.group[a]!;
      const ax1 = tb[4 * s]!;
      const ay1 = tb[4 * s + 1]!;
      const ax2 = tb[4 * s + 2]!;
      const ay2 = tb[4 * s + 3]!;
      const areaA = (ax2 - ax1) * (ay2 - ay1);
      const row = a * nd;
      // First candidate: left edge > ax1 - maxW (binary search).
      const from = ax1 - maxW;
      let lo = 0;
      let hi = nd;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (db[4 * dets[mid]!]! <= from) lo = mid + 1;
        else hi = mid;
      }
      for (let b = lo; b < nd; b++) {
        const d = dets[b]!;
        const bx1 = db[4 * d]!;
        if (bx1 >= ax2) break;
        const by1 = db[4 * d + 1]!;
        const bx2 = db[4 * d + 2]!;
        const by2 = db[4 * d + 3]!;
        const iw = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
        const ih = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
        if (iw > 0 && ih > 0) {
          const inter = iw * ih;
          const iou = inter / (areaA + (bx2 - bx1) * (by2 - by1) - inter);
          // Stored relative to the limit: negative = allowed pair (solveGated with limit 0).
          cost[row + b] = 1 - (fuse ? iou * this.dscore[d]! : iou) - costLimit;
        }
      }
    }
    const pairs = this.lap.solveGated(cost, ng, nd, 0);
    if (pairs === 0) return;
    const r2c = this.lap.rowToCol;
    for (let a = 0; a < ng; a++) {
      const b = r2c[a]!;
      if (b < 0) continue;
      this.applyMatch(this.group[a]!, dets[b]!);
    }
  }

  private applyMatch(slot: number, d: number): void {
    const nowMs = this.io[0]!;
    const st = this.state[slot];
    const gapMs = nowMs - this.lastUpdateMs[slot]!;
    if (st === TrackState.Lost && this.options.observationReupdate && gapMs > 1.5 * this.options.referenceIntervalMs) {
      this.reupdateAlongGap(slot, d);
    }
    kalmanUpdate(this.kf, slot, this.dmeas, 4 * d, this.noise);
    if (this.calibration) floorUpdate(this.floorKf, slot, this.dfloor, FLOOR_MEAS_STRIDE * d);
    this.dused[d] = 1;
    this.matchedNow[slot] = 1;
    this.hits[slot] = this.hits[slot]! + 1;
    this.lastUpdateMs[slot] = nowMs;
    this.trackScore[slot] = this.dscore[d]!;
    const lo = 4 * slot;
    for (let q = 0; q < 4; q++) this.lastObs[lo + q] = this.dmeas[4 * d + q]!;
    if (st === TrackState.Lost) this.state[slot] = TrackState.Confirmed;
    else if (st === TrackState.Tentative && this.hits[slot]! >= this.options.confirmHits) this.confirm(slot);
  }

  /**
   * OC-SORT observation-centric re-update: instead of trusting the drifted prediction, replay
   * the filter from the last observation along a straight virtual path to the new one, one
   * reference interval at a time, so the velocity after a gap reflects the real motion.
   */
  private reupdateAlongGap(slot: number, d: number): void {
    const lo = 4 * slot;
    const m = this.dmeas;
    const io = this.io;
    const s = this.kf;
    const o = slot * KF_STRIDE;
    const gapMs = io[0]! - this.lastUpdateMs[slot]!;
    const steps = Math.min(64, Math.max(1, Math.round(gapMs / this.options.referenceIntervalMs)));
    // Roll the state back to the last observation (covariance kept: already inflated by the
    // gap) with the velocity of the straight line to the new observation.
    const perRef = this.options.referenceIntervalMs / gapMs;
    for (let c = 0; c < 4; c++) {
      s[o + KF_BLOCK * c + KfField.Pos] = this.lastObs[lo + c]!;
      s[o + KF_BLOCK * c + KfField.Vel] = (m[4 * d + c]! - this.lastObs[lo + c]!) * perRef;
    }
    io[1] = gapMs / steps;
    for (let i = 1; i < steps; i++) {
      const t = i / steps;
      for (let c = 0; c < 4; c++) io[2 + c] = this.lastObs[lo + c]! + (m[4 * d + c]! - this.lastObs[lo + c]!) * t;
      kalmanPredict(s, slot, io, 1, this.noise, false);
      kalmanUpdate(s, slot, io, 2, this.noise);
    }
    kalmanPredict(s, slot, io, 1, this.noise, false);
  }

  private confirm(slot: number): void {
    this.state[slot] = TrackState.Confirmed;
    this.trackId[slot] = this.nextId++;
    if (this.nextId > 0x7ffffff0) this.nextId = 1;
  }

  private startTrack(d: number): void {
    const nowMs = this.io[0]!;
    if (this.freeCount === 0) {
      if (this.capacity >= this.options.maxTracks) {
        this.counters.poolExhausted++;
        return;
      }
      this.growTracks(Math.min(this.options.maxTracks, this.capacity * 2));
    }
    const slot = this.freeSlots[--this.freeCount]!;
    kalmanInit(this.kf, slot, this.dmeas, 4 * d, this.noise);
    if (this.calibration) floorInit(this.floorKf, slot, this.dfloor, FLOOR_MEAS_STRIDE * d, this.options.floorVmaxMps);
    this.state[slot] = TrackState.Tentative;
    this.trackId[slot] = 0;
    this.hits[slot] = 1;
    this.startMs[slot] = nowMs;
    this.lastUpdateMs[slot] = nowMs;
    this.predictedMs[slot] = nowMs;
    this.trackScore[slot] = this.dscore[d]!;
    this.matchedNow[slot] = 1;
    const lo = 4 * slot;
    for (let q = 0; q < 4; q++) this.lastObs[lo + q] = this.dmeas[4 * d + q]!;
    this.dused[d] = 1;
    this.live[this.liveCount++] = slot;
    // ByteTrack confirms everything seen in the very first frame.
    if (this.firstFrame || this.options.confirmHits <= 1) this.confirm(slot);
  }

  private refreshBox(slot: number): void {
    const o = slot * KF_STRIDE;
    const s = this.kf;
    const w = s[o + KfCoord.W]!;
    const h = s[o + KfCoord.H]!;
    const b = 4 * slot;
    this.tbox[b] = s[o + KfCoord.X]! - w / 2;
    this.tbox[b + 1] = s[o + KfCoord.Y]! - h / 2;
    this.tbox[b + 2] = s[o + KfCoord.X]! + w / 2;
    this.tbox[b + 3] = s[o + KfCoord.Y]! + h / 2;
  }

  private compactAndOutput(): void {
    let n = 0;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      if (this.state[slot] === FREE) {
        this.freeSlots[this.freeCount++] = slot;
        continue;
      }
      this.live[n++] = slot;
    }
    this.liveCount = n;
    this.writeOutput(false);
  }

  /**
   * Writes the reported rows: confirmed tracks matched in this frame (every confirmed track on a
   * predicted frame) and coasting lost ones; counts the uncertain tracks.
   */
  private writeOutput(predicted: boolean): void {
    const nowMs = this.io[0]!;
    const out = this.output;
    if (out.ids.length < this.liveCount) this.growOutput(this.capacity);
    let rows = 0;
    let uncertain = 0;
    const refMs = this.options.referenceIntervalMs;
    const coastMs = this.options.coastMs;
    const coastMinHits = this.options.coastMinHits;
    const maxAspect = this.options.maxOutputAspect;
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      const st = this.state[slot];
      if (st === TrackState.Tentative || (st === TrackState.Lost && nowMs - this.lastUpdateMs[slot]! <= UNCERTAIN_LOST_MS)) uncertain++;
      if (
        ((st === TrackState.Confirmed && (predicted || this.matchedNow[slot])) ||
          (st === TrackState.Lost && coastMs > 0 && nowMs - this.lastUpdateMs[slot]! <= coastMs && this.hits[slot]! >= coastMinHits)) &&
        (maxAspect === 0 || this.kf[slot * KF_STRIDE + KfCoord.W]! <= maxAspect * this.kf[slot * KF_STRIDE + KfCoord.H]!)
      ) {
        out.ids[rows] = this.trackId[slot]!;
        kalmanBox(this.kf, slot, out.boxes, 4 * rows);
        out.scores[rows] = this.trackScore[slot]!;
        const o = slot * KF_STRIDE;
        out.velocities[2 * rows] = (this.kf[o + KfCoord.X + KfField.Vel]! * 1000) / refMs;
        out.velocities[2 * rows + 1] = (this.kf[o + KfCoord.Y + KfField.Vel]! * 1000) / refMs;
        out.agesMs[rows] = nowMs - this.startMs[slot]!;
        out.states[rows] = st!;
        if (this.calibration) {
          const f = slot * FLOOR_KF_STRIDE;
          out.floor[2 * rows] = this.floorKf[f]!;
          out.floor[2 * rows + 1] = this.floorKf[f + 1]!;
          out.floorVelocities[2 * rows] = this.floorKf[f + 2]!;
          out.floorVelocities[2 * rows + 1] = this.floorKf[f + 3]!;
        } else {
          out.floor[2 * rows] = NaN;
          out.floor[2 * rows + 1] = NaN;
          out.floorVelocities[2 * rows] = NaN;
          out.floorVelocities[2 * rows + 1] = NaN;
        }
        rows++;
      }
    }
    out.count = rows;
    out.uncertainCount = uncertain;
  }

  private growTracks(capacity: number): void {
    const old = this.capacity;
    if (capacity <= old) return;
    const grow = <T extends Float64Array | Float32Array | Int32Array | Uint8Array>(a: T, size: number): T => {
      const next = new (a.constructor as new (n: number) => T)(size);
      next.set(a);
      return next;
    };
    this.kf = grow(this.kf, capacity * KF_STRIDE);
    if (this.calibration) this.floorKf = grow(this.floorKf, capacity * FLOOR_KF_STRIDE);
    this.state = grow(this.state, capacity);
    this.trackId = grow(this.trackId, capacity);
    this.hits = grow(this.hits, capacity);
    this.startMs = grow(this.startMs, capacity);
    this.lastUpdateMs = grow(this.lastUpdateMs, capacity);
    this.predictedMs = grow(this.predictedMs, capacity);
    this.trackScore = grow(this.trackScore, capacity);
    this.lastObs = grow(this.lastObs, capacity * 4);
    this.tbox = grow(this.tbox, capacity * 4);
    this.obox = grow(this.obox, capacity * 4);
    this.matchedNow = grow(this.matchedNow, capacity);
    this.live = grow(this.live, capacity);
    this.group = grow(this.group, capacity);
    const free = new Int32Array(capacity);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    // New slots pushed so the lowest index is handed out first.
    for (let s = capacity - 1; s >= old; s--) free[this.freeCount++] = s;
    this.freeSlots = free;
    for (let s = old; s < capacity; s++) this.state[s] = FREE;
    this.capacity = capacity;
    this.growOutput(capacity);
  }

  private growOutput(capacity: number): void {
    const out = this.output;
    if (out.ids.length >= capacity) return;
    out.ids = new Int32Array(capacity);
    out.boxes = new Float32Array(capacity * 4);
    out.scores = new Float32Array(capacity);
    out.velocities = new Float32Array(capacity * 2);
    out.agesMs = new Float64Array(capacity);
    out.states = new Uint8Array(capacity);
    out.floor = new Float32Array(capacity * 2);
    out.floorVelocities = new Float32Array(capacity * 2);
  }

  private growDetections(count: number): void {
    const n = Math.max(count, this.detCapacity * 2);
    this.dbox = new Float64Array(n * 4);
    this.dmeas = new Float64Array(n * 4);
    this.dscore = new Float32Array(n);
    this.dused = new Uint8Array(n);
    if (this.calibration) this.dfloor = new Float64Array(n * FLOOR_MEAS_STRIDE);
    this.high = new Int32Array(n);
    this.low = new Int32Array(n);
    this.detCapacity = n;
  }

  /**
   * Reads a live track (confirmed or lost) by id into a caller-owned record: filtered box,
   * velocity (px/s), age, last score and state. Returns false when no such track lives.
   */
  readTrack(id: number, into: TrackInfo): boolean {
    for (let k = 0; k < this.liveCount; k++) {
      const slot = this.live[k]!;
      const st = this.state[slot];
      if (this.trackId[slot] !== id || st === FREE || st === TrackState.Tentative) continue;
      kalmanBox(this.kf, slot, into.box, 0);
      const o = slot * KF_STRIDE;
      into.velocity[0] = (this.kf[o + KfCoord.X + KfField.Vel]! * 1000) / this.options.referenceIntervalMs;
      into.velocity[1] = (this.kf[o + KfCoord.Y + KfField.Vel]! * 1000) / this.options.referenceIntervalMs;
      into.ageMs = this.lastTimeMs - this.startMs[slot]!;
      into.score = this.trackScore[slot]!;
      into.state = st as TrackState;
      into.lastSeenMs = this.lastUpdateMs[slot]!;
      return true;
    }
    return false;
  }
}

/** A track as read by readTrack (allocate once, reuse). */
export interface TrackInfo {
  box: Float64Array;
  velocity: Float64Array;
  ageMs: number;
  score: number;
  state: TrackState;
  lastSeenMs: number;
}

export function newTrackInfo(): TrackInfo {
  return { box: new Float64Array(4), velocity: new Float64Array(2), ageMs: 0, score: 0, state: TrackState.Tentative, lastSeenMs: 0 };
}
