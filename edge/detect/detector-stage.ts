// The detection stage: consumes 'camera.frame', runs the person detector on a pool of
// inference workers (detector.workers, each its own onnxruntime session) fed from one queue
// shared by all cameras (round robin over cameras, drop-oldest per camera when behind, one
// frame per camera in flight), and emits 'detect.frame' with every person box above the low
// floor (the tracker's second stage uses them). A pool that cannot load or a worker that dies
// falls back to one float session, said in health; with no model at all the rest of the
// agent keeps running. With detector.sparseDetection auto, a per-camera DetectionScheduler
// lets the tracker predict frames nothing depends on (emitted with `predicted`).
import { MotionDetector } from '../camera/index.ts';
import type { FootfallConfig } from '../config/schema.ts';
import { detectorPoolOf, FALLBACK_DETECTOR } from '../config/sections/detector.ts';
import { errorMessage } from '../shared/errors.ts';
import type { EventBus, RawFrame } from '../shared/event-bus.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { DetectionFrame, GateOutcome, Stage, StageHealth, TrackFrame } from '../shared/types.ts';
import { FrameQueue } from './frame-queue.ts';
import { inputMapping, type InputMapping } from './geometry.ts';
import { LatencyWindow } from './latency.ts';
import { PersonDetector } from './person-detector.ts';
import { DetectionGate, GateDecision, RegionPlanner } from './region-planner.ts';
import { DetectionScheduler, geometrySegments, ScheduleDecision } from './detection-scheduler.ts';
import { WorkerPersonDetector } from './worker-detector.ts';

export interface DetectorStageOptions {
  bus: EventBus;
  /** `cameras` (optional) supplies each camera's motionMask to the motion gate. */
  config: Pick<FootfallConfig, 'detector'> & Partial<Pick<FootfallConfig, 'cameras'>>;
  logger: Logger;
  /** Working directory for ./models and relative model paths. */
  cwd?: string;
  /** Frames waiting per camera before the oldest is dropped (default: config.detector.queueDepthPerCamera). */
  queueDepthPerCamera?: number;
  /** Throw from start() when the model cannot be loaded (default: report in health). */
  failOnModelError?: boolean;
  /**
   * Where inference runs: 'worker' (default) keeps onnxruntime's blocking session.run off
   * the main thread that serves HTTP and MQTT; 'main' is for tools without a server.
   */
  inferenceThread?: 'worker' | 'main';
}

/** Per-camera motion gate state (detector.motionGate: auto). */
interface CameraGate {
  motion: MotionDetector;
  gate: DetectionGate;
  mapping: InputMapping;
  /** Live (confirmed) track boxes from the tracker, in frame (model-input) pixels. */
  trackBoxes: Float32Array;
  trackCount: number;
  /** The last frame's motion boxes in source pixels (what the live view draws). */
  motionSource: Float32Array;
}

/** What each camera cost the detector: frames seen, frames inferred, regions and inference time. */
interface CameraCost {
  frames: number;
  inferred: number;
  regions: number;
  inferenceMs: number;
}

/** One inference worker and the frame it is detecting; everything here is allocated once. */
interface Lane {
  detector: PersonDetector | WorkerPersonDetector;
  busy: boolean;
  /** The detection frame this lane fills and emits (gate fields are set when the frame is taken). */
  out: DetectionFrame;
  onResult: (r: { count: number; boxes: Float32Array; scores: Float32Array }) => void;
  onError: (err: unknown) => void;
}

/** The pool the stage runs: what was asked, what runs, and why they differ. */
interface PoolState {
  model: string;
  workers: number;
  threads: number;
  /** Set when the configured pool failed and one float session runs instead. */
  fallbackReason: string | null;
  /** Set when the configured (int8) model was unusable and its float model runs in the pool instead. */
  modelFallback: string | null;
}

const MAX_GATE_TRACKS = 256;
const GATE_OUTCOME: readonly GateOutcome[] = ['skipped', 'regions', 'full'];

export class DetectorStage implements Stage {
  readonly name = 'detect';
  private lanes: Lane[] = [];
  private readonly queue: FrameQueue;
  private readonly latency = new LatencyWindow(512);
  private readonly log: Logger;
  private readonly noisy: RateLimitedLog;
  private started = false;
  /** A fallback is loading: no frame is dispatched meanwhile (they wait in the queue, drop-oldest). */
  private switching = false;
  private loadError: string | null = null;
  private inFlight = 0;
  private resolveIdle: (() => void) | null = null;
  private errors = 0;
  private framesOut = 0;
  private inferenceMsEma = 0;
  private emitFloor = 0.1;
  private pool: PoolState | null = null;
  /** A fallback started after a worker died (stop waits for it). */
  private recovering: Promise<void> = Promise.resolve();
  private readonly onFrame = (frame: RawFrame) => this.enqueue(frame);
  private readonly gates = new Map<string, CameraGate>();
  private readonly costs = new Map<string, CameraCost>();
  private readonly schedulers = new Map<string, DetectionScheduler>();
  private readonly onTracks = (t: TrackFrame) => this.rememberTracks(t);

