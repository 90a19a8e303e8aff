import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_MODELS_DIR, SHIPPED_MODELS_DIR } from '../../models/index.ts';
import { loadImageForModel } from './image-input.ts';
import { PersonDetector, type DetectionResult } from './person-detector.ts';

const IMAGES = fileURLToPath(new URL('../../../shared/fixtures/images/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'footfall-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function boxes(r: DetectionResult): Array<{ x: number; y: number; w: number; h: number; score: number }> {
  const out = [];
  for (let i = 0; i < r.count; i++) out.push({ x: r.boxes[i * 4]!, y: r.boxes[i * 4 + 1]!, w: r.boxes[i * 4 + 2]!, h: r.boxes[i * 4 + 3]!, score: r.scores[i]! });
  return out;
}

async function detectFile(d: PersonDetector, name: string, minScore?: number) {
  const img = await loadImageForModel(join(IMAGES, name), d.info);
  return boxes(await d.detect(img.pixels, img.width, img.height, img.sourceWidth, img.sourceHeight, minScore));
}

function iou(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (ix * iy) / (a.w * a.h + b.w * b.h - ix * iy);
}

describe('PersonDetector with the static int8 model (picodet_s_416_coco_int8, the default)', () => {
  let q: PersonDetector;
  let f: PersonDetector;
  beforeAll(async () => {
    [q, f] = await Promise.all([PersonDetector.load({ model: 'picodet_s_416_coco_int8', threads: 1 }), PersonDetector.load({ model: 'picodet_s_416_coco', threads: 1 })]);
  });
  afterAll(async () => {
    await q.close();
    await f.close();
  });

  it('loads in the real onnxruntime as itself, with the float model\'s recipe and threshold', () => {
    expect(q.info.name).toBe('picodet_s_416_coco_int8');
    expect(q.info.precision).toBe('int8');
    expect(q.modelFallback).toBeNull();
    expect(q.scoreThreshold).toBe(0.5);
  });

  it.each(['bus.jpg', 'street.png', 'coco-sample-0.jpg', 'coco-sample-1.jpg', 'coco-sample-2.jpg', 'coco-sample-3.jpg', 'coco-sample-4.jpg'])(
    'finds the same people as the float model in %s',
    async (name) => {
      const a = await detectFile(q, name);
      const b = await detectFile(f, name);
      expect(a.length).toBe(b.length);
      for (const p of b) {
        const m = a.reduce((best, c) => (iou(c, p) > iou(best, p) ? c : best), a[0]!);
        expect(iou(m, p)).toBeGreaterThan(0.5); // the AP50 criterion: the same person
        expect(Math.abs(m.score - p.score)).toBeLessThan(0.1);
      }
    },
  );

  it('falls back to the float model, and says why, when the int8 file is not the shipped one', async () => {
    const dir = join(tmp, 'bad-int8');
    mkdirSync(dir, { recursive: true });
    const bytes = readFileSync(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco_int8.onnx'));
    writeFileSync(join(dir, 'picodet_s_416_coco_int8.onnx'), bytes.subarray(0, bytes.length >> 1));
    const d = await PersonDetector.load({ model: 'picodet_s_416_coco_int8', modelDirs: [dir], cwd: tmp, threads: 1 });
    try {
      expect(d.info.name).toBe('picodet_s_416_coco');
      expect(d.modelFallback).toMatch(/picodet_s_416_coco_int8 unusable \(model file .*bad-int8.* does not match.*truncated.*using the float model picodet_s_416_coco/);
      expect(await detectFile(d, 'coco-sample-0.jpg')).toHaveLength(4);
    } finally {
      await d.close();
    }
  });
});

describe('PersonDetector with the float model (picodet_s_416_coco)', () => {
  let d: PersonDetector;
  beforeAll(async () => {
    d = await PersonDetector.load({ model: 'picodet_s_416_coco', threads: 1 });
  });
  afterAll(() => d.close());

  it('uses the model default threshold 0.5', () => {
    expect(d.scoreThreshold).toBe(0.5);
    expect(d.inputWidth).toBe(416);
  });

  it('finds the 4 persons in coco-sample-0', async () => {
    const b = await detectFile(d, 'coco-sample-0.jpg');
    expect(b).toHaveLength(4);
    for (const p of b) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x + p.w).toBeLessThanOrEqual(640);
      expect(p.h).toBeGreaterThan(p.w * 0.6); // standing/sitting people, not wide boxes
    }
  });

  it('finds the pedestrian and the bus driver in coco-sample-1', async () => {
    const b = await detectFile(d, 'coco-sample-1.jpg');
    expect(b).toHaveLength(2);
    const pedestrian = b.find((p) => p.x < 100)!;
    const driver = b.find((p) => p.x > 250)!;
    expect(pedestrian.score).toBeCloseTo(0.72, 2);
    expect(driver.score).toBeCloseTo(0.57, 2);
    expect(pedestrian.h).toBeGreaterThan(90); // a whole standing person
  });

  it('finds no person in coco-sample-4 (cats)', async () => {
    expect(await detectFile(d, 'coco-sample-4.jpg')).toHaveLength(0);
  });

  it('matches the MODELS.md scores on bus.jpg at 0.4, boxes in source pixels', async () => {
    const b = await detectFile(d, 'bus.jpg', 0.4);
    expect(b.map((p) => Number(p.score.toFixed(3)))).toEqual([0.898, 0.897, 0.774, 0.439]);
    const edge = b[3]!; // half-visible person at the left edge of an 810x1080 photo
    expect(edge.x).toBeLessThan(5);
    expect(edge.y + edge.h).toBeGreaterThan(800);
  });

  it('keeps low-score boxes when asked (the tracker floor)', async () => {
    const high = await detectFile(d, 'street.png');
    const low = await detectFile(d, 'street.png', 0.1);
    expect(low.length).toBeGreaterThan(high.length);
    expect(Math.min(...low.map((p) => p.score))).toBeGreaterThanOrEqual(0.1);
  });

  it('gives the same boxes when the frame arrives at source size (resampling path)', async () => {
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(join(IMAGES, 'coco-sample-0.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const b = boxes(await d.detect(data, info.width, info.height));
    expect(b).toHaveLength(4);
    expect(d.writer.resampledFrames).toBeGreaterThan(0);
  });
});

describe('the other decoders', () => {
  it('picodet_s_320_coco: bus.jpg 4 persons at 0.4', async () => {
    const d = await PersonDetector.load({ model: 'picodet_s_320_coco', threads: 1 });
    try {
      expect((await detectFile(d, 'bus.jpg', 0.4)).map((p) => Number(p.score.toFixed(3)))).toEqual([0.927, 0.814, 0.664, 0.401]);
    } finally {
      await d.close();
    }
  });

  it('yolox_nano (BGR, top-left letterbox): bus.jpg 3 persons, boxes in source pixels', async () => {
    const d = await PersonDetector.load({ model: 'yolox_nano', threads: 1 });
    try {
      const b = await detectFile(d, 'bus.jpg', 0.4);
      expect(b.map((p) => Number(p.score.toFixed(2)))).toEqual([0.85, 0.82, 0.69]);
      expect(Math.max(...b.map((p) => p.x + p.w))).toBeGreaterThan(780); // the man at the right edge of 810 px
    } finally {
      await d.close();
    }
  });

  it('fastestdet-352: coco-sample-0 has the 4 persons at its own threshold 0.65, none in cats', async () => {
    const d = await PersonDetector.load({ model: 'fastestdet-352', threads: 1 });
    try {
      expect(d.scoreThreshold).toBe(0.65);
      expect(await detectFile(d, 'coco-sample-0.jpg')).toHaveLength(4);
      expect(await detectFile(d, 'coco-sample-4.jpg')).toHaveLength(0);
    } finally {
      await d.close();
    }
  });
});

describe('bad models and bad input', () => {
  it('a corrupt .onnx file is a MODEL_INVALID error', async () => {
    const p = join(tmp, 'garbage.onnx');
    writeFileSync(p, Buffer.alloc(4096, 7));
    await expect(PersonDetector.load({ model: p })).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('cannot load model') });
  });

  it('a model of an unknown output shape is rejected with the shapes', async () => {
    // FastestDet under another name is not in the manifest, and [1,85,22,22] is not YOLOv8-style.
    const p = join(tmp, 'mystery.onnx');
    symlinkSync(join(SHARED_MODELS_DIR, 'fastestdet-352.onnx'), p);
    await expect(PersonDetector.load({ model: p })).rejects.toThrow(/does not look like a YOLOv8-style export.*\[1,85,22,22\]/);
  });

  it('a file that is not an image is an INPUT_INVALID error', async () => {
    const p = join(tmp, 'notes.jpg');
    writeFileSync(p, 'hello, not a jpeg');
    const d = await PersonDetector.load({ model: 'fastestdet-352', threads: 1 });
    try {
      await expect(loadImageForModel(p, d.info)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      await expect(loadImageForModel(join(tmp, 'absent.jpg'), d.info)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    } finally {
      await d.close();
    }
  });
});
