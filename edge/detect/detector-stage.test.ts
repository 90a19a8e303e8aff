// The camera and detection stages together on a real bus: the demo video through real
// ffmpeg into the real default model, as the agent wires them.
import { describe, expect, it } from 'vitest';
import { CameraStage, defaultDemoCamera } from '../camera/index.ts';
import { configSchema } from '../config/index.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import type { DetectionFrame } from '../shared/types.ts';
import { DetectorStage } from './detector-stage.ts';
import { frameGeometryFor } from './frame-geometry.ts';

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

  it('keeps running without detection when the model is missing, and says why', async () => {
    const config = configSchema.parse({ detector: { model: 'picodet_s_416_coco', modelDirs: [] } });
    const bus = new EventBus();
    const stage = new DetectorStage({ bus, config: { detector: { ...config.detector, model: './nowhere/model.onnx' } }, logger: silentLogger() });
    await stage.start();
    expect(stage.health()).toMatchObject({ status: 'failed', detail: expect.stringContaining('does not exist') });
    expect(bus.listenerCount('camera.frame')).toBe(0);
    await stage.stop();
    const strict = new DetectorStage({ bus, config: { detector: { ...config.detector, model: 'no-such-model' } }, logger: silentLogger(), failOnModelError: true });
    await expect(strict.start()).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
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
