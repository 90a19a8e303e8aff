// Sparse detection (#25, detector.sparseDetection): per camera, decides for each frame that
// passed the motion gate whether the detector runs or the tracker predicts (DeepStream's
// `interval`). It detects whenever something depends on the frame and every Nth frame
// otherwise. Everything is preallocated; decide() and observeTracks() allocate nothing.

/** What to do with a frame. */
export const enum ScheduleDecision {
  Detect = 0,
  Predict = 1,
}

/** Why a frame is detected (the first rule that fired, in this order), counted in `detectsBy`. */
export const enum DetectReason {
  /** Sparse detection off or detectEveryFrames 1. */
  EveryFrame = 0,
  /** Forced by the caller (scene change) or no frame detected yet. */
  Forced = 1,
  /** detectEveryFrames frames since the last detection, or the predicted time ran out. */
  Interval = 2,
  /** A tentative or recently lost track exists (the tracker's uncertainCount). */
  UncertainTrack = 3,
  /** A confirmed track younger than newTrackMs. */
  NewTrack = 4,
  /** A track's foot point is within the margin of a counting line, zone or queue edge, or service line. */
  NearGeometry = 5,
  /** Motion that no track box covers (someone entering), or no track and no motion information. */
  UntrackedMotion = 6,
}
const REASONS = 7;
/** Every rule on (bit 1 << DetectReason per rule). */
export const ALL_RULES = 0x7f;

export interface DetectionSchedulerOptions {
  /** Detect at least every this many frames (1: every frame, the scheduler is off). */
  detectEveryFrames: number;
  /**
   * Fastest a person moves, in their own box heights per second (walking 1.4 m/s is about
   * 0.8 box heights/s). The margin around lines and zone edges is this speed times the time
   * until the next forced detection, plus `bandPx`.
   */
  speedBoxHeightsPerS: number;
  /** Confirmed tracks younger than this (ms) are detected every frame. */
  newTrackMs: number;
  /** Geometry segments x1, y1, x2, y2 (source pixels) near which tracks are detected every frame. */
  segments: Float64Array;
  /** Added to every margin: the lines' hysteresis band (px). */
  bandPx?: number;
  /** A motion box is someone entering when tracks cover less than this fraction of it. */
  motionCoverFraction?: number;
  /** Most tracks and motion boxes considered. */
  maxTracks?: number;
  /** Which rules apply, bit 1 << DetectReason each (default ALL_RULES; the benchmark's ablations turn some off). */
  rules?: number;
}

export class DetectionScheduler {
  /** Frames decided Predict. */
  framesPredicted = 0;
  /** Frames decided Detect. */
  framesDetected = 0;
  /** Detected frames by DetectReason. */
  readonly detectsBy = new Int32Array(REASONS);

  private readonly every: number;
  private readonly speed: number;
  private readonly newTrackMs: number;
  private readonly segments: Float64Array;
  private readonly segmentCount: number;
  private readonly bandPx: number;
  private readonly cover: number;
  private readonly maxTracks: number;
  private readonly rules: number;
  /** Per known track: foot x, foot y, box height, and box x, y, w, h (source pixels). */
  private readonly foot: Float64Array;
  private readonly box: Float64Array;
  private readonly ageMs: Float64Array;
  private trackCount = 0;
  private uncertain = 0;
  private framesSinceDetect = 0;
  private lastDetectMs = Number.NaN;
  private lastFrameMs = Number.NaN;
  /** Running mean of the frame interval (ms), 0 until two frames were seen. */
  private frameMs = 0;

