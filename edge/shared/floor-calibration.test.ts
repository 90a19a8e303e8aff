import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CalibrationError, FloorCalibration, parseCamPara, type CalibrationPoint } from './floor-calibration.ts';

const SHARED = new URL('../../../shared/fixtures/mot/', import.meta.url);

/** A camera 3 m up looking down at 30° over a floor: image points made from a known model. */
function syntheticPairs(): { cal: FloorCalibration; pairs: CalibrationPoint[] } {
  const tilt = (60 * Math.PI) / 180; // from vertical
  const c = Math.cos(tilt);
  const s = Math.sin(tilt);
  // Camera axes in world (floor X right, Y forward, Z up): x_c = X, y_c = -Z·s... as a rotation.
  const R = [
    [1, 0, 0],
    [0, -c, -s],
    [0, s, -c],
  ];
  const camPos = [0, 0, 3];
  const T = R.map((r) => -(r[0]! * camPos[0]! + r[1]! * camPos[1]! + r[2]! * camPos[2]!));
  const K = [
    [1000, 0, 960],
    [0, 1000, 540],
    [0, 0, 1],
  ];
  const cal = FloorCalibration.fromCamera({ K, R, T }, { width: 1920, height: 1080 });
  const out = new Float64Array(2);
  const pairs: CalibrationPoint[] = [];
  for (const [x, y] of [
    [-2, 4],
    [2, 4],
    [2, 12],
    [-2, 12],
    [0, 7],
  ] as const) {
    expect(cal.toImage(x, y, out, 0)).toBe(true);
    pairs.push([out[0]!, out[1]!, x, y]);
  }
  return { cal, pairs };
}

describe('FloorCalibration', () => {
  it('recovers the floor mapping from point pairs, with near-zero reprojection error', () => {
    const { cal, pairs } = syntheticPairs();
    const fit = FloorCalibration.fromPoints(pairs, { width: 1920, height: 1080 });
    expect(fit.reprojection!.maxPx).toBeLessThan(1e-6);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    for (const [u, v] of [
      [100, 1000],
      [960, 600],
      [1800, 800],
    ]) {
      expect(cal.toFloor(u!, v!, a, 0)).toBe(true);
      expect(fit.toFloor(u!, v!, b, 0)).toBe(true);
      expect(b[0]).toBeCloseTo(a[0]!, 6);
      expect(b[1]).toBeCloseTo(a[1]!, 6);
    }
  });

  it('reports the reprojection error of a noisy point set', () => {
    const { pairs } = syntheticPairs();
    const noisy = pairs.map(([u, v, x, y], i) => [u + (i === 4 ? 15 : 0), v, x, y] as CalibrationPoint);
    const fit = FloorCalibration.fromPoints(noisy);
    expect(fit.reprojection!.maxPx).toBeGreaterThan(3);
    expect(fit.reprojection!.worstPoint).toBe(4);
  });

  it('says why a point set cannot be used', () => {
    const { pairs } = syntheticPairs();
    const frame = { width: 1920, height: 1080 };
    expect(() => FloorCalibration.fromPoints(pairs.slice(0, 3))).toThrow(/at least 4 .* got 3/);
    const line: CalibrationPoint[] = [
      [100, 500, 0, 1],
      [200, 500, 1, 2],
      [300, 500, 2, 3],
      [400, 500, 3, 5],
    ];
    expect(() => FloorCalibration.fromPoints(line)).toThrow(/image points are \(nearly\) collinear/);
    const floorLine = pairs.slice(0, 4).map(([u, v], i) => [u, v, i, 2 * i] as CalibrationPoint);
    expect(() => FloorCalibration.fromPoints(floorLine)).toThrow(/floor points are \(nearly\) collinear/);
    const outside = pairs.map((p, i) => (i === 1 ? ([2500, p[1], p[2], p[3]] as CalibrationPoint) : p));
    expect(() => FloorCalibration.fromPoints(outside, frame)).toThrow(/point 2 \[2500, .*outside the 1920x1080 frame/);
    // Two points' floor positions typed the wrong way round: the mapping folds the floor over.
    const flipped = pairs.slice(0, 4).map(([u, v], i) => [u, v, pairs[[1, 0, 2, 3][i]!]![2], pairs[[1, 0, 2, 3][i]!]![3]] as CalibrationPoint);
    expect(() => FloorCalibration.fromPoints(flipped, frame)).toThrow(CalibrationError);
    expect(() => FloorCalibration.fromPoints(flipped, frame)).toThrow(/bottom edge|behind the camera|inconsistent/);
  });

  it('marks points beyond the horizon and grows floor noise with distance', () => {
    const { cal } = syntheticPairs();
    const out = new Float64Array(4);
    // The horizon of a camera tilted 60° from vertical lies 1000·tan(30°) ≈ 577 px above centre (v ≈ -37).
    expect(cal.toFloor(960, -100, out, 0)).toBe(false);
    expect(cal.toFloor(960, 10, out, 0)).toBe(true);
    expect(cal.jacobian(960, 1000, out, 0)).toBe(true);
    const near = Math.abs(out[3]!);
    expect(cal.jacobian(960, 300, out, 0)).toBe(true);
    const far = Math.abs(out[3]!);
    expect(far).toBeGreaterThan(5 * near);
  });

  it('reads the shared UCMCTrack cam_para files: MOT17-02 people stand on a plausible floor', () => {
    const model = parseCamPara(readFileSync(new URL('MOT17-02/cam_para.txt', SHARED), 'utf8'));
    expect(model.T).toEqual([0, 1.31, 6.097]);
    const cal = FloorCalibration.fromCamera(model, { width: 1920, height: 1080 });
    // A ground-truth pedestrian's foot points over one second at 30 fps: walking speed.
    const rows = readFileSync(new URL('MOT17-02/gt.txt', SHARED), 'utf8')
      .split('\n')
      .map((l) => l.split(',').map(Number))
      .filter((r) => r[6] === 1 && r[7] === 1);
    const id = rows.find((r) => r[0] === 1)![1];
    const gt = rows.filter((r) => r[1] === id && (r[0] === 1 || r[0] === 31));
    expect(gt).toHaveLength(2);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    const [r0, r1] = gt as [number[], number[]];
    expect(cal.toFloor(r0[2]! + r0[4]! / 2, r0[3]! + r0[5]!, a, 0)).toBe(true);
    expect(cal.toFloor(r1[2]! + r1[4]! / 2, r1[3]! + r1[5]!, b, 0)).toBe(true);
    const speed = Math.hypot(b[0]! - a[0]!, b[1]! - a[1]!);
    expect(speed).toBeGreaterThan(0.2);
    expect(speed).toBeLessThan(2.5);
  });

  it('refuses malformed cam_para text with the line', () => {
    expect(() => parseCamPara('RotationMatrices\n1 0 0\n0 1 x\n')).toThrow(/line 3 .* three numbers/);
    expect(() => parseCamPara('IntrinsicMatrix\n1 0 0\n0 1 0\n0 0 1\n')).toThrow(/no "RotationMatrices"/);
  });
});
