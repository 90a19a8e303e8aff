import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../shared/event-bus.ts';
import { FrameQueue } from './frame-queue.ts';

function frame(camera: string, tsMs: number, fill: number): RawFrame {
  return { camera, tsMs, frameIndex: tsMs, sourceWidth: 4, sourceHeight: 2, width: 2, height: 2, data: Buffer.alloc(12, fill) };
}

describe('FrameQueue', () => {
  it('drops the oldest frame of a camera when full and counts it', () => {
    const q = new FrameQueue(2);
    expect(q.push(frame('a', 1, 1))).toBe(false);
    expect(q.push(frame('a', 2, 2))).toBe(false);
    expect(q.push(frame('a', 3, 3))).toBe(true);
    const head = q.peekOldest()!;
    expect(head.tsMs).toBe(2);
    expect(head.data[0]).toBe(2);
    expect(q.counters()[0]).toMatchObject({ received: 3, dropped: 1, waiting: 2 });
  });

  it('serves the oldest frame across cameras and copies the pixels', () => {
    const q = new FrameQueue(2);
    const f = frame('a', 10, 5);
    q.push(f);
    f.data.fill(9); // producer reuses its buffer
    q.push(frame('b', 5, 6));
    expect(q.peekOldest()!.camera).toBe('b');
    q.release('b');
    const a = q.peekOldest()!;
    expect(a.camera).toBe('a');
    expect(a.data[0]).toBe(5);
    q.release('a');
    expect(q.peekOldest()).toBeNull();
    expect(q.counters().map((c) => c.processed)).toEqual([1, 1]);
  });

  it('never holds more than depth frames per camera (no growth under overload)', () => {
    const q = new FrameQueue(3);
    for (let i = 0; i < 1000; i++) q.push(frame(`cam${i % 4}`, i, i & 255));
    expect(q.waiting).toBe(12);
    expect(q.counters().reduce((s, c) => s + c.dropped, 0)).toBe(1000 - 12);
  });
});
