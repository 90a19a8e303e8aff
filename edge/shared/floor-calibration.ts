// A camera's calibration to the floor plan: the plane homography between image pixels and floor
// metres. Built from an installer's point pairs (normalised DLT, >= 4 pairs) or from a full camera
// model (K, R, T: the UCMCTrack `cam_para` format, floor = world plane Z = 0). Checks what makes a
// calibration unusable (too few or collinear points, points outside the frame, a frame bottom that
// maps behind the camera) and says why; maps foot points to the floor and back, and gives the
// Jacobian that turns pixel noise into floor noise (so far people are uncertain in metres and
// near people are not). Pure and a leaf: config, track, analytics and status import it; the
// per-point calls write into caller-owned arrays and allocate nothing.

/** Why a calibration cannot be used (the config turns it into one line naming the camera). */
export class CalibrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationError';
  }
}

/** One installer pair: image pixel (u, v) and floor position (x, y) in metres. */
export type CalibrationPoint = readonly [u: number, v: number, x: number, y: number];

/** A camera model in the UCMCTrack `cam_para` form: s·[u v 1]ᵀ = K·(R·[X Y 0]ᵀ + T). */
export interface CameraModel {
  /** Intrinsics, 3x3 rows. */
  K: ReadonlyArray<readonly number[]>;
  /** Rotation world -> camera, 3x3 rows. */
  R: ReadonlyArray<readonly number[]>;
  /** Translation, in metres (the `cam_para` file's millimetres / 1000). */
  T: readonly number[];
}

/** How well a point calibration fits its own points (shown to the installer). */
export interface ReprojectionError {
  /** Mean and worst distance between a given image point and its floor point mapped back, px. */
  meanPx: number;
  maxPx: number;
  /** Mean and worst distance between a given floor point and its image point mapped over, m. */
  meanM: number;
  maxM: number;
  /** The pair with the worst image error (0-based). */
  worstPoint: number;
}

/** Relative size of w (the homogeneous scale) below which a point counts as on or beyond the horizon. */
export const HORIZON_EPS = 1e-9;
/** Farther than this from the camera's floor region (m) a mapped point is not a floor position we trust. */
export const MAX_FLOOR_RANGE_M = 1000;

export class FloorCalibration {
  /** Image (u, v, 1) -> floor (x, y, w), 3x3 row-major, scaled so w > 0 for points on the floor. */
  readonly imageToFloor: Float64Array;
  /** Floor (x, y, 1) -> image (u, v, w), 3x3 row-major, w > 0 for floor points in front of the camera. */
  readonly floorToImage: Float64Array;
  /** The fit's reprojection error, for calibrations made from points (null for a camera model). */
  readonly reprojection: ReprojectionError | null;
  /** Scratch for the non-allocating per-point calls. */
  private readonly tmp = new Float64Array(4);

  private constructor(imageToFloor: Float64Array, reprojection: ReprojectionError | null) {
    this.imageToFloor = imageToFloor;
    this.floorToImage = invert3(imageToFloor);
    this.reprojection = reprojection;
  }

