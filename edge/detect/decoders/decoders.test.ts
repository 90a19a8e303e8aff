// Decoder arithmetic on hand-made outputs (the real models are exercised in person-detector.test.ts;
// there is no YOLOv8-style model in the shared folder, so its decoder is checked here).
import { describe, expect, it } from 'vitest';
import { createDecoder, Candidates } from './index.ts';

describe('YOLOv8-style decoder', () => {
  it('reads cx, cy, w, h and the person row of a [1, 4+C, N] output', () => {
    const C = 80;
    const N = 3;
    const out = new Float32Array((4 + C) * N);
    const set = (row: number, i: number, v: number) => (out[row * N + i] = v);
    // anchor 1: a person at (100, 200), 40x80, score 0.9; anchor 2: a car (class 2) only.
    set(0, 1, 100), set(1, 1, 200), set(2, 1, 40), set(3, 1, 80), set(4, 1, 0.9);
    set(0, 2, 50), set(1, 2, 50), set(2, 2, 10), set(3, 2, 10), set(6, 2, 0.95);
    const d = createDecoder('yolov8', [[1, 4 + C, N]], 640, 640, C, 0);
    const c = new Candidates(d.capacity);
    d.decode([out], 0.25, c);
    expect(c.count).toBe(1);
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([80, 160, 120, 240]);
    expect(c.scores[0]).toBeCloseTo(0.9);
  });

  it('rejects outputs of another shape', () => {
    expect(() => createDecoder('yolov8', [[1, 3549, 85]], 416, 416, 80, 0)).toThrow(/unknown output shape for a YOLOv8-style model/);
  });
});

describe('PicoDet decoder', () => {
  it('puts an anchor at its grid centre and takes the expected DFL distance', () => {
    // 64x64 input: grids 8x8, 4x4, 2x2, 1x1 (strides 8..64).
    const shapes = [8 * 8, 4 * 4, 2 * 2, 1].flatMap((n) => [[1, n, 80]]).concat([8 * 8, 4 * 4, 2 * 2, 1].map((n) => [1, n, 32]));
    const d = createDecoder('picodet', shapes, 64, 64, 80, 0);
    const outputs = shapes.map((s) => new Float32Array(s[1]! * s[2]!));
    // Level 0 (stride 8), anchor 9 = column 1, row 1: centre (8 + 3.5, 8 + 3.5).
    outputs[0]![9 * 80] = 0.8;
    // Each side: all the mass on bin 2 -> distance 2 * 8 = 16 px.
    for (let side = 0; side < 4; side++) outputs[4]![9 * 32 + side * 8 + 2] = 50;
    const c = new Candidates(d.capacity);
    d.decode(outputs, 0.5, c);
    expect(c.count).toBe(1);
    const b = Array.from(c.boxes.subarray(0, 4));
    expect(b[0]).toBe(0); // 11.5 - 16 clipped to 0
    expect(b[1]).toBe(0);
    expect(b[2]).toBeCloseTo(27.5, 3);
    expect(b[3]).toBeCloseTo(27.5, 3);
  });

  it('names the expected shapes when a model does not match', () => {
    expect(() => createDecoder('picodet', [[1, 3549, 85]], 416, 416, 80, 0)).toThrow(/expected \[1,2704,80\] and \[1,2704,32\] for stride 8/);
  });
});
