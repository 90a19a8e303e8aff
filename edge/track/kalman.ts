// Constant-velocity Kalman filter for boxes (centre x, centre y, width, height), time-aware.
// With the diagonal noise models of SORT/ByteTrack/BoT-SORT the 8-D filter splits exactly
// into four independent (position, velocity) filters, so a track's whole state is 20
// numbers in one Float64Array slot: per coordinate [p, v, P00, P01, P11].
// Measurements and time steps are passed in typed arrays, not as number arguments: a call
// that V8 does not inline would box every non-integer double argument (an allocation).

/** Numbers per track in the state array. */
export const KF_STRIDE = 20;
/** Numbers per coordinate block. */
export const KF_BLOCK = 5;

/** Where each coordinate's block starts in a slot (multiples of KF_BLOCK): centre x, centre y, width, height. */
export const enum KfCoord {
  X = 0,
  Y = 5,
  W = 10,
  H = 15,
}

/** Fields of a coordinate block: position, velocity (per reference interval), covariance. */
export const enum KfField {
  Pos = 0,
  Vel = 1,
  P00 = 2,
  P01 = 3,
  P11 = 4,
}

export interface KalmanNoise {
  /** Position std as a fraction of the box size (BoT-SORT: 1/20). */
  stdWeightPosition: number;
  /** Velocity std as a fraction of the box size per reference interval (BoT-SORT: 1/160). */
  stdWeightVelocity: number;
  /** Measurement std as a fraction of the box size (BoT-SORT: 1/20). */
  stdWeightMeasurement: number;
  /** The interval velocities are expressed in and noise is specified for (ms), e.g. 1000/30. */
  referenceIntervalMs: number;
}

export const DEFAULT_KALMAN_NOISE: KalmanNoise = {
  stdWeightPosition: 1 / 20,
  stdWeightVelocity: 1 / 160,
  stdWeightMeasurement: 1 / 20,
  referenceIntervalMs: 1000 / 30,
};

/** Size used to scale the noise of coordinate c (0..3 = x, y, w, h): width for x and w, height for y and h. */
function scaleOf(s: Float64Array, o: number, c: number): number {
  return c === 0 || c === 2 ? s[o + KfCoord.W]! : s[o + KfCoord.H]!;
}

/** Sizes stay at least one pixel whatever the velocity did. */
function clampSizes(s: Float64Array, o: number): void {
  if (s[o + KfCoord.W]! < 1) s[o + KfCoord.W] = 1;
  if (s[o + KfCoord.H]! < 1) s[o + KfCoord.H] = 1;
}

/** Starts a track at a measured box z[zo..zo+4) = (centre x, centre y, w, h), velocity 0 with a wide prior. */
export function kalmanInit(s: Float64Array, slot: number, z: Float64Array, zo: number, n: KalmanNoise): void {
  const o = slot * KF_STRIDE;
  const cx = z[zo]!;
  const cy = z[zo + 1]!;
  const w = z[zo + 2]!;
  const h = z[zo + 3]!;
  s[o + KfCoord.X] = cx;
  s[o + KfCoord.Y] = cy;
  s[o + KfCoord.W] = w;
  s[o + KfCoord.H] = h;
  for (let c = 0; c < 4; c++) {
    const b = o + KF_BLOCK * c;
    const size = c === 0 || c === 2 ? w : h;
    const sp = 2 * n.stdWeightPosition * size;
    const sv = 10 * n.stdWeightVelocity * size;
    s[b + KfField.Vel] = 0;
    s[b + KfField.P00] = sp * sp;
    s[b + KfField.P01] = 0;
    s[b + KfField.P11] = sv * sv;
  }
}

/**
 * Predicts dt[dtIndex] milliseconds ahead. Velocities are per reference interval; process noise variance grows
 * linearly with the elapsed time (random-walk velocity), so a 5 fps camera gets more
 * uncertainty per frame than a 30 fps one.
 */
export function kalmanPredict(s: Float64Array, slot: number, dt: Float64Array, dtIndex: number, n: KalmanNoise, freezeSize: boolean): void {
  const dtMs = dt[dtIndex]!;
  if (!(dtMs > 0)) return;
  const o = slot * KF_STRIDE;
  const k = dtMs / n.referenceIntervalMs;
  for (let c = 0; c < 4; c++) {
    const b = o + KF_BLOCK * c;
    const size = scaleOf(s, o, c);
    const qp = n.stdWeightPosition * size;
    const qv = n.stdWeightVelocity * size;
    if (freezeSize && c >= 2) s[b + KfField.Vel] = 0;
    const v = s[b + KfField.Vel]!;
    const p00 = s[b + KfField.P00]!;
    const p01 = s[b + KfField.P01]!;
    const p11 = s[b + KfField.P11]!;
    s[b + KfField.Pos] = s[b + KfField.Pos]! + k * v;
    s[b + KfField.P00] = p00 + 2 * k * p01 + k * k * p11 + k * qp * qp;
    s[b + KfField.P01] = p01 + k * p11;
    s[b + KfField.P11] = p11 + k * qv * qv;
  }
  clampSizes(s, o);
}

/** Corrects with a measured box z[zo..zo+4) = (centre x, centre y, w, h). */
export function kalmanUpdate(s: Float64Array, slot: number, z: Float64Array, zo: number, n: KalmanNoise): void {
  const o = slot * KF_STRIDE;
  for (let c = 0; c < 4; c++) {
    const b = o + KF_BLOCK * c;
    const zc = z[zo + c]!;
    const size = scaleOf(s, o, c);
    const sr = n.stdWeightMeasurement * size;
    const p00 = s[b + KfField.P00]!;
    const p01 = s[b + KfField.P01]!;
    const p11 = s[b + KfField.P11]!;
    const S = p00 + sr * sr;
    const k0 = p00 / S;
    const k1 = p01 / S;
    const y = zc - s[b + KfField.Pos]!;
    s[b + KfField.Pos] = s[b + KfField.Pos]! + k0 * y;
    s[b + KfField.Vel] = s[b + KfField.Vel]! + k1 * y;
    s[b + KfField.P00] = (1 - k0) * p00;
    s[b + KfField.P01] = (1 - k0) * p01;
    s[b + KfField.P11] = p11 - k1 * p01;
  }
  clampSizes(s, o);
}

/** Box of a slot, top-left x, y, w, h, written into out at outOffset. */
export function kalmanBox(s: Float64Array, slot: number, out: Float32Array | Float64Array, outOffset: number): void {
  const o = slot * KF_STRIDE;
  const w = s[o + KfCoord.W]!;
  const h = s[o + KfCoord.H]!;
  out[outOffset] = s[o + KfCoord.X]! - w / 2;
  out[outOffset + 1] = s[o + KfCoord.Y]! - h / 2;
  out[outOffset + 2] = w;
  out[outOffset + 3] = h;
}