  constructor(private readonly options: DetectorStageOptions) {
    this.queue = new FrameQueue(options.queueDepthPerCamera ?? options.config.detector.queueDepthPerCamera ?? 2);
    this.log = options.logger.child({ module: 'detect' });
    this.noisy = new RateLimitedLog(this.log);
  }

  /** The model's "is a person" threshold (the tracker's high-score cut), once started. */
  get scoreThreshold(): number | null {
    return this.lanes[0]?.detector.scoreThreshold ?? null;
  }

  /** The running pool's workers (for fault tests and benchmarks); empty before start. */
  get workers(): ReadonlyArray<PersonDetector | WorkerPersonDetector> {
    return this.lanes.map((l) => l.detector);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const d = this.options.config.detector;
    const main = this.options.inferenceThread === 'main';
    // A main-thread detector blocks the loop while it runs: several would only take turns.
    const asked = main ? { workers: 1, threads: d.threads ?? 2 } : detectorPoolOf(d);
    try {
      this.lanes = await this.loadPool(d.model, asked.workers, asked.threads);
      this.pool = { model: d.model, ...asked, fallbackReason: null, modelFallback: this.lanes[0]!.detector.modelFallback };
      if (this.pool.modelFallback) this.log.warn({ err: this.pool.modelFallback, model: d.model }, 'configured model unusable; its float model runs instead');
    } catch (err) {
      const reason = errorMessage(err);
      const fallback = FALLBACK_DETECTOR;
      const same = d.model === fallback.model && asked.workers === fallback.workers && asked.threads === fallback.threads;
      if (this.options.failOnModelError || same || !(await this.fallBack(reason))) {
        this.loadError = reason;
        this.log.error({ err: this.loadError }, 'person detector unavailable; cameras run without detection');
        if (this.options.failOnModelError) {
          this.started = false;
          throw err;
        }
        return;
      }
    }
    const det = this.lanes[0]!.detector;
    this.emitFloor = Math.min(d.lowScoreFloor, det.scoreThreshold);
    this.log.info(
      { model: det.info.name, path: det.path, workers: this.lanes.length, threads: this.pool!.threads, scoreThreshold: det.scoreThreshold, emitFloor: this.emitFloor },
      'person detector ready',
    );
    this.options.bus.on(this.name, 'camera.frame', this.onFrame);
    if (d.motionGate === 'auto' || (d.sparseDetection === 'auto' && d.detectEveryFrames > 1)) this.options.bus.on(this.name, 'track.frame', this.onTracks);
  }

  /** Loads `workers` sessions of `model` in parallel; if any fails, closes the others and throws its error. */
  private async loadPool(model: string, workers: number, threads: number): Promise<Lane[]> {
    const d = this.options.config.detector;
    const load = this.options.inferenceThread === 'main' ? PersonDetector.load : WorkerPersonDetector.load;
    const opts = { model, modelDirs: d.modelDirs, cwd: this.options.cwd, threads, spinThreads: d.spinThreads, scoreThreshold: d.scoreThreshold, nmsIou: d.nmsIou };
    const settled = await Promise.allSettled(Array.from({ length: workers }, () => load(opts)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
      throw failed.reason;
    }
    return settled.map((s) => this.laneFor((s as PromiseFulfilledResult<PersonDetector | WorkerPersonDetector>).value));
  }

  private laneFor(detector: PersonDetector | WorkerPersonDetector): Lane {
    const lane: Lane = {
      detector,
      busy: false,
      out: { camera: '', tsMs: 0, frameIndex: 0, width: 0, height: 0, count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) },
      onResult: (r) => this.completed(lane, r),
      onError: (err) => this.failed(lane, err),
    };
    return lane;
  }

