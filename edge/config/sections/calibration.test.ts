import { describe, expect, it } from 'vitest';
import { validateConfig } from '../load.ts';
import { floorCalibrationOf } from './calibration.ts';

const cam = (calibration: unknown, extra: Record<string, unknown> = {}) => ({ cameras: [{ name: 'door', url: 'x.mp4', calibration, ...extra }] });
const messageOf = (input: unknown): string => {
  try {
    validateConfig(input, 'site.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

const GOOD_POINTS = [
  [100, 700, 0, 0],
  [700, 700, 4, 0],
  [600, 300, 4, 8],
  [200, 300, 0, 8],
];

describe('cameras[].calibration', () => {
  it('accepts four spread points and maps the foot point onto the floor', () => {
    const config = validateConfig(cam({ points: GOOD_POINTS }, { width: 800, height: 720 }), 'site.yaml');
    const cal = floorCalibrationOf(config.cameras[0]!)!;
    const out = new Float64Array(2);
    expect(cal.toFloor(400, 700, out, 0)).toBe(true);
    expect(out[0]).toBeCloseTo(2, 6);
    expect(out[1]).toBeCloseTo(0, 6);
    expect(cal.reprojection!.maxPx).toBeLessThan(1e-6);
  });

  it('accepts a UCMCTrack camera model with T in millimetres', () => {
    const config = validateConfig(
      cam({
        R: [
          [0.13917, -0.99027, 0],
          [-0.06908, -0.00971, -0.99756],
          [0.98786, 0.13883, -0.06976],
        ],
        T: [0, 1310, 6097],
        K: [
          [1300, 0, 960],
          [0, 1300, 540],
          [0, 0, 1],
        ],
      }),
      'site.yaml',
    );
    expect(floorCalibrationOf(config.cameras[0]!)).not.toBeNull();
  });

  it.each([
    ['three points', { points: GOOD_POINTS.slice(0, 3) }, /cameras\[0\]\.calibration: camera "door": needs at least 4 .* got 3/],
    [
      'collinear points',
      {
        points: [
          [100, 500, 0, 0],
          [200, 500, 1, 0],
          [300, 500, 2, 1],
          [400, 500, 3, 3],
        ],
      },
      /camera "door": the image points are \(nearly\) collinear/,
    ],
    ['a point outside the frame', { points: GOOD_POINTS.map((p, i) => (i === 2 ? [900, 300, 4, 8] : p)) }, /camera "door": point 3 \[900, 300\] is outside the 800x720 frame/],
    ['points and a model at once', { points: GOOD_POINTS, T: [0, 0, 1] }, /camera "door": give either points or K, R and T/],
    ['a partial model', { T: [0, 0, 1] }, /camera "door": a camera model needs all of K, R and T/],
    ['a malformed pair', { points: [[1, 2, 3]] }, /calibration\.points\[0\]: must be \[u, v, x, y\]/],
  ])('refuses %s with one line naming the camera', (_what, calibration, expected) => {
    expect(messageOf(cam(calibration, { width: 800, height: 720 }))).toMatch(expected);
  });
});

describe('lines on a calibrated camera (floor counting)', () => {
  const withLine = (line: Record<string, unknown>) => cam({ points: GOOD_POINTS }, { width: 800, height: 720, lines: [{ name: 'door', ...line }] });

  it('accepts a line on the floor with its floor band and hold, defaults from the schema', () => {
    const config = validateConfig(withLine({ points: [[150, 600], [650, 600]] }), 'site.yaml');
    expect(config.cameras[0]!.lines[0]).toMatchObject({ bandM: 0.15, holdS: 0.25, bandNoiseBoxFraction: 0.06 });
    expect(validateConfig(withLine({ points: [[150, 600], [650, 600]], bandM: 0.5, holdS: 1 }), 'site.yaml').cameras[0]!.lines[0]).toMatchObject({ bandM: 0.5, holdS: 1 });
  });

  it('refuses a line whose end point is on or beyond the horizon, naming the line and the point', () => {
    // A camera looking level over the floor: u = 400 + 600 x / z, v = 50 + 2400 / z; horizon v = 50.
    const LEVEL = [
      [160, 530, -2, 5],
      [640, 530, 2, 5],
      [280, 170, -4, 20],
      [520, 170, 4, 20],
    ];
    const cal = floorCalibrationOf({ calibration: { points: LEVEL as Array<[number, number, number, number]>, translationUnit: 'mm' } })!;
    expect(cal.toFloor(400, 30, new Float64Array(2), 0)).toBe(false);
    expect(cal.toFloor(400, 70, new Float64Array(2), 0)).toBe(true);
    const level = (points: unknown) => cam({ points: LEVEL }, { width: 800, height: 720, lines: [{ name: 'door', points }] });
    expect(messageOf(level([[150, 600], [400, 30]]))).toMatch(/cameras\[0\]\.lines\[0\]\.points: line "door" of camera "door": point 2 \[400, 30\] is on or beyond the calibration's horizon/);
    expect(messageOf(level([[150, 600], [400, 70]]))).toBe('');
    // A zone reaching above the horizon is refused the same way (its polygon test would not hold on the floor).
    const zone = (polygon: unknown) => cam({ points: LEVEL }, { width: 800, height: 720, zones: [{ name: 'hall', polygon }] });
    expect(messageOf(zone([[100, 600], [700, 600], [700, 30], [100, 30]]))).toMatch(/cameras\[0\]\.zones\[0\]\.polygon: zone "hall" of camera "door": point 3 \[700, 30\] is on or beyond the calibration's horizon/);
    expect(messageOf(zone([[100, 600], [700, 600], [700, 70], [100, 70]]))).toBe('');
    // Without a calibration the same line is fine (it counts in the image).
    expect(messageOf({ cameras: [{ name: 'door', url: 'x.mp4', lines: [{ name: 'door', points: [[150, 600], [400, 30]] }] }] })).toBe('');
  });

  it.each([
    ['bandM above 5 m', { bandM: 6 }, /lines\[0\]\.bandM: must be a number between 0 and 5/],
    ['a negative bandM', { bandM: -0.1 }, /lines\[0\]\.bandM/],
    ['holdS above 10 s', { holdS: 11 }, /lines\[0\]\.holdS: must be a number between 0 and 10/],
    ['bandNoiseBoxFraction above 1', { bandNoiseBoxFraction: 2 }, /lines\[0\]\.bandNoiseBoxFraction: must be a number between 0 and 1/],
  ])('refuses %s', (_what, extra, expected) => {
    expect(messageOf(withLine({ points: [[150, 600], [650, 600]], ...extra }))).toMatch(expected);
  });
});
