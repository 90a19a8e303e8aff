// The editor's floor calibration: the installer clicks floor points on the camera image and
// types their floor-plan positions (metres); the server checks the set with the same code the
// config uses (FloorCalibration.fromPoints) and answers the reprojection error, or the reason the
// set cannot be a floor mapping, plus a 1 m floor grid mapped into the image so the installer
// sees whether it lies right. Saving writes cameras[].calibration.points into the YAML file.
import { FootfallError } from '../shared/errors.ts';
import { CalibrationError, FloorCalibration, type CalibrationPoint, type ReprojectionError } from '../shared/floor-calibration.ts';

/** At most this many calibration pairs from the editor (the config allows 256). */
export const MAX_CALIBRATION_POINTS = 64;
/** Grid lines drawn per direction at most, and points per grid line. */
const MAX_GRID_LINES = 41;
const GRID_STEPS = 24;

/** What the editor shows for a point set. */
export type CalibrationCheck =
  | { ok: true; reprojection: ReprojectionError; grid: Array<Array<[number, number]>> }
  | { ok: false; reason: string };

/** The body's `points` as [u, v, x, y] pairs, or INPUT_INVALID naming the bad one. */
export function parseCalibrationPoints(body: unknown): CalibrationPoint[] {
  const points = (body as { points?: unknown } | null)?.points;
  if (!Array.isArray(points)) throw new FootfallError('INPUT_INVALID', 'points: must be a list of [u, v, x, y] (image pixels, floor metres)');
  if (points.length > MAX_CALIBRATION_POINTS) throw new FootfallError('INPUT_INVALID', `points: at most ${MAX_CALIBRATION_POINTS}`);
  return points.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 4 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new FootfallError('INPUT_INVALID', `points[${i}]: must be [u, v, x, y] of four numbers (image pixels, floor metres)`);
    }
    if (p[0] < 0 || p[1] < 0) throw new FootfallError('INPUT_INVALID', `points[${i}]: the image pixel must not be negative`);
    return [p[0], p[1], p[2], p[3]] as CalibrationPoint;
  });
}

/** Fits the set (checked against the frame when its size is known) and maps a floor grid into the image. */
export function checkCalibrationPoints(points: readonly CalibrationPoint[], frame: { width: number; height: number } | null): CalibrationCheck {
  let cal: FloorCalibration;
  try {
    cal = FloorCalibration.fromPoints(points, frame ?? undefined);
  } catch (err) {
    if (err instanceof CalibrationError) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, reprojection: cal.reprojection!, grid: floorGrid(cal, points) };
}

/** 1 m grid lines over the points' floor extent (plus 2 m), as image polylines (parts beyond the horizon left out). */
function floorGrid(cal: FloorCalibration, points: readonly CalibrationPoint[]): Array<Array<[number, number]>> {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [, , x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  x0 = Math.floor(x0 - 2);
  x1 = Math.ceil(x1 + 2);
  y0 = Math.floor(y0 - 2);
  y1 = Math.ceil(y1 + 2);
  const step = Math.max(1, Math.ceil(Math.max(x1 - x0, y1 - y0) / (MAX_GRID_LINES - 1)));
  const lines: Array<Array<[number, number]>> = [];
  const out = new Float64Array(2);
  const trace = (ax: number, ay: number, bx: number, by: number): void => {
    let run: Array<[number, number]> = [];
    for (let k = 0; k <= GRID_STEPS; k++) {
      const x = ax + ((bx - ax) * k) / GRID_STEPS;
      const y = ay + ((by - ay) * k) / GRID_STEPS;
      const back = new Float64Array(2);
      // Only floor points in front of the camera map back to a visible image point.
      if (cal.toImage(x, y, out, 0) && cal.toFloor(out[0]!, out[1]!, back, 0) && Math.hypot(back[0]! - x, back[1]! - y) < 1e-3 * (1 + Math.abs(x) + Math.abs(y))) {
        run.push([Math.round(out[0]! * 10) / 10, Math.round(out[1]! * 10) / 10]);
      } else if (run.length > 0) {
        if (run.length > 1) lines.push(run);
        run = [];
      }
    }
    if (run.length > 1) lines.push(run);
  };
  for (let x = x0; x <= x1; x += step) trace(x, y0, x, y1);
  for (let y = y0; y <= y1; y += step) trace(x0, y, x1, y);
  return lines;
}
