// Offline detection over a whole video: ffmpeg decodes as fast as the detector keeps up and
// every frame is detected in order (recorded footage to MOT detections, and the detect bench).
import { FfmpegFrameSource } from '../camera/index.ts';
import type { Logger } from '../shared/log.ts';
import type { DetectionResult, PersonDetector } from './person-detector.ts';

export interface VideoDetectionOptions {
  url: string;
  detector: PersonDetector;
  logger: Logger;
  fps?: number;
  floor: number;
  /** Resolving it ends the run early (Ctrl-C on a live stream); frames so far are kept. */
  stop?: Promise<unknown>;
  /** Called per frame in order; the result arrays are reused after it returns. */
  onResult: (frameNo: number, result: DetectionResult) => void | Promise<void>;
}

export interface VideoDetectionSummary {
  frames: number;
  boxes: number;
  /** ffmpeg's error when the video ended abnormally, else null. */
  endError: string | null;
  seconds: number;
}

/**
 * Decodes a video with ffmpeg (as fast as possible, ffmpeg paused by pipe backpressure
 * while a short queue is full) and runs the detector on every frame. `footfall detect
 * --video` and `footfall bench detect` both use it, so the benchmark measures this path.
 */
export async function runVideoDetection(o: VideoDetectionOptions): Promise<VideoDetectionSummary> {
  const detector = o.detector;
  const maxQueued = 3;
  const queue: Array<{ index: number; srcW: number; srcH: number; w: number; h: number; data: Buffer }> = [];
  const spare: Buffer[] = [];
  let frames = 0;
  let boxes = 0;
  let ended = false;
  let endError: string | null = null;
  let wake: (() => void) | null = null;
  const t0 = performance.now();
  const source = new FfmpegFrameSource({
    name: 'video',
    url: o.url,
    geometry: { width: detector.inputWidth, height: detector.inputHeight, resize: detector.info.preprocess.resize, padValue: detector.info.preprocess.padValue },
    fps: o.fps,
    realtime: false,
    restart: false,
    stallTimeoutMs: 30_000,
    logger: o.logger,
    onFrame: (f) => {
      const data = spare.pop() ?? Buffer.allocUnsafe(f.data.length);
      f.data.copy(data);
      queue.push({ index: f.frameIndex, srcW: f.sourceWidth, srcH: f.sourceHeight, w: f.width, h: f.height, data });
      if (queue.length >= maxQueued) source.pause();
      wake?.();
    },
    onEnd: (err) => {
      ended = true;
      endError = err;
      wake?.();
    },
  });
  source.start();
  void o.stop?.then(() => {
    ended = true;
    queue.length = 0;
    void source.stop();
    wake?.();
  });
  try {
    for (;;) {
      const item = queue.shift();
      if (!item) {
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      if (queue.length < maxQueued) source.resume();
      const r = await detector.detect(item.data, item.w, item.h, item.srcW, item.srcH, o.floor);
      spare.push(item.data);
      boxes += r.count;
      frames++;
      await o.onResult(item.index + 1, r);
    }
  } finally {
    await source.stop();
  }
  return { frames, boxes, endError, seconds: (performance.now() - t0) / 1000 };
}