  constructor(o: DetectionSchedulerOptions) {
    if (!(o.detectEveryFrames >= 1)) throw new RangeError('detectEveryFrames must be at least 1');
    if (o.segments.length % 4 !== 0) throw new RangeError('segments must hold x1, y1, x2, y2 per segment');
    this.every = Math.floor(o.detectEveryFrames);
    this.speed = o.speedBoxHeightsPerS;
    this.newTrackMs = o.newTrackMs;
    this.segments = o.segments;
    this.segmentCount = o.segments.length / 4;
    this.bandPx = o.bandPx ?? 8;
    this.cover = o.motionCoverFraction ?? 0.5;
    this.maxTracks = o.maxTracks ?? 256;
    this.rules = o.rules ?? ALL_RULES;
    this.foot = new Float64Array(this.maxTracks * 3);
    this.box = new Float64Array(this.maxTracks * 4);
    this.ageMs = new Float64Array(this.maxTracks);
  }

  /**
   * The tracker's latest output for this camera (boxes x, y, w, h in source pixels; ages per
   * row, or null when unknown: then every track counts as established).
   */
  observeTracks(count: number, boxes: Float32Array, agesMs: Float64Array | null | undefined, uncertainCount: number): void {
    const n = count < this.maxTracks ? count : this.maxTracks;
    for (let i = 0; i < n; i++) {
      const x = boxes[4 * i]!, y = boxes[4 * i + 1]!, w = boxes[4 * i + 2]!, h = boxes[4 * i + 3]!;
      this.box[4 * i] = x;
      this.box[4 * i + 1] = y;
      this.box[4 * i + 2] = w;
      this.box[4 * i + 3] = h;
      this.foot[3 * i] = x + w / 2;
      this.foot[3 * i + 1] = y + h;
      this.foot[3 * i + 2] = h;
      this.ageMs[i] = agesMs ? agesMs[i]! : Number.POSITIVE_INFINITY;
    }
    this.trackCount = n;
    this.uncertain = uncertainCount;
  }

  /**
   * Decides a frame at tsMs. `motion` holds x, y, w, h per motion box in source pixels (null:
   * no motion information; then a frame with no track is detected). `force` detects.
   */
  decide(tsMs: number, motion: Float32Array | null, motionCount: number, force: boolean): ScheduleDecision {
    if (this.lastFrameMs === this.lastFrameMs && tsMs > this.lastFrameMs) {
      const dt = tsMs - this.lastFrameMs;
      this.frameMs = this.frameMs === 0 ? dt : this.frameMs * 0.9 + dt * 0.1;
    }
    this.lastFrameMs = tsMs;
    const reason = this.reasonToDetect(tsMs, motion, motionCount, force);
    if (reason < 0) {
      this.framesSinceDetect++;
      this.framesPredicted++;
      return ScheduleDecision.Predict;
    }
    this.framesSinceDetect = 0;
    this.lastDetectMs = tsMs;
    this.framesDetected++;
    this.detectsBy[reason]++;
    return ScheduleDecision.Detect;
  }

  /** The first rule that asks for a detection, or -1 when the tracker may predict. */
  private reasonToDetect(tsMs: number, motion: Float32Array | null, motionCount: number, force: boolean): number {
    if (this.every <= 1) return DetectReason.EveryFrame;
    if (force || this.lastDetectMs !== this.lastDetectMs || this.frameMs === 0 || tsMs < this.lastDetectMs) return DetectReason.Forced;
    // Frames dropped upstream stretch the gap: the time bound keeps it to `every` frame intervals.
    if (this.framesSinceDetect + 1 >= this.every || tsMs - this.lastDetectMs >= (this.every - 0.5) * this.frameMs) return DetectReason.Interval;
    const rules = this.rules;
    if (rules & (1 << DetectReason.UncertainTrack) && this.uncertain > 0) return DetectReason.UncertainTrack;
    if (rules & (1 << DetectReason.NewTrack)) for (let i = 0; i < this.trackCount; i++) if (this.ageMs[i]! < this.newTrackMs) return DetectReason.NewTrack;
    if (rules & (1 << DetectReason.NearGeometry) && this.nearGeometry()) return DetectReason.NearGeometry;
    // Without motion information (motion gate off) an empty scene is detected every frame: someone may be entering.
    if (rules & (1 << DetectReason.UntrackedMotion) && (motion ? this.untrackedMotion(motion, motionCount) : this.trackCount === 0)) return DetectReason.UntrackedMotion;
    return -1;
  }

