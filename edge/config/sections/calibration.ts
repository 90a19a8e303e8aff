// Config of a camera's floor calibration (cameras[].calibration): installer point pairs or a
// full camera model. Validated here by building the mapping once, so a collinear, too small,
// out-of-frame or folded set stops start-up with one line naming the camera and the reason.
import { z } from 'zod';
import { CalibrationError, FloorCalibration, type CameraModel } from '../../shared/floor-calibration.ts';
import { oneOf } from '../fields.ts';

const num = (what: string) => z.number({ error: `must be ${what}` }).refine(Number.isFinite, { error: `must be ${what}` });
const row3 = z.tuple([num('a number'), num('a number'), num('a number')], { error: 'must be a row of three numbers' });
const matrix3 = z.tuple([row3, row3, row3], { error: 'must be a 3x3 matrix (three rows of three numbers)' });

/** One installer pair [u, v, x, y]: image pixel and floor position in metres. */
const calibrationPoint = z.tuple([num('a pixel u >= 0').refine((u) => u >= 0, { error: 'u must be >= 0' }), num('a pixel v >= 0').refine((v) => v >= 0, { error: 'v must be >= 0' }), num('a floor x in metres'), num('a floor y in metres')], {
  error: 'must be [u, v, x, y]: image pixel u, v and floor position x, y in metres',
});

export const calibrationSchema = z
  .object({
    /** Image/floor pairs [u, v, x, y] (pixels, metres), at least 4, spread over the floor (no three in a line). */
    points: z.array(calibrationPoint).max(256, { error: 'at most 256 points' }).optional().describe('Image/floor pairs [u, v, x, y] (source pixels, floor metres), at least 4, spread over the floor (no three in a line).'),
    /** Camera intrinsics, 3x3 (with R and T instead of points). */
    K: matrix3.optional().describe('Camera intrinsics, 3x3 (with R and T instead of points: UCMCTrack cam_para form).'),
    /** Rotation world -> camera, 3x3; the floor is the world plane Z = 0. */
    R: matrix3.optional().describe('Rotation world -> camera, 3x3; the floor is the world plane Z = 0.'),
    /** Translation world -> camera, in `translationUnit`. */
    T: row3.optional().describe('Translation world -> camera, in translationUnit.'),
    /** Unit of T: mm (cam_para files) or m. Floor positions are always metres. */
    translationUnit: oneOf(['mm', 'm']).default('mm').describe('Unit of T: mm (as in cam_para files) or m. Floor positions are always metres.'),
  })
  .strict();

export type CalibrationConfig = z.output<typeof calibrationSchema>;

/** The camera model of a K/R/T calibration (T in metres), or null for a point calibration. */
export function cameraModelOf(c: CalibrationConfig): CameraModel | null {
  if (!c.K || !c.R || !c.T) return null;
  const scale = c.translationUnit === 'mm' ? 1 / 1000 : 1;
  return { K: c.K, R: c.R, T: c.T.map((t) => t * scale) };
}

/**
 * The floor mapping of a camera's calibration (null without one). Throws CalibrationError
 * saying why it cannot be used; the schema's refinement has already run on loaded configs.
 */
export function floorCalibrationOf(camera: { calibration?: CalibrationConfig | undefined; width?: number | undefined; height?: number | undefined }): FloorCalibration | null {
  const c = camera.calibration;
  if (!c) return null;
  const frame = camera.width !== undefined && camera.height !== undefined ? { width: camera.width, height: camera.height } : undefined;
  const model = cameraModelOf(c);
  if (c.points && (c.K || c.R || c.T)) throw new CalibrationError('give either points or K, R and T, not both');
  if (model) return FloorCalibration.fromCamera(model, frame);
  if ((c.K || c.R || c.T) && !model) throw new CalibrationError('a camera model needs all of K, R and T');
  if (!c.points) throw new CalibrationError('needs points (>= 4 [u, v, x, y] pairs) or a camera model K, R, T');
  return FloorCalibration.fromPoints(c.points, frame);
}

/** Refinement of a camera: its calibration must give a usable floor mapping. */
export function checkCalibration(
  camera: {
    name: string;
    calibration?: CalibrationConfig | undefined;
    width?: number | undefined;
    height?: number | undefined;
    lines?: ReadonlyArray<{ name: string; points: readonly (readonly [number, number])[] }>;
    zones?: ReadonlyArray<{ name: string; polygon: readonly (readonly [number, number])[] }>;
    queues?: ReadonlyArray<{ name: string; polygon: readonly (readonly [number, number])[]; serviceLine?: { points: readonly (readonly [number, number])[] } }>;
  },
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  if (!camera.calibration) return;
  let cal: FloorCalibration | null;
  try {
    cal = floorCalibrationOf(camera);
  } catch (err) {
    if (!(err instanceof CalibrationError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['calibration'], message: `camera "${camera.name}": ${err.message}` });
    return;
  }
  // A calibrated camera counts on the floor: every line's end points and every zone's and
  // queue's vertices must map onto it (a polygon test is the same on the floor only below the horizon).
  const out = new Float64Array(2);
  const check = (what: 'line' | 'zone' | 'queue', path: Array<string | number>, name: string, pts: ReadonlyArray<readonly [number, number]>) => {
    const k = pts.findIndex(([u, v]) => !cal!.toFloor(u, v, out, 0));
    if (k < 0) return;
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${what} "${name}" of camera "${camera.name}": point ${k + 1} [${pts[k]!.join(', ')}] is on or beyond the calibration's horizon (not on the floor); draw the ${what} on the floor`,
    });
  };
  (camera.lines ?? []).forEach((l, i) => check('line', ['lines', i, 'points'], l.name, l.points));
  (camera.zones ?? []).forEach((z, i) => check('zone', ['zones', i, 'polygon'], z.name, z.polygon));
  (camera.queues ?? []).forEach((q, i) => {
    check('queue', ['queues', i, 'polygon'], q.name, q.polygon);
    if (q.serviceLine) check('queue', ['queues', i, 'serviceLine', 'points'], q.name, q.serviceLine.points);
  });
}
