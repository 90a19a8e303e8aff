import { describe, expect, it } from 'vitest';
import { inputMapping } from './geometry.ts';
import { TensorWriter } from './preprocess.ts';

describe('TensorWriter', () => {
  it('writes planar RGB with mean/std in one pass', () => {
    const w = new TensorWriter(2, 1, { resize: 'stretch', channels: 'rgb', mean: [10, 20, 30], std: [2, 4, 5], padValue: 0 });
    w.write(Uint8Array.from([12, 24, 35, 10, 20, 30]), 2, 1);
    expect(Array.from(w.data)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('swaps to BGR planes when the recipe says so', () => {
    const w = new TensorWriter(1, 1, { resize: 'stretch', channels: 'bgr', mean: [0, 0, 0], std: [1, 1, 1], padValue: 0 });
    w.write(Uint8Array.from([1, 2, 3]), 1, 1);
    expect(Array.from(w.data)).toEqual([3, 2, 1]);
  });

  it('letterboxes a frame of another size with the pad value (top-left)', () => {
    const w = new TensorWriter(4, 4, { resize: 'letterbox-topleft', channels: 'rgb', mean: [0, 0, 0], std: [1, 1, 1], padValue: 114 });
    const frame = new Uint8Array(8 * 4 * 3).fill(200); // 8x4 -> scale 0.5 -> 4x2 content, 2 rows of padding
    w.write(frame, 8, 4);
    const plane0 = Array.from(w.data.subarray(0, 16));
    expect(plane0).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 114, 114, 114, 114, 114, 114, 114, 114]);
  });

  it('rejects a short buffer', () => {
    const w = new TensorWriter(2, 2, { resize: 'stretch', channels: 'rgb', mean: [0, 0, 0], std: [1, 1, 1], padValue: 0 });
    expect(() => w.write(new Uint8Array(5), 2, 2)).toThrow(RangeError);
  });
});

describe('inputMapping', () => {
  it('maps letterbox-center with symmetric padding', () => {
    const m = inputMapping('letterbox-center', 768, 576, 640, 640);
    expect(m.scaleX).toBeCloseTo(640 / 768);
    expect(m.contentHeight).toBe(480);
    expect(m.padY).toBe(80);
    expect(m.padX).toBe(0);
  });
});