  /** Some track's foot point is within its margin of a geometry segment. */
  private nearGeometry(): boolean {
    if (this.segmentCount === 0) return false;
    // Until the next forced detection a person can walk `speed` box heights per second.
    const horizonS = (this.every * this.frameMs) / 1000;
    const seg = this.segments;
    for (let i = 0; i < this.trackCount; i++) {
      const px = this.foot[3 * i]!, py = this.foot[3 * i + 1]!;
      const margin = this.bandPx + this.speed * horizonS * this.foot[3 * i + 2]!;
      const m2 = margin * margin;
      for (let s = 0; s < this.segmentCount; s++) {
        const ax = seg[4 * s]!, ay = seg[4 * s + 1]!;
        const dx = seg[4 * s + 2]! - ax, dy = seg[4 * s + 3]! - ay;
        const len2 = dx * dx + dy * dy;
        let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
        if (t < 0) t = 0;
        else if (t > 1) t = 1;
        const ex = ax + t * dx - px, ey = ay + t * dy - py;
        if (ex * ex + ey * ey <= m2) return true;
      }
    }
    return false;
  }

  /** Some motion box is covered by track boxes (grown by half their size) for less than `cover` of its area. */
  private untrackedMotion(motion: Float32Array, motionCount: number): boolean {
    const n = motionCount < this.maxTracks ? motionCount : this.maxTracks;
    const b = this.box;
    for (let m = 0; m < n; m++) {
      const mx1 = motion[4 * m]!, my1 = motion[4 * m + 1]!;
      const mw = motion[4 * m + 2]!, mh = motion[4 * m + 3]!;
      if (!(mw > 0 && mh > 0)) continue;
      const mx2 = mx1 + mw, my2 = my1 + mh;
      let covered = 0;
      for (let i = 0; i < this.trackCount; i++) {
        const gx = b[4 * i + 2]! / 4, gy = b[4 * i + 3]! / 4;
        const tx1 = b[4 * i]! - gx, ty1 = b[4 * i + 1]! - gy;
        const tx2 = b[4 * i]! + b[4 * i + 2]! + gx, ty2 = b[4 * i + 1]! + b[4 * i + 3]! + gy;
        const iw = (mx2 < tx2 ? mx2 : tx2) - (mx1 > tx1 ? mx1 : tx1);
        const ih = (my2 < ty2 ? my2 : ty2) - (my1 > ty1 ? my1 : ty1);
        if (iw > 0 && ih > 0) covered += iw * ih;
      }
      if (covered < this.cover * mw * mh) return true;
    }
    return false;
  }
}

/** Where tracks must be detected every frame: line, zone and queue edges and service lines, as segments (source pixels). */
export function geometrySegments(camera: {
  lines?: ReadonlyArray<{ points: readonly [readonly [number, number], readonly [number, number]] }>;
  zones?: ReadonlyArray<{ polygon: ReadonlyArray<readonly [number, number]> }>;
  queues?: ReadonlyArray<{ polygon: ReadonlyArray<readonly [number, number]>; serviceLine: { points: readonly [readonly [number, number], readonly [number, number]] } }>;
}): Float64Array {
  const out: number[] = [];
  const segment = (a: readonly [number, number], b: readonly [number, number]) => out.push(a[0], a[1], b[0], b[1]);
  const polygon = (p: ReadonlyArray<readonly [number, number]>) => p.forEach((v, i) => segment(v, p[(i + 1) % p.length]!));
  for (const l of camera.lines ?? []) segment(l.points[0], l.points[1]);
  for (const z of camera.zones ?? []) polygon(z.polygon);
  for (const q of camera.queues ?? []) {
    polygon(q.polygon);
    segment(q.serviceLine.points[0], q.serviceLine.points[1]);
  }
  return Float64Array.from(out);
}
