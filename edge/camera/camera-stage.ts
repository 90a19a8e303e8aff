// The camera stage: one FfmpegFrameSource per enabled camera (or the looping demo video
// when none is configured), each emitting model-ready frames as 'camera.frame' on the bus.
// A camera that fails is restarted on its own; the others and the agent keep running.
import type { z } from 'zod';
import { findManifestEntry } from '../../models/index.ts';
import { requireStreamUrls, type cameraSchema } from '../config/sections/cameras.ts';
import type { FootfallConfig } from '../config/schema.ts';
import type { EventBus, RawFrame } from '../shared/event-bus.ts';
import type { Logger } from '../shared/log.ts';
import type { Stage, StageHealth } from '../shared/types.ts';
import type { BackoffOptions } from './backoff.ts';
import { defaultDemoCamera } from './demo-camera.ts';
import type { FrameGeometry } from './ffmpeg-args.ts';
import { FfmpegFrameSource, type FrameSourceStats } from './ffmpeg-frame-source.ts';

export type CameraConfig = z.output<typeof cameraSchema>;

export interface CameraStageOptions {
  bus: EventBus;
  config: Pick<FootfallConfig, 'cameras' | 'demoCamera' | 'detector'>;
  logger: Logger;
  /** Frame geometry; defaults to the configured model's input (see frameGeometryFor). */
  geometry?: FrameGeometry;
  backoff?: BackoffOptions;
}

/** The frame geometry the configured detector model wants (its manifest entry, else 640 letterbox). */
export function frameGeometryFor(detector: Pick<FootfallConfig['detector'], 'model'>): FrameGeometry {
  const info = findManifestEntry(detector.model);
  if (info) return { width: info.inputWidth, height: info.inputHeight, resize: info.preprocess.resize, padValue: info.preprocess.padValue };
  // A user's own YOLOv8-style export: the usual 640 letterbox; the detector resamples if its input differs.
  return { width: 640, height: 640, resize: 'letterbox-center', padValue: 114 };
}

export class CameraStage implements Stage {
  readonly name = 'camera';
  private readonly sources: FfmpegFrameSource[] = [];
  private started = false;
  private note: string | null = null;
  private readonly log: Logger;

  constructor(private readonly options: CameraStageOptions) {
    this.log = options.logger.child({ module: 'camera-stage' });
  }

  /** The cameras this stage runs (configured and enabled, else the demo camera). */
  cameras(): Array<CameraConfig & { url: string }> {
    const configured = requireStreamUrls(this.options.config.cameras.filter((c) => c.enabled), 'config');
    if (configured.length > 0 || this.options.config.cameras.length > 0) return configured;
    if (!this.options.config.demoCamera) return [];
    const demo = defaultDemoCamera();
    if (!demo.camera) {
      this.note = demo.reason;
      return [];
    }
    return requireStreamUrls([demo.camera], 'demo camera');
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const geometry = this.options.geometry ?? frameGeometryFor(this.options.config.detector);
    const cams = this.cameras();
    if (cams.length === 0) {
      this.log.warn({ reason: this.note ?? 'no enabled camera in the config' }, 'no camera to run');
      return;
    }
    const bus = this.options.bus;
    const emit = (frame: RawFrame) => bus.emit('camera.frame', frame);
    for (const cam of cams) {
      const source = new FfmpegFrameSource({
        name: cam.name,
        url: cam.url,
        geometry,
        fps: cam.fps,
        loop: cam.loop,
        realtime: true,
        stallTimeoutMs: cam.stallTimeoutS * 1000,
        restart: true,
        rtspTransport: cam.rtspTransport,
        backoff: { maxMs: cam.maxBackoffS * 1000, ...this.options.backoff },
        logger: this.options.logger,
        onFrame: emit,
      });
      this.sources.push(source);
      source.start();
    }
    this.log.info({ cameras: cams.map((c) => c.name), input: `${geometry.width}x${geometry.height} ${geometry.resize}` }, 'cameras started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all(this.sources.map((s) => s.stop()));
    this.sources.length = 0;
  }

  /** Per-camera state and counters (status page, health). */
  stats(): FrameSourceStats[] {
    return this.sources.map((s) => s.stats());
  }

  health(): StageHealth {
    if (!this.started) return { status: 'stopped' };
    if (this.sources.length === 0) return { status: 'degraded', detail: this.note ?? 'no camera configured' };
    const metrics: Record<string, number | string | null> = {};
    let streaming = 0;
    for (const s of this.stats()) {
      if (s.state === 'streaming') streaming++;
      metrics[`${s.name}.state`] = s.state;
      metrics[`${s.name}.framesIn`] = s.framesIn;
      metrics[`${s.name}.restarts`] = s.restarts;
      metrics[`${s.name}.stalls`] = s.stalls;
      metrics[`${s.name}.decodeErrors`] = s.decodeErrors;
      metrics[`${s.name}.lastFrameAtMs`] = s.lastFrameAtMs;
      metrics[`${s.name}.fps`] = s.fps;
      metrics[`${s.name}.lastError`] = s.lastError;
    }
    const status = streaming === this.sources.length ? 'ok' : streaming === 0 ? 'failed' : 'degraded';
    return { status, detail: `${streaming}/${this.sources.length} cameras streaming`, metrics };
  }
}
