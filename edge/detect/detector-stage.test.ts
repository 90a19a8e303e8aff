// The camera and detection stages together on a real bus: the demo video through real
// ffmpeg into the real default model, as the agent wires them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CameraStage, defaultDemoCamera } from '../camera/index.ts';
import { configSchema } from '../config/index.ts';
import { SHIPPED_MODELS_DIR } from '../../models/index.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import type { DetectionFrame } from '../shared/types.ts';
import { DetectorStage } from './detector-stage.ts';
import { TrackerStage } from '../track/index.ts';
import type { TrackFrame } from '../shared/types.ts';
import { frameGeometryFor } from './frame-geometry.ts';
import { WorkerPersonDetector } from './worker-detector.ts';

function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

/** Emits one grey 416 x 416 camera frame and waits until the stage emits its detection frame. */
async function oneFrameDetected(bus: EventBus, what: string): Promise<void> {
  let out = 0;
  bus.on('test', 'detect.frame', () => out++);
  bus.emit('camera.frame', { camera: 'c', tsMs: Date.now(), frameIndex: 0, sourceWidth: 416, sourceHeight: 416, width: 416, height: 416, data: Buffer.alloc(416 * 416 * 3, 90) });
  await waitFor(() => out === 1, 20_000, what);
}

describe('CameraStage -> DetectorStage', () => {
  it('turns the demo camera into person detections in source pixels', async () => {
    const demo = defaultDemoCamera();
    if (!demo.camera) throw new Error(demo.reason);
    const config = configSchema.parse({ detector: { threads: 1 } });
    const bus = new EventBus();
    const logger = silentLogger();
    const detect = new DetectorStage({ bus, config, logger });
    const camera = new CameraStage({ bus, cameras: [demo.camera], geometry: frameGeometryFor(config.detector), logger });
    const frames: Array<{ camera: string; count: number; w: number; h: number; maxX: number; minScore: number; tsMs: number }> = [];
    bus.on('test', 'detect.frame', (f: DetectionFrame) => {
      let maxX = 0;
      let minScore = 1;
      for (let i = 0; i < f.count; i++) {
        maxX = Math.max(maxX, f.boxes[i * 4]! + f.boxes[i * 4 + 2]!);
        minScore = Math.min(minScore, f.scores[i]!);
      }
      frames.push({ camera: f.camera, count: f.count, w: f.width, h: f.height, maxX, minScore, tsMs: f.tsMs });
    });
    await detect.start();
    await camera.start();
    try {
      await waitFor(() => frames.length >= 8, 30_000, '8 detection frames');
      expect(camera.cameras().map((c) => c.name)).toEqual(['demo']);
      expect(frames[0]).toMatchObject({ camera: 'demo', w: 768, h: 576 });
      // PETS09-S2L1 always has several people in view.
      expect(frames.filter((f) => f.count >= 3).length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...frames.map((f) => f.maxX))).toBeGreaterThan(416); // mapped back beyond the model's 416 px
      expect(Math.min(...frames.map((f) => f.minScore))).toBeGreaterThanOrEqual(0.1); // the low floor reaches the tracker
      expect(camera.health()).toMatchObject({ status: 'ok', metrics: { 'demo.state': 'streaming' } });
      const h = detect.health();
      expect(h.status).toBe('ok');
      expect(h.metrics!['demo.processed']).toBeGreaterThanOrEqual(8);
      expect(detect.stats().latencyMedianMs).toBeGreaterThan(0);
      expect(detect.scoreThreshold).toBe(0.5);
    } finally {
      await camera.stop();
      await detect.stop();
      await camera.stop();
      await detect.stop();
    }
    expect(camera.health().status).toBe('stopped');
    expect(bus.listenerCount('camera.frame')).toBe(0);
  });

  it('sparse detection: fewer inferences on the real clip, tracks continuous across predicted frames', async () => {
    // A real clip of people walking through one by one (768x432, 10 fps), taken at 5 fps.
    const url = fileURLToPath(new URL('../../../shared/fixtures/video/one-by-one-person-detection.mp4', import.meta.url));
    const config = configSchema.parse({ detector: { threads: 1, workers: 1, sparseDetection: 'auto', detectEveryFrames: 3 }, cameras: [{ name: 'demo', url, loop: true, fps: 5, width: 768, height: 432 }] });
    const bus = new EventBus();
    const logger = silentLogger();
    const detect = new DetectorStage({ bus, config, logger });
    const track = new TrackerStage({ bus, config: config.tracker, logger });
    const camera = new CameraStage({ bus, cameras: [config.cameras[0]!], geometry: frameGeometryFor(config.detector), logger });
    const kinds: string[] = [];
    bus.on('test', 'detect.frame', (f: DetectionFrame) => kinds.push(f.predicted ? 'predicted' : (f.gate ?? 'full')));
    const tracks: Array<{ predicted: boolean; ids: Set<number> }> = [];
    bus.on('test', 'track.frame', (f: TrackFrame) => tracks.push({ predicted: f.predicted === true, ids: new Set(f.ids.subarray(0, f.count)) }));
    await track.start();
    await detect.start();
    await camera.start();
    let h: Record<string, unknown> = {};
    let trackMetrics: Record<string, unknown> = {};
    try {
      await waitFor(() => kinds.length >= 60, 60_000, '60 frames');
      await camera.stop();
      h = detect.health().metrics!;
      trackMetrics = track.health().metrics!;
    } finally {
      await camera.stop();
      await detect.stop();
      await track.stop();
    }
    const predicted = kinds.filter((k) => k === 'predicted').length;
    expect(predicted).toBeGreaterThan(0);
    expect(h['demo.predicted']).toBe(predicted);
    // Fewer inferences than frames: every predicted frame is one the detector did not run.
    expect(h['demo.inferred'] as number).toBeLessThanOrEqual(kinds.length - predicted);
    // A predicted frame keeps every track of the frame before it (a frame not looked at is not "everyone left").
    let checked = 0;
    for (let i = 1; i < tracks.length; i++) {
      if (!tracks[i]!.predicted) continue;
      for (const id of tracks[i - 1]!.ids) expect(tracks[i]!.ids.has(id)).toBe(true);
      checked++;
    }
    expect(checked).toBe(predicted);
    expect(trackMetrics).toMatchObject({ framesPredicted: predicted });
    expect(tracks.length).toBe(kinds.length); // every frame, detected or predicted, reached analytics' input
  });

  it('falls back to one float session when the configured model is missing, and says so in health', async () => {
    const config = configSchema.parse({ detector: { model: 'picodet_s_416_coco', modelDirs: [] } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config: { detector: { ...config.detector, model: './nowhere/model.onnx', workers: 2 } }, logger: silentLogger() });
    await stage.start();
    try {
      const h = stage.health();
      expect(h).toMatchObject({ status: 'degraded', detail: expect.stringContaining('does not exist') });
      expect(h.detail).toContain('running one float session (picodet_s_416_coco, 2 threads)');
      expect(h.metrics).toMatchObject({ workers: 1, threadsPerWorker: 2, model: 'picodet_s_416_coco' });
      expect(bus.listenerCount('camera.frame')).toBe(1);
    } finally {
      await stage.stop();
    }
    // A tool that asks for exactly this model gets the error instead.
    const strict = new DetectorStage({ bus, config: { detector: { ...config.detector, model: 'no-such-model' } }, logger: silentLogger(), failOnModelError: true });
    await expect(strict.start()).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('falls back to one float session when the configured model file does not load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-bad-model-'));
    const bad = join(dir, 'broken.onnx');
    writeFileSync(bad, Buffer.alloc(4096, 7)); // not an ONNX protobuf
    const config = configSchema.parse({ detector: { model: bad, workers: 2, threads: 1 } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config, logger: silentLogger() });
    await stage.start();
    try {
      const h = stage.health();
      expect(h.status).toBe('degraded');
      expect(h.detail).toContain('broken.onnx, 2 x 1 threads) failed');
      expect(h.metrics).toMatchObject({ workers: 1, threadsPerWorker: 2, model: 'picodet_s_416_coco' });
      await oneFrameDetected(bus, 'a detection from the fallback session');
    } finally {
      await stage.stop();
    }
  });

  it('runs the float model in the pool, and says so in health, when the int8 model file is altered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-bad-int8-'));
    const shipped = readFileSync(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco_int8.onnx'));
    writeFileSync(join(dir, 'picodet_s_416_coco_int8.onnx'), shipped.subarray(0, shipped.length >> 1));
    const config = configSchema.parse({ detector: { model: 'picodet_s_416_coco_int8', modelDirs: [dir], workers: 2, threads: 1, motionGate: 'off' } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config, logger: silentLogger() });
    await stage.start();
    try {
      const h = stage.health();
      expect(h.status).toBe('degraded');
      expect(h.detail).toMatch(/picodet_s_416_coco_int8 unusable .*does not match.*using the float model picodet_s_416_coco/);
      expect(h.metrics).toMatchObject({ workers: 2, threadsPerWorker: 1, model: 'picodet_s_416_coco', fallback: null });
      expect(h.metrics!.modelFallback).toMatch(/using the float model/);
      await oneFrameDetected(bus, 'a detection from the float model');
    } finally {
      await stage.stop();
    }
  });

  it('falls back to one float session when a pool worker dies, and keeps detecting', async () => {
    const config = configSchema.parse({ detector: { workers: 2, threads: 1, motionGate: 'off' } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config, logger: silentLogger() });
    await stage.start();
    try {
      expect(stage.workers).toHaveLength(2);
      expect(stage.health()).toMatchObject({ status: 'ok', metrics: { workers: 2, threadsPerWorker: 1, fallback: null } });
      let out = 0;
      bus.on('test', 'detect.frame', () => out++);
      const data = Buffer.alloc(416 * 416 * 3, 90);
      let i = 0;
      const feed = setInterval(() => {
        for (let c = 0; c < 3; c++) bus.emit('camera.frame', { camera: `cam${c}`, tsMs: Date.now(), frameIndex: i, sourceWidth: 416, sourceHeight: 416, width: 416, height: 416, data });
        i++;
      }, 100);
      try {
        await waitFor(() => out >= 6, 20_000, 'detections from the pool');
        (stage.workers[0] as WorkerPersonDetector).crash(); // a real uncaught error ends the thread
        await waitFor(() => stage.health().metrics?.fallback != null, 20_000, 'the fallback');
        const h = stage.health();
        expect(h.status).toBe('degraded');
        expect(h.detail).toMatch(/inference worker (crashed|exited)/);
        expect(h.metrics).toMatchObject({ workers: 1, threadsPerWorker: 2 });
        const before = out;
        await waitFor(() => out >= before + 6, 20_000, 'detections after the fallback');
      } finally {
        clearInterval(feed);
      }
    } finally {
      await stage.stop();
    }
    expect(stage.workers).toHaveLength(0);
  });

  it('feeds the pool fairly: cameras that flood frames do not starve a 5 fps camera', async () => {
    const config = configSchema.parse({ detector: { workers: 2, threads: 1, motionGate: 'off' } });
    const bus = new EventBus();
    // Depth 4: room for a calm frame to wait its turn behind the three floods on a loaded box.
    const stage = new DetectorStage({ bus, config, logger: silentLogger(), queueDepthPerCamera: 4 });
    await stage.start();
    const data = Buffer.alloc(416 * 416 * 3, 90);
    const calmOut: number[] = [];
    bus.on('test', 'detect.frame', (f: DetectionFrame) => {
      if (f.camera === 'calm') calmOut.push(f.frameIndex);
    });
    let floodIndex = 0;
    // The flood camera's clock lags (old timestamps): the former oldest-first queue served it first forever.
    // Three of them, so they could keep both workers busy between them.
    const flood = setInterval(() => {
      for (let k = 0; k < 3; k++) {
        for (let c = 0; c < 3; c++) bus.emit('camera.frame', { camera: `flood${c}`, tsMs: floodIndex, frameIndex: floodIndex, sourceWidth: 416, sourceHeight: 416, width: 416, height: 416, data });
        floodIndex++;
      }
    }, 20);
    let calmIndex = 0;
    const calm = setInterval(() => bus.emit('camera.frame', { camera: 'calm', tsMs: Date.now(), frameIndex: calmIndex++, sourceWidth: 416, sourceHeight: 416, width: 416, height: 416, data }), 200);
    try {
      await waitFor(() => calmIndex >= 15, 20_000, '15 calm frames');
    } finally {
      clearInterval(flood);
      clearInterval(calm);
    }
    await waitFor(() => stage.stats().cameras.every((c) => c.waiting === 0), 20_000, 'the queue to drain');
    await stage.stop();
    const s = stage.stats().cameras;
    const calmStats = s.find((c) => c.camera === 'calm')!;
    const floodStats = s.find((c) => c.camera === 'flood0')!;
    expect(floodStats.dropped).toBeGreaterThan(100); // the flood really overran its own ring
    // On a loaded machine one calm frame may wait behind its predecessor and be replaced (the
    // ring keeps the newest); starving would lose most of them, as the floods lose theirs.
    expect(calmStats.received, JSON.stringify(s)).toBe(calmIndex);
    expect(calmStats.dropped, JSON.stringify(s)).toBeLessThanOrEqual(1);
    expect(calmStats.processed, JSON.stringify(s)).toBeGreaterThanOrEqual(calmIndex - 1);
    expect(calmOut.every((v, i) => i === 0 || v > calmOut[i - 1]!)).toBe(true); // in order
    expect(calmOut.length).toBeGreaterThanOrEqual(calmIndex - 1);
  });

  it('drops the oldest frames when inference is slower than arrival, bounded', async () => {
    const config = configSchema.parse({ detector: { threads: 1 } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config, logger: silentLogger(), queueDepthPerCamera: 2 });
    await stage.start();
    let out = 0;
    bus.on('test', 'detect.frame', () => out++);
    const data = Buffer.alloc(416 * 416 * 3, 90);
    // 4 cameras x 20 frames in one burst: far faster than inference.
    for (let i = 0; i < 20; i++) {
      for (let c = 0; c < 4; c++) bus.emit('camera.frame', { camera: `cam${c}`, tsMs: Date.now(), frameIndex: i, sourceWidth: 640, sourceHeight: 480, width: 416, height: 416, data });
    }
    const drained = () => {
      const st = stage.stats();
      return st.cameras.every((c) => c.waiting === 0) && st.framesOut === st.cameras.reduce((n, c) => n + c.processed, 0);
    };
    await waitFor(drained, 30_000, 'the queue to drain');
    const s = stage.stats();
    expect(s.cameras).toHaveLength(4);
    for (const c of s.cameras) {
      expect(c.received).toBe(20);
      expect(c.processed + c.dropped).toBe(20);
      expect(c.dropped).toBeGreaterThanOrEqual(17);
    }
    expect(out).toBe(s.cameras.reduce((n, c) => n + c.processed, 0));
    await stage.stop();
  });
});
