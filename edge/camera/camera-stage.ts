// The camera stage: one FfmpegFrameSource per enabled camera it is given (the agent picks the
// cameras, the demo video included, and the detector's frame geometry), each emitting
// model-ready frames as 'camera.frame' on the bus. A camera that fails is restarted on its
// own; the others and the agent keep running.
import { requireStreamUrls, type CameraConfig } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { EventBus, RawFrame } from '../shared/event-bus.ts';
import type { Logger } from '../shared/log.ts';
import type { Stage, StageHealth } from '../shared/types.ts';
import type { BackoffOptions } from './backoff.ts';
import type { FrameGeometry } from './ffmpeg-args.ts';
import { FfmpegFrameSource, type FrameSourceStats } from './ffmpeg-frame-source.ts';

export interface CameraStageOptions {
  bus: EventBus;
  /** The cameras to run; disabled ones are skipped. */
  cameras: readonly CameraConfig[];
  /** The pixel geometry the detector wants its frames in (the agent asks the detect stage). */
  geometry: FrameGeometry;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Event time of frames (the agent's clock model; default Date.now). */
  clock?: Clock;
}

export class CameraStage implements Stage {
  readonly name = 'camera';
  private readonly sources: FfmpegFrameSource[] = [];
  private started = false;
  private readonly log: Logger;

  constructor(private readonly options: CameraStageOptions) {
    this.log = options.logger.child({ module: 'camera-stage' });
  }

  /** The cameras this stage runs: the enabled ones it was given. */
  cameras(): Array<CameraConfig & { url: string }> {
    return requireStreamUrls(this.options.cameras.filter((c) => c.enabled), 'config');
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const geometry = this.options.geometry;
    const cams = this.cameras();
    if (cams.length === 0) {
      this.log.warn({ reason: 'no enabled camera in the config' }, 'no camera to run');
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
        ...(this.options.clock ? { clock: this.options.clock } : {}),
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
    if (this.sources.length === 0) return { status: 'degraded', detail: 'no camera configured' };
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