  /**
   * From >= 4 image/floor pairs. `frame` (the camera's size, when known) adds the checks that
   * every point lies in the frame and that the frame's bottom edge (the floor nearest the
   * camera) maps in front of it. Throws CalibrationError saying why the set cannot be used.
   */
  static fromPoints(points: readonly CalibrationPoint[], frame?: { width: number; height: number }): FloorCalibration {
    if (points.length < 4) throw new CalibrationError(`needs at least 4 image/floor point pairs, got ${points.length}`);
    points.forEach((p, i) => {
      if (p.length !== 4 || !p.every(Number.isFinite)) throw new CalibrationError(`point ${i + 1} must be [u, v, x, y] of four numbers`);
    });
    if (frame) {
      const k = points.findIndex(([u, v]) => u < 0 || v < 0 || u > frame.width || v > frame.height);
      if (k >= 0) throw new CalibrationError(`point ${k + 1} [${points[k]![0]}, ${points[k]![1]}] is outside the ${frame.width}x${frame.height} frame`);
    }
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const [ui, vi, xi, yi] = points[i]!;
        const [uj, vj, xj, yj] = points[j]!;
        if (Math.hypot(ui - uj, vi - vj) < 1) throw new CalibrationError(`points ${i + 1} and ${j + 1} are the same image pixel`);
        if (Math.hypot(xi - xj, yi - yj) < 1e-3) throw new CalibrationError(`points ${i + 1} and ${j + 1} are the same floor position`);
      }
    }
    if (nearlyCollinear(points, 0)) throw new CalibrationError('the image points are (nearly) collinear: spread at least 4 points over the floor, not along one line');
    if (nearlyCollinear(points, 2)) throw new CalibrationError('the floor points are (nearly) collinear: spread at least 4 points over the floor, not along one line');
    const h = fitHomography(points);
    if (!h) throw new CalibrationError('the points do not determine a floor mapping (degenerate set: check that no three of four points lie on one line)');
    // Orient so that w > 0 on the floor: every calibration point must then agree.
    let positive = 0;
    for (const [u, v] of points) if (h[6]! * u + h[7]! * v + h[8]! > 0) positive++;
    if (positive !== 0 && positive !== points.length) {
      throw new CalibrationError('the points are inconsistent: some map in front of the camera and some behind it (check the order of u, v, x, y and typing errors)');
    }
    if (positive === 0) for (let k = 0; k < 9; k++) h[k] = -h[k]!;
    const cal = new FloorCalibration(h, null);
    if (frame) cal.checkBottomEdge(frame);
    const err = cal.measureReprojection(points);
    return new FloorCalibration(h, err);
  }

  /** From a camera model (K, R, T in metres). Throws CalibrationError when it does not see the floor. */
  static fromCamera(model: CameraModel, frame?: { width: number; height: number }): FloorCalibration {
    const K = model.K;
    const R = model.R;
    const T = model.T;
    const ok = K.length === 3 && R.length === 3 && T.length === 3 && K.every((r) => r.length === 3) && R.every((r) => r.length === 3);
    if (!ok || ![...K.flat(), ...R.flat(), ...T].every(Number.isFinite)) throw new CalibrationError('K and R must be 3x3 and T 3 numbers');
    // Floor -> image = K · [r1 r2 T].
    const m = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      m[3 * i] = R[i]![0]!;
      m[3 * i + 1] = R[i]![1]!;
      m[3 * i + 2] = T[i]!;
    }
    const f2i = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) f2i[3 * i + j] = K[i]![0]! * m[j]! + K[i]![1]! * m[3 + j]! + K[i]![2]! * m[6 + j]!;
    const i2f = invert3(f2i);
    if (!i2f.every(Number.isFinite)) throw new CalibrationError('the camera model does not see the floor (its floor mapping is singular)');
    // i2f·[u v 1]ᵀ = [x y 1]ᵀ / depth: w > 0 exactly for floor points in front of the camera.
    const u0 = frame ? frame.width / 2 : K[0]![2]!;
    const v0 = frame ? frame.height : 2 * K[1]![2]!;
    if (!(i2f[6]! * u0 + i2f[7]! * v0 + i2f[8]! > 0)) {
      throw new CalibrationError("the bottom of the frame maps behind the camera: check R and T (the floor is Z = 0, T in the camera's frame)");
    }
    const cal = new FloorCalibration(i2f, null);
    if (frame) cal.checkBottomEdge(frame);
    return cal;
  }

  /**
   * Maps image point (u, v) to the floor: writes x, y (m) into out[o], out[o + 1] and returns
   * true, or returns false (out untouched) when the point is on or beyond the horizon or
   * farther than MAX_FLOOR_RANGE_M.
   */
  toFloor(u: number, v: number, out: Float64Array | Float32Array, o: number): boolean {
    const h = this.imageToFloor;
    const w = h[6]! * u + h[7]! * v + h[8]!;
    if (!(w > HORIZON_EPS * (Math.abs(h[6]! * u) + Math.abs(h[7]! * v) + Math.abs(h[8]!)))) return false;
    const x = (h[0]! * u + h[1]! * v + h[2]!) / w;
    const y = (h[3]! * u + h[4]! * v + h[5]!) / w;
    if (!(Math.abs(x) < MAX_FLOOR_RANGE_M * 10 && Math.abs(y) < MAX_FLOOR_RANGE_M * 10)) return false;
    out[o] = x;
    out[o + 1] = y;
    return true;
  }

  /** Maps floor point (x, y) to the image: writes u, v into out[o], out[o + 1]; false when behind the camera. */
  toImage(x: number, y: number, out: Float64Array | Float32Array, o: number): boolean {
    const h = this.floorToImage;
    const w = h[6]! * x + h[7]! * y + h[8]!;
    if (!(Math.abs(w) > 1e-12)) return false;
    out[o] = (h[0]! * x + h[1]! * y + h[2]!) / w;
    out[o + 1] = (h[3]! * x + h[4]! * y + h[5]!) / w;
    return true;
  }

  /**
   * The Jacobian d(x, y)/d(u, v) of the image -> floor mapping at (u, v), row-major
   * [dx/du, dx/dv, dy/du, dy/dv] into out[o..o+4); false beyond the horizon. Pixel noise Σ
   * becomes floor noise J·Σ·Jᵀ: larger for far people, where a pixel spans more floor.
   */
  jacobian(u: number, v: number, out: Float64Array, o: number): boolean {
    const h = this.imageToFloor;
    const t = this.tmp;
    if (!this.toFloor(u, v, t, 0)) return false;
    const w = h[6]! * u + h[7]! * v + h[8]!;
    const x = t[0]!;
    const y = t[1]!;
    out[o] = (h[0]! - x * h[6]!) / w;
    out[o + 1] = (h[1]! - x * h[7]!) / w;
    out[o + 2] = (h[3]! - y * h[6]!) / w;
    out[o + 3] = (h[4]! - y * h[7]!) / w;
    return true;
  }

  /** The image's horizon line a·u + b·v + c = 0 (points with a·u + b·v + c > 0 are on the floor side). */
  horizon(): [number, number, number] {
    const h = this.imageToFloor;
    return [h[6]!, h[7]!, h[8]!];
  }

  private checkBottomEdge(frame: { width: number; height: number }): void {
    const t = this.tmp;
    const v = frame.height;
    for (const u of [0, frame.width / 2, frame.width]) {
      if (!this.toFloor(u, v, t, 0)) {
        throw new CalibrationError(`the frame's bottom edge (pixel [${u}, ${v}]) maps behind the camera or beyond the horizon: the points give a mapping that cannot be this camera's floor (check their order and values)`);
      }
    }
  }

  private measureReprojection(points: readonly CalibrationPoint[]): ReprojectionError {
    const t = this.tmp;
    let sumPx = 0;
    let maxPx = 0;
    let sumM = 0;
    let maxM = 0;
    let worst = 0;
    points.forEach(([u, v, x, y], i) => {
      const px = this.toImage(x, y, t, 0) ? Math.hypot(t[0]! - u, t[1]! - v) : Infinity;
      const m = this.toFloor(u, v, t, 2) ? Math.hypot(t[2]! - x, t[3]! - y) : Infinity;
      sumPx += px;
      sumM += m;
      if (px > maxPx) {
        maxPx = px;
        worst = i;
      }
      if (m > maxM) maxM = m;
    });
    return { meanPx: sumPx / points.length, maxPx, meanM: sumM / points.length, maxM, worstPoint: worst };
  }
}

