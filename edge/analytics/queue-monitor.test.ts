import { describe, expect, it } from 'vitest';
import type { QueueConfig } from '../config/sections/analytics.ts';
import { runCount } from './offline/index.ts';
import { chain, tracksOf, walk, type FootPath } from './offline/index.ts';

// Queue area x 0..100, y 0..200; people queue downwards and are served crossing the
// counter line y = 210 (A=(0,210) -> B=(100,210): walking down is `in`).
const Q: QueueConfig = {
  name: 'till',
  polygon: [[0, 0], [100, 0], [100, 200], [0, 200]],
  serviceLine: { points: [[0, 210], [100, 210]], direction: 'in', minDistancePx: 4, minSideMs: 0 },
  minStayMs: 1_000,
  exitGraceMs: 500,
  smoothing: 1,
};

function stay(p: readonly [number, number], frames: number): Array<[number, number]> {
  return walk(p, p, frames);
}

describe('queue monitor', () => {
  it('measures the waits of served people and estimates by Little law', () => {
    const fps = 10;
    const paths: FootPath[] = [];
    // One person arrives every 10 s and waits 30 s, then walks through the service line:
    // about 3 in the queue on average, 6 served per minute, measured wait 30 s.
    for (let k = 0; k < 18; k++) {
      const start = 1 + k * 100;
      const pts = chain(walk([50, -40], [50, 10], 4), stay([50, 100], 300), walk([50, 190], [50, 260], 8));
      paths.push({ id: k + 1, startFrame: start, points: pts });
    }
    const r = runCount({ tracks: tracksOf(paths), camera: { name: 'cam', lines: [], zones: [], queues: [Q] }, fps });
    const minutes = r.events.filter((e) => e.type === 'queue');
    expect(minutes.length).toBeGreaterThanOrEqual(3);
    const second = minutes[1]!.data;
    expect(second.queue).toBe('till');
    expect(second.served).toBe(6);
    // Entry is when the foot point first enters (frame 4, y = 10 -> inside); served when confirmed past the line.
    expect(second.measuredWaitMs as number).toBeGreaterThan(30_000);
    expect(second.measuredWaitMs as number).toBeLessThan(31_000);
    expect(second.length as number).toBeGreaterThan(2.9);
    expect(second.length as number).toBeLessThan(3.3);
    // Little: L / throughput = ~3 / 6 per min = ~30 s.
    expect(second.littleWaitMs as number).toBeGreaterThan(29_000);
    expect(second.littleWaitMs as number).toBeLessThan(33_000);
    expect(second.waitMs).toBe(second.littleWaitMs);
  });

  it('does not count passers-by who cross the service line without queueing', () => {
    const paths: FootPath[] = [{ id: 1, startFrame: 1, points: walk([50, 150], [50, 300], 10) }];
    const r = runCount({ tracks: tracksOf(paths), camera: { name: 'cam', lines: [], zones: [], queues: [Q] }, fps: 10 });
    const m = r.events.find((e) => e.type === 'queue')!;
    expect(m.data.served).toBe(0);
    expect(m.data.measuredWaitMs).toBeNull();
  });
});