  /**
   * The configured pool failed (load or a dead worker): closes what is left of it and runs
   * one float session (the default model, 2 threads) instead. False if that fails too.
   */
  private async fallBack(reason: string): Promise<boolean> {
    const f = FALLBACK_DETECTOR;
    this.switching = true;
    try {
      await this.whenIdle();
      const old = this.lanes;
      this.lanes = [];
      await Promise.all(old.map((l) => l.detector.close()));
      const d = this.options.config.detector;
      const asked = this.pool ?? { model: d.model, ...detectorPoolOf(d) };
      this.log.warn({ err: reason, model: asked.model, workers: asked.workers, threads: asked.threads, fallback: f }, 'detector pool failed; falling back to one float session');
      try {
        this.lanes = await this.loadPool(f.model, f.workers, f.threads);
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'fallback detector failed to load too');
        return false;
      }
      this.pool = { model: f.model, workers: f.workers, threads: f.threads, modelFallback: null, fallbackReason: `configured detector (${asked.model}, ${asked.workers} x ${asked.threads} threads) failed: ${reason}` };
      return true;
    } finally {
      this.switching = false;
      if (this.started && this.lanes.length > 0) this.dispatch();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((r) => (this.resolveIdle = r));
  }

  private gateFor(camera: string, width: number, height: number, sourceWidth: number, sourceHeight: number): CameraGate {
    let g = this.gates.get(camera);
    if (g && g.motion.gridWidth === Math.floor(width / 4) && g.motion.gridHeight === Math.floor(height / 4)) return g;
    const d = this.options.config.detector;
    const det = this.lanes[0]!.detector;
    const mapping = inputMapping(det.info.preprocess.resize, sourceWidth, sourceHeight, width, height);
    const masks = this.options.config.cameras?.find((c) => c.name === camera)?.motionMask ?? [];
    const mask = masks.map((poly) => poly.map(([x, y]) => [x * mapping.scaleX + mapping.padX, y * mapping.scaleY + mapping.padY] as const));
    // Frames arrive at the model input size, so any region is the full frame: the gate
    // saves the frames with nothing moving and no one tracked.
    const planner = new RegionPlanner({ frameWidth: width, frameHeight: height, modelInputPx: Math.min(det.info.inputWidth, det.info.inputHeight) });
    const motion = new MotionDetector({ frameWidth: width, frameHeight: height, cellPx: 4, diffThreshold: d.motionThreshold, mask });
    g = {
      motion,
      gate: new DetectionGate(planner, d.fullFrameEveryS * 1000),
      mapping,
      trackBoxes: new Float32Array(MAX_GATE_TRACKS * 4),
      trackCount: 0,
      motionSource: new Float32Array(motion.boxes.length),
    };
    this.gates.set(camera, g);
    return g;
  }

