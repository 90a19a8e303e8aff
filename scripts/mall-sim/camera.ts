// Pinhole cameras of the mall simulator: a mount (floor position, height, yaw, tilt down, field
// of view, frame size) gives K, R, T; points project from floor metres (x, y, height z) to pixels.
// World axes: x, y on the floor, z up. Camera axes: x right, y down, z forward.

export interface CameraMount {
  name: string;
  /** Floor position below the camera, metres. */
  x: number;
  y: number;
  heightM: number;
  /** Direction the camera looks on the floor, degrees from +x towards +y. */
  yawDeg: number;
  /** Angle below the horizon, degrees. */
  tiltDeg: number;
  /** Horizontal field of view, degrees. */
  hfovDeg: number;
  width: number;
  height: number;
}

export interface PinholeCamera {
  name: string;
  width: number;
  height: number;
  /** Intrinsics [[f, 0, cx], [0, f, cy], [0, 0, 1]]. */
  K: number[][];
  /** World-to-camera rotation (rows: camera x, y, z axes in world coordinates). */
  R: number[][];
  /** Translation: p_cam = R p_world + T. */
  T: number[];
  mount: CameraMount;
}

export function mountCamera(m: CameraMount): PinholeCamera {
  const yaw = (m.yawDeg * Math.PI) / 180;
  const tilt = (m.tiltDeg * Math.PI) / 180;
  const fwd = [Math.cos(yaw) * Math.cos(tilt), Math.sin(yaw) * Math.cos(tilt), -Math.sin(tilt)];
  const right = [Math.sin(yaw), -Math.cos(yaw), 0];
  // down = forward x right
  const down = [fwd[1]! * right[2]! - fwd[2]! * right[1]!, fwd[2]! * right[0]! - fwd[0]! * right[2]!, fwd[0]! * right[1]! - fwd[1]! * right[0]!];
  const R = [right, down, fwd];
  const C = [m.x, m.y, m.heightM];
  const T = R.map((row) => -(row[0]! * C[0]! + row[1]! * C[1]! + row[2]! * C[2]!));
  const f = m.width / 2 / Math.tan((m.hfovDeg * Math.PI) / 360);
  return { name: m.name, width: m.width, height: m.height, K: [[f, 0, m.width / 2], [0, f, m.height / 2], [0, 0, 1]], R, T, mount: m };
}

/** Projects a world point; writes [u, v, depth] into out; false when it is not in front of the camera. */
export function projectPoint(cam: PinholeCamera, x: number, y: number, z: number, out: Float64Array): boolean {
  const R = cam.R;
  const T = cam.T;
  const depth = R[2]![0]! * x + R[2]![1]! * y + R[2]![2]! * z + T[2]!;
  if (depth <= 0.1) return false;
  const cx = R[0]![0]! * x + R[0]![1]! * y + R[0]![2]! * z + T[0]!;
  const cy = R[1]![0]! * x + R[1]![1]! * y + R[1]![2]! * z + T[1]!;
  const K = cam.K;
  out[0] = (K[0]![0]! * cx) / depth + K[0]![2]!;
  out[1] = (K[1]![1]! * cy) / depth + K[1]![2]!;
  out[2] = depth;
  return true;
}

/** Whether a floor point's image lies inside the frame (with a margin in pixels). */
export function seesFloorPoint(cam: PinholeCamera, x: number, y: number, out: Float64Array, marginPx = 0): boolean {
  if (!projectPoint(cam, x, y, 0, out)) return false;
  return out[0]! >= marginPx && out[0]! < cam.width - marginPx && out[1]! >= marginPx && out[1]! < cam.height - marginPx;
}
