// The tracking stage: one ByteTracker per camera, fed from 'detect.frame' on the event
// bus, emitting 'track.frame' with reused arrays. Per-frame problems (frames out of order,
// bad boxes) are counted and logged at a bounded rate, never thrown.
import type { TrackerConfig } from '../config/sections/tracker.ts';
import type { EventBus } from '../shared/event-bus.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { DetectionFrame, Stage, StageHealth, TrackFrame } from '../shared/types.ts';
import type { FloorCalibration } from '../shared/floor-calibration.ts';
import { ByteTracker } from './byte-tracker.ts';

export interface TrackerStageOptions {
  bus: EventBus;
  config: TrackerConfig;
  logger: Logger;
  /** Per camera name, its floor calibration: those cameras track on the floor (metres). */
  calibrations?: ReadonlyMap<string, FloorCalibration>;
}

interface CameraTracker {
  tracker: ByteTracker;
  frame: TrackFrame;
  /** Counter values already warned about. */
  warnedOutOfOrder: number;
  warnedInvalid: number;
  warnedBeyondHorizon: number;
}

export class TrackerStage implements Stage {
  readonly name = 'track';
  private readonly cameras = new Map<string, CameraTracker>();
  private running = false;
  private log: Logger | undefined;
  private warn: RateLimitedLog | undefined;
  private framesIn = 0;
  private framesOut = 0;
  private listenerErrors = 0;
  private readonly onFrame = (frame: DetectionFrame): void => this.handle(frame);

  constructor(private readonly options: TrackerStageOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.log = this.options.logger.child({ module: 'track' });
    this.warn = new RateLimitedLog(this.log);
    this.options.bus.on(this.name, 'detect.frame', this.onFrame);
    this.running = true;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.options.bus.removeOwner(this.name);
    this.running = false;
  }

  health(): StageHealth {
    if (!this.running) return { status: 'stopped' };
    let outOfOrder = 0;
    let invalid = 0;
    let live = 0;
    let beyondHorizon = 0;
    let predicted = 0;
    const floorCameras = [...this.cameras.values()].filter((c) => c.frame.floor).length;
    for (const c of this.cameras.values()) {
      outOfOrder += c.tracker.counters.outOfOrderFrames;
      invalid += c.tracker.counters.invalidDetections;
      beyondHorizon += c.tracker.counters.beyondHorizon;
      live += c.tracker.liveTracks;
      predicted += c.tracker.counters.predictedFrames;
    }
    return {
      status: this.listenerErrors > 0 ? 'degraded' : 'ok',
      metrics: {
        cameras: this.cameras.size,
        framesIn: this.framesIn,
        framesOut: this.framesOut,
        framesPredicted: predicted,
        liveTracks: live,
        outOfOrderFrames: outOfOrder,
        invalidDetections: invalid,
        floorCameras,
        beyondHorizonDetections: beyondHorizon,
        listenerErrors: this.listenerErrors,
      },
    };
  }

  /** The tracker of a camera (created on its first frame), for readers of per-track state. */
  trackerOf(camera: string): ByteTracker | undefined {
    return this.cameras.get(camera)?.tracker;
  }

  private handle(det: DetectionFrame): void {
    this.framesIn++;
    let cam = this.cameras.get(det.camera);
    if (!cam) {
      const calibration = this.options.calibrations?.get(det.camera);
      const tracker = new ByteTracker(this.options.config, calibration ? { calibration } : undefined);
      cam = {
        tracker,
        frame: {
          camera: det.camera,
          tsMs: 0,
          count: 0,
          ids: tracker.output.ids,
          boxes: tracker.output.boxes,
          floor: calibration ? tracker.output.floor : undefined,
          endedCount: 0,
          endedIds: tracker.output.endedIds,
          agesMs: tracker.output.agesMs,
          uncertainCount: 0,
          predicted: false,
        },
        warnedOutOfOrder: 0,
        warnedInvalid: 0,
        warnedBeyondHorizon: 0,
      };
      this.cameras.set(det.camera, cam);
    }
    // A predicted frame (sparse detection) was not looked at: predict, do not associate.
    const out = det.predicted === true ? cam.tracker.predict(det.tsMs) : cam.tracker.update(det.tsMs, det);
    const counters = cam.tracker.counters;
    if (counters.outOfOrderFrames !== cam.warnedOutOfOrder) {
      cam.warnedOutOfOrder = counters.outOfOrderFrames;
      this.warn?.warn({ camera: det.camera, tsMs: det.tsMs, total: counters.outOfOrderFrames }, 'frame older than the previous one dropped');
      return;
    }
    if (counters.invalidDetections !== cam.warnedInvalid) {
      cam.warnedInvalid = counters.invalidDetections;
      this.warn?.warn({ camera: det.camera, total: counters.invalidDetections }, 'detections with invalid boxes or scores skipped');
    }
    if (counters.beyondHorizon !== cam.warnedBeyondHorizon) {
      cam.warnedBeyondHorizon = counters.beyondHorizon;
      this.warn?.warn({ camera: det.camera, total: counters.beyondHorizon }, "detections whose foot point maps beyond the calibration's horizon dropped from floor tracking");
    }
    // The output arrays may have grown: refresh the references (no allocation otherwise).
    const f = cam.frame;
    f.tsMs = out.tsMs;
    f.count = out.count;
    f.ids = out.ids;
    f.boxes = out.boxes;
    if (f.floor) f.floor = out.floor;
    f.endedCount = out.endedCount;
    f.endedIds = out.endedIds;
    f.agesMs = out.agesMs;
    f.uncertainCount = out.uncertainCount;
    f.predicted = det.predicted === true;
    this.framesOut++;
    try {
      this.options.bus.emit('track.frame', f);
    } catch (err) {
      // A failing listener must not stop tracking of the next frame.
      this.listenerErrors++;
      this.warn?.warn({ err, camera: det.camera }, 'track.frame listener failed');
    }
  }
}
