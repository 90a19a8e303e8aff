// The detection stage with detector.motionGate: auto, on real PETS09-S2L1 frames (real ffmpeg,
// real model): a still scene with sensor noise is gated after its first full-frame pass,
// walking people are detected, and the gate's counters reach health.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { EventBus, type RawFrame } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { SeededRandom } from '../shared/random.ts';
import type { DetectionFrame } from '../shared/types.ts';
import { DetectorStage } from './detector-stage.ts';

const S = 416;

function petsFrames(count: number): Buffer {
  const out = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', '../shared/fixtures/video/pets09-s2l1.mp4', '-frames:v', String(count), '-vf', `scale=${S}:${S}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'],
    { maxBuffer: S * S * 3 * count + 1 },
  );
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr}`);
  return out.stdout;
}

describe('DetectorStage with the motion gate', () => {
  it('skips inference on a still scene and detects people when they move', async () => {
    const config = configSchema.parse({ detector: { threads: 1, motionGate: 'auto', fullFrameEveryS: 100, sparseDetection: 'off' } });
    const bus = new EventBus();
    const detect = new DetectorStage({ bus, config, logger: silentLogger(), inferenceThread: 'main' });
    const seen: number[] = [];
    const outcomes: Array<string | undefined> = [];
    const motionSeen: number[] = [];
    let motionInsideFrame = true;
    let resolveNext: (() => void) | null = null;
    bus.on('test', 'detect.frame', (f: DetectionFrame) => {
      seen.push(f.count);
      outcomes.push(f.gate);
      motionSeen.push(f.motionCount ?? -1);
      // Motion boxes come back in source pixels (768x576), like every box the live view draws.
      for (let i = 0; i < (f.motionCount ?? 0); i++) {
        const b = f.motionBoxes!;
        if (b[i * 4]! < -1 || b[i * 4 + 1]! < -1 || b[i * 4]! + b[i * 4 + 2]! > 769 || b[i * 4 + 1]! + b[i * 4 + 3]! > 577) motionInsideFrame = false;
      }
      resolveNext?.();
    });
    const pets = petsFrames(12);
    const rng = new SeededRandom(9);
    const send = async (data: Buffer, i: number) => {
      const frame: RawFrame = { camera: 'cam', tsMs: i * 200, frameIndex: i, sourceWidth: 768, sourceHeight: 576, width: S, height: S, data };
      const next = new Promise<void>((r) => (resolveNext = r));
      bus.emit('camera.frame', frame);
      await next;
    };
    await detect.start();
    try {
      // 15 frames of the first picture, each with fresh sensor noise: nothing moves.
      const first = pets.subarray(0, S * S * 3);
      for (let i = 0; i < 15; i++) {
        const noisy = Buffer.alloc(first.length);
        for (let p = 0; p < first.length; p++) noisy[p] = Math.max(0, Math.min(255, first[p]! + Math.round(rng.normal(0, 2))));
        await send(noisy, i);
      }
      // Then people walk (the next real frames).
      for (let f = 1; f < 12; f++) await send(pets.subarray(f * S * S * 3, (f + 1) * S * S * 3), 15 + f);
      expect(seen).toHaveLength(26);
      expect(seen[0]).toBeGreaterThanOrEqual(3); // the first frame is a full-frame pass
      expect(seen.slice(1, 15).every((c) => c === 0)).toBe(true); // gated: no inference, empty frames
      // Walking people: motion opens the gate, the detector runs and finds them.
      expect(seen.slice(16).filter((c) => c >= 3).length).toBeGreaterThanOrEqual(9);
      const m = detect.health().metrics!;
      expect(m['cam.gated']).toBe(14);
      expect(m['cam.motionFrames']).toBeGreaterThanOrEqual(9);
      expect(m['cam.sceneChanges']).toBe(0);
      expect(m['cam.inferred']).toBe(12);
      expect(m['cam.regionsPerFrame']).toBeCloseTo(12 / 26, 3);
      expect(m['cam.detectorMsPerFrame']).toBeGreaterThan(0);
      // What the live view's debug layer gets: the gate's outcome and the motion boxes per frame.
      expect(outcomes[0]).toBe('full');
      expect(outcomes.slice(1, 15).every((o) => o === 'skipped')).toBe(true);
      expect(outcomes.slice(16).every((o) => o === 'full')).toBe(true);
      expect(motionSeen.slice(1, 15).every((n) => n === 0)).toBe(true);
      expect(motionSeen.slice(16).filter((n) => n > 0).length).toBeGreaterThanOrEqual(9);
      expect(motionInsideFrame).toBe(true);
    } finally {
      await detect.stop();
    }
  }, 60_000);
});