  private rememberTracks(t: TrackFrame): void {
    this.schedulers.get(t.camera)?.observeTracks(t.count, t.boxes, t.agesMs, t.uncertainCount ?? 0);
    const g = this.gates.get(t.camera);
    if (!g) return;
    const n = Math.min(t.count, MAX_GATE_TRACKS);
    const m = g.mapping;
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      g.trackBoxes[o] = t.boxes[o]! * m.scaleX + m.padX;
      g.trackBoxes[o + 1] = t.boxes[o + 1]! * m.scaleY + m.padY;
      g.trackBoxes[o + 2] = t.boxes[o + 2]! * m.scaleX;
      g.trackBoxes[o + 3] = t.boxes[o + 3]! * m.scaleY;
    }
    g.trackCount = n;
  }

  /**
   * Runs the motion gate on a frame (detector.motionGate: auto) and records its outcome and
   * motion boxes on the outgoing detection frame. True when the frame needs no inference.
   */
  private gated(slot: RawFrame, out: DetectionFrame): boolean {
    if (this.options.config.detector.motionGate !== 'auto') return false;
    const g = this.gateFor(slot.camera, slot.width, slot.height, slot.sourceWidth, slot.sourceHeight);
    g.motion.update(slot.data);
    const decision = g.gate.decide(slot.tsMs, g.motion.boxes, g.motion.count, g.trackBoxes, g.trackCount, g.motion.sceneChanged);
    // Motion boxes back to source pixels, as every other box the live view draws.
    const m = g.mapping;
    const src = g.motionSource;
    for (let i = 0; i < g.motion.count; i++) {
      const o = i * 4;
      src[o] = (g.motion.boxes[o]! - m.padX) / m.scaleX;
      src[o + 1] = (g.motion.boxes[o + 1]! - m.padY) / m.scaleY;
      src[o + 2] = g.motion.boxes[o + 2]! / m.scaleX;
      src[o + 3] = g.motion.boxes[o + 3]! / m.scaleY;
    }
    out.gate = GATE_OUTCOME[decision];
    out.motionCount = g.motion.count;
    out.motionBoxes = src;
    return decision === GateDecision.Skip;
  }

  /** The camera's sparse-detection scheduler (detector.sparseDetection auto), or null. */
  private schedulerFor(camera: string): DetectionScheduler | null {
    const d = this.options.config.detector;
    if (d.sparseDetection !== 'auto' || d.detectEveryFrames <= 1) return null;
    let s = this.schedulers.get(camera);
    if (!s) {
      const cam = this.options.config.cameras?.find((c) => c.name === camera);
      s = new DetectionScheduler({
        detectEveryFrames: d.detectEveryFrames,
        speedBoxHeightsPerS: d.sparseSpeedBoxHeightsPerS,
        newTrackMs: d.sparseNewTrackMs,
        segments: geometrySegments(cam ?? {}),
      });
      this.schedulers.set(camera, s);
    }
    return s;
  }

  /**
   * True when the sparse-detection scheduler lets the tracker predict this frame (called for
   * frames the motion gate passed; `out` carries this frame's motion boxes when the gate is on).
   */
  private predictable(slot: RawFrame, out: DetectionFrame): boolean {
    const s = this.schedulerFor(slot.camera);
    if (!s) return false;
    const g = this.gates.get(slot.camera);
    const gateOn = this.options.config.detector.motionGate === 'auto' && g !== undefined;
    const motion = gateOn ? g.motionSource : null;
    return s.decide(slot.tsMs, motion, gateOn ? g.motion.count : 0, gateOn && g.motion.sceneChanged) === ScheduleDecision.Predict;
  }

  private costOf(camera: string): CameraCost {
    let c = this.costs.get(camera);
    if (!c) {
      c = { frames: 0, inferred: 0, regions: 0, inferenceMs: 0 };
      this.costs.set(camera, c);
    }
    return c;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.options.bus.removeOwner(this.name);
    await this.recovering;
    await this.whenIdle();
    const lanes = this.lanes;
    this.lanes = [];
    await Promise.all(lanes.map((l) => l.detector.close()));
  }

  private enqueue(frame: RawFrame): void {
    if (!this.started || this.lanes.length === 0) return;
    if (this.queue.push(frame)) this.noisy.warn({ camera: frame.camera }, 'inference behind; dropped the oldest frame');
    this.dispatch();
  }

  /**
   * Gives every idle worker the next frame (round robin over cameras, one frame per camera in
   * flight). Gated frames (nothing to detect) are emitted here and the worker takes the next.
   */
  private dispatch(): void {
    if (this.switching) return;
    const lanes = this.lanes;
    for (let i = 0; i < lanes.length && this.started; i++) {
      const lane = lanes[i]!;
      while (!lane.busy && this.started) {
        const slot = this.queue.take();
        if (!slot) return;
        const out = lane.out;
        out.camera = slot.camera;
        out.tsMs = slot.tsMs;
        out.frameIndex = slot.frameIndex;
        out.width = slot.sourceWidth;
        out.height = slot.sourceHeight;
        this.costOf(slot.camera).frames++;
        out.predicted = false;
        out.gate = undefined;
        if (this.gated(slot, out)) {
          // Nothing moving and no one tracked: the tracker is told the frame was seen and empty.
          this.queue.release(slot.camera);
          this.queue.finish(slot.camera);
          out.count = 0;
          this.emit(out);
          continue;
        }
        if (this.predictable(slot, out)) {
          // Nothing depends on this frame: the tracker predicts it (not an empty frame).
          this.queue.release(slot.camera);
          this.queue.finish(slot.camera);
          out.count = 0;
          out.predicted = true;
          out.gate = 'predicted';
          this.emit(out);
          continue;
        }
        lane.busy = true;
        this.inFlight++;
        // detect() copies the pixels before it returns: free the slot for arriving frames.
        const pending = lane.detector.detect(slot.data, slot.width, slot.height, slot.sourceWidth, slot.sourceHeight, this.emitFloor);
        this.queue.release(slot.camera);
        pending.then(lane.onResult, lane.onError);
      }
    }
  }

  private completed(lane: Lane, r: { count: number; boxes: Float32Array; scores: Float32Array }): void {
    const out = lane.out;
    const t = lane.detector.timings;
    this.inferenceMsEma = this.inferenceMsEma === 0 ? t.inferenceMs : this.inferenceMsEma * 0.9 + t.inferenceMs * 0.1;
    // Frames reach the detector at the model's input size, so every inference is one region.
    const cost = this.costOf(out.camera);
    cost.inferred++;
    cost.regions++;
    cost.inferenceMs += t.preprocessMs + t.inferenceMs + t.postprocessMs;
    out.count = r.count;
    out.boxes = r.boxes;
    out.scores = r.scores;
    this.settle(lane);
    if (this.started) this.emit(out);
    this.dispatch();
  }

  private failed(lane: Lane, err: unknown): void {
    this.errors++;
    this.settle(lane);
    const dead = lane.detector instanceof WorkerPersonDetector ? lane.detector.failure : null;
    if (dead && this.started && !this.switching && this.lanes.includes(lane)) {
      this.recovering = this.fallBack(dead).then((ok) => {
        if (!ok) this.loadError = `${dead}; the fallback detector did not load either`;
      });
      return;
    }
    this.noisy.warn({ camera: lane.out.camera, err: errorMessage(err) }, 'detection failed for a frame');
    this.dispatch();
  }

  /** The lane's frame is done: the lane and its camera are free again. */
  private settle(lane: Lane): void {
    lane.busy = false;
    this.queue.finish(lane.out.camera);
    this.inFlight--;
    if (this.inFlight === 0 && this.resolveIdle) {
      const r = this.resolveIdle;
      this.resolveIdle = null;
      r();
    }
  }

  private emit(out: DetectionFrame): void {
    this.framesOut++;
    this.latency.add(Date.now() - out.tsMs);
    this.options.bus.emit('detect.frame', out);
  }

  /** Per-camera queue counters and latency, for the status page and benchmarks. */
  stats(): {
    cameras: ReturnType<FrameQueue['counters']>;
    framesOut: number;
    errors: number;
    latencyMedianMs: number | null;
    latencyP95Ms: number | null;
    inferenceMs: number;
  } {
    return {
      cameras: this.queue.counters(),
      framesOut: this.framesOut,
      errors: this.errors,
      latencyMedianMs: this.latency.quantile(0.5),
      latencyP95Ms: this.latency.quantile(0.95),
      inferenceMs: Number(this.inferenceMsEma.toFixed(2)),
    };
  }

  health(): StageHealth {
    if (this.loadError) return { status: 'failed', detail: this.loadError };
    if (!this.started) return { status: 'stopped' };
    const s = this.stats();
    const pool = this.pool;
    const metrics: Record<string, number | string | null> = {
      model: this.lanes[0]?.detector.info.name ?? null,
      workers: this.lanes.length,
      threadsPerWorker: pool?.threads ?? null,
      fallback: pool?.fallbackReason ?? null,
      modelFallback: pool?.modelFallback ?? null,
      framesOut: s.framesOut,
      errors: s.errors,
      latencyMedianMs: s.latencyMedianMs,
      latencyP95Ms: s.latencyP95Ms,
      inferenceMs: s.inferenceMs,
    };
    let dropped = 0;
    for (const c of s.cameras) {
      metrics[`${c.camera}.processed`] = c.processed;
      metrics[`${c.camera}.dropped`] = c.dropped;
      dropped += c.dropped;
      const cost = this.costs.get(c.camera);
      if (cost && cost.frames > 0) {
        metrics[`${c.camera}.inferred`] = cost.inferred;
        metrics[`${c.camera}.regionsPerFrame`] = Number((cost.regions / cost.frames).toFixed(3));
        metrics[`${c.camera}.detectorMsPerFrame`] = Number((cost.inferenceMs / cost.frames).toFixed(2));
      }
      const sch = this.schedulers.get(c.camera);
      if (sch) {
        metrics[`${c.camera}.predicted`] = sch.framesPredicted;
        metrics[`${c.camera}.sparseDetected`] = sch.framesDetected;
      }
      const g = this.gates.get(c.camera);
      if (g) {
        metrics[`${c.camera}.gated`] = g.gate.framesGated;
        metrics[`${c.camera}.fullFrames`] = g.gate.framesFull;
        metrics[`${c.camera}.motionFrames`] = g.motion.stats.framesWithMotion;
        metrics[`${c.camera}.sceneChanges`] = g.motion.stats.sceneChanges;
        metrics[`${c.camera}.frozenFrames`] = g.motion.stats.frozenFrames;
        metrics[`${c.camera}.lightShifts`] = g.motion.stats.lightShifts;
        metrics[`${c.camera}.motionBoxOverflows`] = g.motion.stats.boxOverflows;
      }
    }
    const notes: string[] = [];
    if (pool?.fallbackReason) notes.push(`${pool.fallbackReason}; running one float session (${pool.model}, ${pool.threads} threads)`);
    if (pool?.modelFallback) notes.push(pool.modelFallback);
    if (dropped > 0) notes.push(`${dropped} frames dropped (inference behind)`);
    const degraded = (s.errors > 0 && s.framesOut === 0) || pool?.fallbackReason != null || pool?.modelFallback != null || (this.lanes.length === 0 && !this.switching);
    return { status: degraded ? 'degraded' : 'ok', detail: notes.length > 0 ? notes.join('; ') : undefined, metrics };
  }
}
