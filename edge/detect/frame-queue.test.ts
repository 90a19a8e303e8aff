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

  it('serves cameras round robin, so a camera that floods frames cannot starve the others', () => {
    const q = new FrameQueue(2);
    // The flooding camera's frames even carry older timestamps (a skewed source clock):
    // oldest-first would serve it forever; round robin gives it one turn in two.
    const served: string[] = [];
    for (let step = 0; step < 50; step++) {
      for (let i = 0; i < 20; i++) q.push(frame('flood', step, 1));
      if (step % 2 === 0) q.push(frame('calm', 1_000_000 + step, 2));
      const slot = q.take()!;
      served.push(slot.camera);
      q.release(slot.camera);
      q.finish(slot.camera);
    }
    const calm = q.counters().find((c) => c.camera === 'calm')!;
    expect(calm).toMatchObject({ received: 25, dropped: 0 });
    expect(calm.processed + calm.waiting).toBe(25);
    expect(served.filter((c) => c === 'calm').length).toBeGreaterThanOrEqual(24);
  });

  it('never gives two frames of one camera at once (per-camera order is kept with several workers)', () => {
    const q = new FrameQueue(4);
    q.push(frame('a', 1, 1));
    q.push(frame('a', 2, 2));
    q.push(frame('b', 3, 3));
    const first = q.take()!;
    q.release(first.camera);
    const second = q.take()!;
    q.release(second.camera);
    expect([first.camera, second.camera].sort()).toEqual(['a', 'b']);
    expect(q.take()).toBeNull(); // a's second frame waits for a's first to finish
    q.finish('a');
    const third = q.take()!;
    expect(third).toMatchObject({ camera: 'a', tsMs: 2 });
  });
});
