// Inference in a worker thread: same boxes as in-thread, errors keep their codes, and the
// main event loop keeps running while a frame is inferred (it does not with session.run
// on the main thread).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageForModel } from './image-input.ts';
import { PersonDetector } from './person-detector.ts';
import { WorkerPersonDetector } from './worker-detector.ts';

const IMAGES = fileURLToPath(new URL('../../../shared/fixtures/images/', import.meta.url));

/** Timer ticks (5 ms interval) that fire while `work` runs. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const t = setInterval(() => ticks++, 5);
  try {
    await work();
  } finally {
    clearInterval(t);
  }
  return ticks;
}

describe('WorkerPersonDetector', () => {
  let w: WorkerPersonDetector;
  let m: PersonDetector;
  beforeAll(async () => {
    [w, m] = await Promise.all([WorkerPersonDetector.load({ model: 'picodet_s_416_coco', threads: 1 }), PersonDetector.load({ model: 'picodet_s_416_coco', threads: 1 })]);
  });
  afterAll(async () => {
    await w.close();
    await w.close();
    await m.close();
  });

  it('gives the same persons as the in-thread detector', async () => {
    const img = await loadImageForModel(join(IMAGES, 'coco-sample-0.jpg'), w.info);
    const a = await w.detect(img.pixels, img.width, img.height, img.sourceWidth, img.sourceHeight);
    const aBoxes = Array.from(a.boxes.subarray(0, a.count * 4));
    const b = await m.detect(img.pixels, img.width, img.height, img.sourceWidth, img.sourceHeight);
    expect(a.count).toBe(4);
    expect(aBoxes).toEqual(Array.from(b.boxes.subarray(0, b.count * 4)));
    expect(w.timings.inferenceMs).toBeGreaterThan(0);
  });

  it('keeps the event loop running during inference (in-thread session.run blocks it)', async () => {
    const img = await loadImageForModel(join(IMAGES, 'bus.jpg'), w.info);
    const inWorker = await ticksDuring(async () => {
      for (let i = 0; i < 3; i++) await w.detect(img.pixels, img.width, img.height);
    });
    const inThread = await ticksDuring(async () => {
      for (let i = 0; i < 3; i++) await m.detect(img.pixels, img.width, img.height);
    });
    expect(inWorker).toBeGreaterThanOrEqual(5);
    expect(inThread).toBeLessThan(inWorker);
  });

  it('rejects a missing model with MODEL_NOT_FOUND from the worker', async () => {
    await expect(WorkerPersonDetector.load({ model: 'no-such-model' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
