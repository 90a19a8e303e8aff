// Constant-velocity Kalman filter for boxes (centre x, centre y, width, height), time-aware.
// With the diagonal noise models of SORT/ByteTrack/BoT-SORT the 8-D filter splits exactly
// into four independent (position, velocity) filters, so a track's whole state is 20
// numbers in one Float64Array slot: per coordinate [p, v, P00, P01, P11].
// Measurements and time steps are passed in typed arrays, not as number arguments: a call
// that V8 does not inline would box every non-integer double argument (an allocation).

/** Numbers per track in the state array. */
export const KF_STRIDE = 20;

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

/** Size used to scale the noise of coordinate c: width for x and w, height for y and h. */
function scaleOf(s: Float64Array, o: number, c: number): number {
  return c === 0 || c === 2 ? s[o + 10]! : s[o + 15]!;
}

/** Starts a track at a measured box z[zo..zo+4) = (centre x, centre y, w, h), velocity 0 with a wide prior. */
export function kalmanInit(s: Float64Array, slot: number, z: Float64Array, zo: number, n: KalmanNoise): void {
  const o = slot * KF_STRIDE;
  const cx = z[zo]!;
  const cy = z[zo + 1]!;
  const w = z[zo + 2]!;
  const h = z[zo + 3]!;
  s[o] = cx;
  s[o + 5] = cy;
  s[o + 10] = w;
  s[o + 15] = h;
  for (let c = 0; c < 4; c++) {
    const b = o + 5 * c;
    const size = c === 0 || c === 2 ? w : h;
    const sp = 2 * n.stdWeightPosition * size;
    const sv = 10 * n.stdWeightVelocity * size;
    s[b + 1] = 0;
    s[b + 2] = sp * sp;
    s[b + 3] = 0;
    s[b + 4] = sv * sv;
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
    const b = o + 5 * c;
    const size = scaleOf(s, o, c);
    const qp = n.stdWeightPosition * size;
    const qv = n.stdWeightVelocity * size;
    if (freezeSize && c >= 2) s[b + 1] = 0;
    const v = s[b + 1]!;
    const p00 = s[b + 2]!;
    const p01 = s[b + 3]!;
    const p11 = s[b + 4]!;
    s[b] = s[b]! + k * v;
    s[b + 2] = p00 + 2 * k * p01 + k * k * p11 + k * qp * qp;
    s[b + 3] = p01 + k * p11;
    s[b + 4] = p11 + k * qv * qv;
  }
  // Keep sizes positive whatever the velocity did.
  if (s[o + 10]! < 1) s[o + 10] = 1;
  if (s[o + 15]! < 1) s[o + 15] = 1;
}

/** Corrects with a measured box z[zo..zo+4) = (centre x, centre y, w, h). */
export function kalmanUpdate(s: Float64Array, slot: number, z: Float64Array, zo: number, n: KalmanNoise): void {
  const o = slot * KF_STRIDE;
  for (let c = 0; c < 4; c++) {
    const b = o + 5 * c;
    const zc = z[zo + c]!;
    const size = scaleOf(s, o, c);
    const sr = n.stdWeightMeasurement * size;
    const p00 = s[b + 2]!;
    const p01 = s[b + 3]!;
    const p11 = s[b + 4]!;
    const S = p00 + sr * sr;
    const k0 = p00 / S;
    const k1 = p01 / S;
    const y = zc - s[b]!;
    s[b] = s[b]! + k0 * y;
    s[b + 1] = s[b + 1]! + k1 * y;
    s[b + 2] = (1 - k0) * p00;
    s[b + 3] = (1 - k0) * p01;
    s[b + 4] = p11 - k1 * p01;
  }
  if (s[o + 10]! < 1) s[o + 10] = 1;
  if (s[o + 15]! < 1) s[o + 15] = 1;
}

/** Box of a slot, top-left x, y, w, h, written into out at outOffset. */
export function kalmanBox(s: Float64Array, slot: number, out: Float32Array | Float64Array, outOffset: number): void {
  const o = slot * KF_STRIDE;
  const w = s[o + 10]!;
  const h = s[o + 15]!;
  out[outOffset] = s[o]! - w / 2;
  out[outOffset + 1] = s[o + 5]! - h / 2;
  out[outOffset + 2] = w;
  out[outOffset + 3] = h;
}
