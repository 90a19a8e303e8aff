import { describe, expect, it } from 'vitest';
import { validateConfig } from '../load.ts';
import { analyticsSection } from './analytics.ts';

function cameraWith(extra: Record<string, unknown>) {
  return { cameras: [{ name: 'entrance-cam', url: 'rtsp://cam/1', ...extra }] };
}

function errorOf(input: unknown): string {
  try {
    validateConfig(input, 'test.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('analytics geometry config', () => {
  it('accepts the shape from the issue, with defaults', () => {
    const c = validateConfig(
      cameraWith({
        lines: [{ name: 'main-door', points: [[100, 600], [1800, 640]] }],
        zones: [{ name: 'atrium', polygon: [[0, 300], [960, 300], [960, 1080], [0, 1080]] }],
      }),
    );
    const cam = c.cameras[0]!;
    expect(cam.lines[0]).toEqual({ name: 'main-door', points: [[100, 600], [1800, 640]], minDistancePx: 8, minSideMs: 250, bandM: 0.15, holdS: 0.25, bandNoiseBoxFraction: 0.06, minDistanceBoxFraction: 0, role: 'count', intoSite: 'in' });
    expect(cam.zones[0]).toMatchObject({ name: 'atrium', minStayMs: 1000, exitGraceMs: 1000 });
    expect(cam.queues).toEqual([]);
  });

  it('with a known frame size, rejects a line, zone or queue outside the frame naming the camera and the item', () => {
    const sized = (extra: Record<string, unknown>) => cameraWith({ width: 768, height: 576, ...extra });
    expect(errorOf(sized({ lines: [{ name: 'door', points: [[100, 100], [800, 120]] }] }))).toContain(
      'cameras[0].lines[0].points: line "door" of camera "entrance-cam" has point 2 [800, 120] outside the camera\'s 768x576 frame',
    );
    expect(errorOf(sized({ zones: [{ name: 'atrium', polygon: [[0, 0], [100, 0], [100, -5]] }] }))).toContain('zone "atrium" of camera "entrance-cam" has point 3 [100, -5]');
    const queue = { name: 'till', polygon: [[0, 0], [100, 0], [100, 100]], serviceLine: { points: [[0, 0], [0, 600]] } };
    expect(errorOf(sized({ queues: [queue] }))).toContain('cameras[0].queues[0].serviceLine.points: service line of queue "till" of camera "entrance-cam"');
    // On the frame's edge is inside; without a size nothing is checked.
    expect(validateConfig(sized({ lines: [{ name: 'edge', points: [[0, 0], [768, 576]] }] })).cameras[0]!.width).toBe(768);
    expect(validateConfig(cameraWith({ lines: [{ name: 'far', points: [[0, 0], [5000, 5000]] }] })).cameras[0]!.lines).toHaveLength(1);
  });

  it('rejects a degenerate line (A = B)', () => {
    expect(errorOf(cameraWith({ lines: [{ name: 'door', points: [[100, 600], [100, 600]] }] }))).toBe(
      'test.yaml: cameras[0].lines[0].points: is degenerate: A and B must be at least 2 px apart, got [[100,600],[100,600]]',
    );
  });

  it('rejects a self-intersecting (bow-tie) polygon naming the crossing edges', () => {
    const msg = errorOf(cameraWith({ zones: [{ name: 'bow', polygon: [[0, 0], [100, 100], [100, 0], [0, 100]] }] }));
    expect(msg).toContain('cameras[0].zones[0].polygon: is self-intersecting: edge 1-2 crosses edge 3-4');
  });

  it('rejects tiny, collinear and repeated-point polygons', () => {
    expect(errorOf(cameraWith({ zones: [{ name: 'dot', polygon: [[0, 0], [5, 0], [5, 5], [0, 5]] }] }))).toContain(
      'cameras[0].zones[0].polygon: is too small: area 25.0 px², at least 100 px² needed',
    );
    expect(errorOf(cameraWith({ zones: [{ name: 'flat', polygon: [[0, 0], [50, 0], [100, 0]] }] }))).toContain('cameras[0].zones[0].polygon: is');
    expect(errorOf(cameraWith({ zones: [{ name: 'rep', polygon: [[0, 0], [0, 0], [100, 0], [100, 100]] }] }))).toContain(
      'repeats point 1 ([0, 0]) as the next point',
    );
    expect(errorOf(cameraWith({ zones: [{ name: 'two', polygon: [[0, 0], [100, 0]] }] }))).toContain('must have at least 3 points');
  });

  it('accepts concave polygons', () => {
    const c = validateConfig(cameraWith({ zones: [{ name: 'L', polygon: [[0, 0], [100, 0], [100, 40], [40, 40], [40, 100], [0, 100]] }] }));
    expect(c.cameras[0]!.zones).toHaveLength(1);
  });

  it('rejects duplicate names and negative coordinates', () => {
    expect(
      errorOf(cameraWith({ lines: [{ name: 'door', points: [[0, 0], [10, 0]] }, { name: 'door', points: [[0, 5], [10, 5]] }] })),
    ).toContain('cameras[0].lines[1].name: duplicate line name "door"');
    expect(errorOf(cameraWith({ lines: [{ name: 'door', points: [[-5, 0], [10, 0]] }] }))).toContain('must be a point [x, y] of two numbers >= 0');
  });

  it('checks queues like zones and lines', () => {
    const msg = errorOf(
      cameraWith({ queues: [{ name: 'till', polygon: [[0, 0], [100, 100], [100, 0], [0, 100]], serviceLine: { points: [[0, 0], [0, 0]] } }] }),
    );
    expect(msg).toContain('cameras[0].queues[0].polygon: is self-intersecting');
    expect(msg).toContain('cameras[0].queues[0].serviceLine.points: is degenerate');
  });

  it('validates rules: clearAt must sit on the safe side of the threshold', () => {
    const ok = analyticsSection.parse({ rules: [{ name: 'crowd', kind: 'occupancy-above', subject: 'atrium', threshold: 50, clearAt: 40 }] });
    expect(ok.rules[0]!.minDurationS).toBe(60);
    const bad = analyticsSection.safeParse({ rules: [{ name: 'crowd', kind: 'occupancy-above', subject: 'atrium', threshold: 50, clearAt: 60 }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('must be at most threshold (50) for a occupancy-above rule');
  });
});
