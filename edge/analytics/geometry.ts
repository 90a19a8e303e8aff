// Plane geometry of counting lines and zones in image coordinates (x right, y down):
// the side of a point relative to a directed segment, where a step crosses a line,
// point-in-polygon, and the validity checks the config schema relies on.
// Scalar arguments only, so the hot loops allocate nothing.

/** cross(B - A, P - A): > 0 on the positive side of A -> B, < 0 on the negative side. */
export function crossSide(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/**
 * Where along A -> B the step P -> Q meets the infinite line AB, as t (0 = A, 1 = B),
 * given the cross values of P and Q (`crossP`, `crossQ`, opposite signs). P -> Q
 * touches the segment itself when 0 <= t <= 1.
 */
export function crossingParam(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  px: number,
  py: number,
  qx: number,
  qy: number,
  crossP: number,
  crossQ: number,
): number {
  const u = crossP / (crossP - crossQ);
  const x = px + u * (qx - px);
  const y = py + u * (qy - py);
  const dx = bx - ax;
  const dy = by - ay;
  return ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
}

/**
 * A polygon packed for fast containment tests: vertex arrays plus a bounding box
 * that rejects most points before the edge walk.
 */
export class PackedPolygon {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly n: number;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;

  constructor(points: ReadonlyArray<readonly [number, number]>) {
    this.n = points.length;
    this.xs = new Float64Array(this.n);
    this.ys = new Float64Array(this.n);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const [x, y] = points[i]!;
      this.xs[i] = x;
      this.ys[i] = y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
  }

  /**
   * Crossing-number test. Edges are half-open in y, so a point on a shared edge of two
   * adjacent zones belongs to exactly one of them.
   */
  contains(px: number, py: number): boolean {
    if (px < this.minX || px > this.maxX || py < this.minY || py > this.maxY) return false;
    const xs = this.xs;
    const ys = this.ys;
    let inside = false;
    for (let i = 0, j = this.n - 1; i < this.n; j = i++) {
      const yi = ys[i]!;
      const yj = ys[j]!;
      if (yi > py !== yj > py) {
        const xCross = xs[i]! + ((py - yi) * (xs[j]! - xs[i]!)) / (yj - yi);
        if (px < xCross) inside = !inside;
      }
    }
    return inside;
  }
}
