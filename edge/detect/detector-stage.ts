// The detection stage: consumes 'camera.frame', runs the person detector on one queue
// shared by all cameras (drop-oldest per camera when behind), and emits 'detect.frame'
// with every person box above the low floor (the tracker's second stage uses them).
// A missing or broken model is reported in health; the rest of the agent keeps running.
import { MotionDetector } from '../camera/index.ts';
import type { FootfallConfig } from '../config/schema.ts';
import { errorMessage } from '../shared/errors.ts';
import type { EventBus, RawFrame } from '../shared/event-bus.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { DetectionFrame, GateOutcome, Stage, StageHealth, TrackFrame } from '../shared/types.ts';
import { FrameQueue } from './frame-queue.ts';
import { inputMapping, type InputMapping } from './geometry.ts';
import { LatencyWindow } from './latency.ts';
import { PersonDetector } from './person-detector.ts';
import { DetectionGate, GateDecision, RegionPlanner } from './region-planner.ts';
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

const MAX_GATE_TRACKS = 256;
const GATE_OUTCOME: readonly GateOutcome[] = ['skipped', 'regions', 'full'];

export class DetectorStage implements Stage {
  readonly name = 'detect';
  private detector: PersonDetector | WorkerPersonDetector | null = null;
  private readonly queue: FrameQueue;
  private readonly latency = new LatencyWindow(512);
  private readonly log: Logger;
  private readonly noisy: RateLimitedLog;
  private readonly out: DetectionFrame = { camera: '', tsMs: 0, frameIndex: 0, width: 0, height: 0, count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) };
  private running = false;
  private started = false;
  private loadError: string | null = null;
  private idle: Promise<void> = Promise.resolve();
  private resolveIdle: (() => void) | null = null;
  private errors = 0;
  private framesOut = 0;
  private inferenceMsEma = 0;
  private emitFloor = 0.1;
  private readonly onFrame = (frame: RawFrame) => this.enqueue(frame);
  private readonly gates = new Map<string, CameraGate>();
  private readonly costs = new Map<string, CameraCost>();
  private readonly onTracks = (t: TrackFrame) => this.rememberTracks(t);

  constructor(private readonly options: DetectorStageOptions) {
    this.queue = new FrameQueue(options.queueDepthPerCamera ?? options.config.detector.queueDepthPerCamera ?? 2);
    this.log = options.logger.child({ module: 'detect' });
    this.noisy = new RateLimitedLog(this.log);
  }

  /** The model's "is a person" threshold (the tracker's high-score cut), once started. */
  get scoreThreshold(): number | null {
    return this.detector?.scoreThreshold ?? null;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const d = this.options.config.detector;
    try {
      const load = this.options.inferenceThread === 'main' ? PersonDetector.load : WorkerPersonDetector.load;
      this.detector = await load({
        model: d.model,
        modelDirs: d.modelDirs,
        cwd: this.options.cwd,
        threads: d.threads,
        spinThreads: d.spinThreads,
        scoreThreshold: d.scoreThreshold,
        nmsIou: d.nmsIou,
      });
    } catch (err) {
      this.loadError = errorMessage(err);
      this.log.error({ err: this.loadError }, 'person detector unavailable; cameras run without detection');
      if (this.options.failOnModelError) {
        this.started = false;
        throw err;
      }
      return;
    }
    this.emitFloor = Math.min(d.lowScoreFloor, this.detector.scoreThreshold);
    this.log.info(
      { model: this.detector.info.name, path: this.detector.path, threads: d.threads, scoreThreshold: this.detector.scoreThreshold, emitFloor: this.emitFloor },
      'person detector ready',
    );
    this.options.bus.on(this.name, 'camera.frame', this.onFrame);
    if (d.motionGate === 'auto') this.options.bus.on(this.name, 'track.frame', this.onTracks);
  }

  private gateFor(camera: string, width: number, height: number, sourceWidth: number, sourceHeight: number): CameraGate {
    let g = this.gates.get(camera);
    if (g && g.motion.gridWidth === Math.floor(width / 4) && g.motion.gridHeight === Math.floor(height / 4)) return g;
    const d = this.options.config.detector;
    const det = this.detector!;
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
    await this.idle;
    await this.detector?.close();
    this.detector = null;
  }

  private enqueue(frame: RawFrame): void {
    if (!this.started || !this.detector) return;
    if (this.queue.push(frame)) this.noisy.warn({ camera: frame.camera }, 'inference behind; dropped the oldest frame');
    if (!this.running) void this.pump();
  }

  /** The single worker: oldest frame first, one inference at a time, until the queue is empty. */
  private async pump(): Promise<void> {
    this.running = true;
    this.idle = new Promise<void>((r) => (this.resolveIdle = r));
    const det = this.detector!;
    const out = this.out;
    try {
      for (let slot = this.queue.peekOldest(); slot && this.started; slot = this.queue.peekOldest()) {
        out.camera = slot.camera;
        out.tsMs = slot.tsMs;
        out.frameIndex = slot.frameIndex;
        out.width = slot.sourceWidth;
        out.height = slot.sourceHeight;
        let released = false;
        const cost = this.costOf(slot.camera);
        cost.frames++;
        if (this.gated(slot, out)) {
          // Nothing moving and no one tracked: the tracker is told the frame was seen and empty.
          this.queue.release(slot.camera);
          out.count = 0;
          this.framesOut++;
          this.latency.add(Date.now() - out.tsMs);
          this.options.bus.emit('detect.frame', out);
          continue;
        }
        try {
          // detect() copies the pixels before it returns: free the slot for arriving frames.
          const pending = det.detect(slot.data, slot.width, slot.height, slot.sourceWidth, slot.sourceHeight, this.emitFloor);
          this.queue.release(slot.camera);
          released = true;
          const r = await pending;
          out.count = r.count;
          out.boxes = r.boxes;
          out.scores = r.scores;
        } catch (err) {
          if (!released) this.queue.release(out.camera);
          this.errors++;
          this.noisy.warn({ camera: out.camera, err: errorMessage(err) }, 'detection failed for a frame');
          continue;
        }
        this.inferenceMsEma = this.inferenceMsEma === 0 ? det.timings.inferenceMs : this.inferenceMsEma * 0.9 + det.timings.inferenceMs * 0.1;
        // Frames reach the detector at the model's input size, so every inference is one region.
        cost.inferred++;
        cost.regions++;
        cost.inferenceMs += det.timings.preprocessMs + det.timings.inferenceMs + det.timings.postprocessMs;
        this.framesOut++;
        this.latency.add(Date.now() - out.tsMs);
        this.options.bus.emit('detect.frame', out);
      }
    } finally {
      this.running = false;
      this.resolveIdle?.();
    }
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
    const metrics: Record<string, number | string | null> = {
      model: this.detector?.info.name ?? null,
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
    return { status: s.errors > 0 && s.framesOut === 0 ? 'degraded' : 'ok', detail: dropped > 0 ? `${dropped} frames dropped (inference behind)` : undefined, metrics };
  }
}