/** Parses a UCMCTrack `cam_para` text (RotationMatrices, TranslationVectors in mm, IntrinsicMatrix). */
export function parseCamPara(text: string): CameraModel {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const rowsAfter = (title: string, n: number): number[][] => {
    const at = lines.indexOf(title);
    if (at < 0) throw new CalibrationError(`cam_para: no "${title}" section`);
    const rows: number[][] = [];
    for (let i = at + 1; rows.length < n && i < lines.length; i++) {
      if (lines[i] === '') continue;
      const row = lines[i]!.split(/\s+/).map(Number);
      if (row.length !== 3 || !row.every(Number.isFinite)) throw new CalibrationError(`cam_para: line ${i + 1} of "${title}" must be three numbers, got "${lines[i]}"`);
      rows.push(row);
    }
    if (rows.length < n) throw new CalibrationError(`cam_para: "${title}" needs ${n} rows of three numbers`);
    return rows;
  };
  const R = rowsAfter('RotationMatrices', 3);
  const T = rowsAfter('TranslationVectors', 1)[0]!.map((mm) => mm / 1000);
  const K = rowsAfter('IntrinsicMatrix', 3);
  return { K, R, T };
}

/** Whether all points lie within 2% of their spread of one line (offset 0: image u, v; 2: floor x, y). */
function nearlyCollinear(points: readonly CalibrationPoint[], offset: 0 | 2): boolean {
  // Principal axes of the point cloud: collinear when the minor axis is tiny against the major.
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p[offset]!;
    my += p[offset + 1]!;
  }
  mx /= points.length;
  my /= points.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    const dx = p[offset]! - mx;
    const dy = p[offset + 1]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const tr = sxx + syy;
  const det = sxx * syy - sxy * sxy;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const major = tr / 2 + disc;
  const minor = tr / 2 - disc;
  return !(major > 0) || Math.sqrt(Math.max(0, minor) / major) < 0.02;
}

