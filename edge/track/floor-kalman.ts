// Constant-velocity Kalman filter of a person's foot point on the floor (metres), after
// UCMCTrack (AAAI 2024): the measurement noise is the detector's pixel noise carried onto the
// floor through the camera's projection (R = J·Σ·Jᵀ, so a far person's foot is uncertain by
// metres and a near one's by centimetres), and association uses the Mahalanobis distance plus
// log det S of the innovation. State per slot in one Float64Array block: x, y, vx, vy (m, m/s)
// and the full 4x4 covariance (row-major), because the projected noise couples x and y.
// Measurements travel in typed arrays (no boxed doubles per call).

/** Numbers per track: state (4) + covariance (16). */
export const FLOOR_KF_STRIDE = 20;
/** Numbers per measurement: x, y, then the noise covariance rxx, rxy, ryy. */
export const FLOOR_MEAS_STRIDE = 5;

const P = 4;

/** Starts a track at measurement z[zo..zo+5) with zero velocity and velocity variance vmax²/3. */
export function floorInit(s: Float64Array, slot: number, z: Float64Array, zo: number, vmaxMps: number): void {
  const o = slot * FLOOR_KF_STRIDE;
  s[o] = z[zo]!;
  s[o + 1] = z[zo + 1]!;
  s[o + 2] = 0;
  s[o + 3] = 0;
  for (let k = 0; k < 16; k++) s[o + P + k] = 0;
  s[o + P + 0] = z[zo + 2]!;
  s[o + P + 1] = z[zo + 3]!;
  s[o + P + 4] = z[zo + 3]!;
  s[o + P + 5] = z[zo + 4]!;
  const vv = (vmaxMps * vmaxMps) / 3;
  s[o + P + 10] = vv;
  s[o + P + 15] = vv;
}

/**
 * Predicts io[dtIndex] seconds ahead: x += vx·dt; process noise from a white acceleration of
 * variance io[accelVarIndex] (m²/s⁴) per axis, Q = G·q·Gᵀ with G = [dt²/2, dt].
 */
export function floorPredict(s: Float64Array, slot: number, io: Float64Array, dtIndex: number, accelVarIndex: number): void {
  const t = io[dtIndex]!;
  const accelVar = io[accelVarIndex]!;
  if (!(t > 0)) return;
  const o = slot * FLOOR_KF_STRIDE;
  const c = o + P;
  s[o] = s[o]! + t * s[o + 2]!;
  s[o + 1] = s[o + 1]! + t * s[o + 3]!;
  // P' = F·P·Fᵀ with F = [[I, tI], [0, I]]: rows then columns (pos += t·vel).
  for (let j = 0; j < 4; j++) {
    s[c + j] = s[c + j]! + t * s[c + 8 + j]!;
    s[c + 4 + j] = s[c + 4 + j]! + t * s[c + 12 + j]!;
  }
  for (let i = 0; i < 4; i++) {
    s[c + 4 * i] = s[c + 4 * i]! + t * s[c + 4 * i + 2]!;
    s[c + 4 * i + 1] = s[c + 4 * i + 1]! + t * s[c + 4 * i + 3]!;
  }
  const a = (t * t * t * t * accelVar) / 4;
  const b = (t * t * t * accelVar) / 2;
  const d = t * t * accelVar;
  s[c] = s[c]! + a;
  s[c + 5] = s[c + 5]! + a;
  s[c + 2] = s[c + 2]! + b;
  s[c + 8] = s[c + 8]! + b;
  s[c + 7] = s[c + 7]! + b;
  s[c + 13] = s[c + 13]! + b;
  s[c + 10] = s[c + 10]! + d;
  s[c + 15] = s[c + 15]! + d;
}

/**
 * UCMCTrack's association cost of measurement z[zo..] to the slot's prediction: the squared
 * Mahalanobis distance of the innovation plus ln det S (penalising vague predictions).
 * Without withLogDet, the squared Mahalanobis distance alone (chi-square, 2 degrees of freedom).
 * Written to out[outIndex] (a returned double would be boxed); Infinity when S is not positive definite.
 */
export function floorCost(s: Float64Array, slot: number, z: Float64Array, zo: number, withLogDet: boolean, out: Float64Array, outIndex: number): void {
  const o = slot * FLOOR_KF_STRIDE;
  const c = o + P;
  const sxx = s[c]! + z[zo + 2]!;
  const sxy = s[c + 1]! + z[zo + 3]!;
  const syy = s[c + 5]! + z[zo + 4]!;
  const det = sxx * syy - sxy * sxy;
  if (!(det > 0)) {
    out[outIndex] = Infinity;
    return;
  }
  const dx = z[zo]! - s[o]!;
  const dy = z[zo + 1]! - s[o + 1]!;
  const d2 = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
  out[outIndex] = withLogDet ? d2 + Math.log(det) : d2;
}

/** Corrects the slot with measurement z[zo..zo+5) (position and its 2x2 noise). */
export function floorUpdate(s: Float64Array, slot: number, z: Float64Array, zo: number): void {
  const o = slot * FLOOR_KF_STRIDE;
  const c = o + P;
  const sxx = s[c]! + z[zo + 2]!;
  const sxy = s[c + 1]! + z[zo + 3]!;
  const syy = s[c + 5]! + z[zo + 4]!;
  const det = sxx * syy - sxy * sxy;
  if (!(det > 0)) return;
  // S⁻¹ = [[syy, -sxy], [-sxy, sxx]] / det; K = P[:, 0:2]·S⁻¹ (4x2).
  const i00 = syy / det;
  const i01 = -sxy / det;
  const i11 = sxx / det;
  const dx = z[zo]! - s[o]!;
  const dy = z[zo + 1]! - s[o + 1]!;
  // Gains per state row, from the covariance before the update (columns 0 and 1 of P).
  const k00 = s[c]! * i00 + s[c + 1]! * i01;
  const k01 = s[c]! * i01 + s[c + 1]! * i11;
  const k10 = s[c + 4]! * i00 + s[c + 5]! * i01;
  const k11 = s[c + 4]! * i01 + s[c + 5]! * i11;
  const k20 = s[c + 8]! * i00 + s[c + 9]! * i01;
  const k21 = s[c + 8]! * i01 + s[c + 9]! * i11;
  const k30 = s[c + 12]! * i00 + s[c + 13]! * i01;
  const k31 = s[c + 12]! * i01 + s[c + 13]! * i11;
  s[o] = s[o]! + k00 * dx + k01 * dy;
  s[o + 1] = s[o + 1]! + k10 * dx + k11 * dy;
  s[o + 2] = s[o + 2]! + k20 * dx + k21 * dy;
  s[o + 3] = s[o + 3]! + k30 * dx + k31 * dy;
  // P -= K·P[0:2, :] (rows 0 and 1 of P, read before they change: update rows 3..0).
  for (let j = 0; j < 4; j++) {
    const p0 = s[c + j]!;
    const p1 = s[c + 4 + j]!;
    s[c + 12 + j] = s[c + 12 + j]! - (k30 * p0 + k31 * p1);
    s[c + 8 + j] = s[c + 8 + j]! - (k20 * p0 + k21 * p1);
    s[c + 4 + j] = p1 - (k10 * p0 + k11 * p1);
    s[c + j] = p0 - (k00 * p0 + k01 * p1);
  }
}