/** Normalised DLT: the homography image -> floor from >= 4 pairs, or null when degenerate. */
function fitHomography(points: readonly CalibrationPoint[]): Float64Array | null {
  const n = points.length;
  const ti = normaliser(points, 0);
  const tf = normaliser(points, 2);
  // AᵀA (9x9) of the 2n x 9 DLT system, accumulated row by row.
  const ata = new Float64Array(81);
  const row = new Float64Array(9);
  const addRow = (): void => {
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) ata[9 * i + j]! += row[i]! * row[j]!;
  };
  for (let k = 0; k < n; k++) {
    const [u0, v0, x0, y0] = points[k]!;
    const u = (u0 - ti.cx) * ti.s;
    const v = (v0 - ti.cy) * ti.s;
    const x = (x0 - tf.cx) * tf.s;
    const y = (y0 - tf.cy) * tf.s;
    // x = (h0 u + h1 v + h2) / (h6 u + h7 v + h8), y likewise with h3..h5.
    row.set([u, v, 1, 0, 0, 0, -x * u, -x * v, -x]);
    addRow();
    row.set([0, 0, 0, u, v, 1, -y * u, -y * v, -y]);
    addRow();
  }
  const { values, vectors } = symmetricEigen(ata, 9);
  let min = 0;
  for (let i = 1; i < 9; i++) if (values[i]! < values[min]!) min = i;
  // Degenerate when a second solution is as good: the two smallest eigenvalues are both ~0.
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted[1]! <= 1e-10 * sorted[8]!) return null;
  const hn = new Float64Array(9);
  for (let i = 0; i < 9; i++) hn[i] = vectors[9 * i + min]!;
  // Undo the normalisation: H = Tf⁻¹ · Hn · Ti.
  const Ti = new Float64Array([ti.s, 0, -ti.s * ti.cx, 0, ti.s, -ti.s * ti.cy, 0, 0, 1]);
  const TfInv = new Float64Array([1 / tf.s, 0, tf.cx, 0, 1 / tf.s, tf.cy, 0, 0, 1]);
  const h = multiply3(TfInv, multiply3(hn, Ti));
  const scale = Math.hypot(...h);
  if (!(scale > 0) || !h.every(Number.isFinite)) return null;
  for (let i = 0; i < 9; i++) h[i] = h[i]! / scale;
  if (!invert3(h).every(Number.isFinite)) return null;
  return h;
}

/** Hartley normalisation: centroid to the origin, mean distance sqrt(2). */
function normaliser(points: readonly CalibrationPoint[], offset: 0 | 2): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (const p of points) {
    cx += p[offset]!;
    cy += p[offset + 1]!;
  }
  cx /= points.length;
  cy /= points.length;
  let d = 0;
  for (const p of points) d += Math.hypot(p[offset]! - cx, p[offset + 1]! - cy);
  d /= points.length;
  return { cx, cy, s: d > 0 ? Math.SQRT2 / d : 1 };
}

/** Jacobi eigen-decomposition of a symmetric n x n matrix (row-major): eigenvalues and column eigenvectors. */
function symmetricEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

function multiply3(a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) c[3 * i + j] = a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!;
  return c;
}

function invert3(m: Float64Array): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const r = new Float64Array(9);
  if (!(Math.abs(det) > 0)) return r.fill(NaN);
  r[0] = A / det;
  r[1] = -(b * i - c * h) / det;
  r[2] = (b * f - c * e) / det;
  r[3] = B / det;
  r[4] = (a * i - c * g) / det;
  r[5] = -(a * f - c * d) / det;
  r[6] = C / det;
  r[7] = -(a * h - b * g) / det;
  r[8] = (a * e - b * d) / det;
  return r;
}

