// Plane geometry of counting lines and zones in image coordinates (x right, y down), the one
// home of it: the side of a point relative to a directed segment, where a step crosses a line,
// point-in-polygon, and the simple-polygon checks the config schema relies on. Pure and a leaf
// (config, analytics and status all import it). Scalar arguments in the hot paths, so the
// per-frame loops allocate nothing.

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

/**
 * Even-odd point-in-polygon on a plain vertex list (for callers that test a few points
 * against config polygons; hot loops use PackedPolygon). Same arithmetic as
 * PackedPolygon.contains, without its bounding-box test.
 */
export function pointInPolygon(x: number, y: number, poly: ReadonlyArray<readonly [number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** True when closed segments P1P2 and P3P4 share a point. */
export function segmentsIntersect(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
  x4: number,
  y4: number,
): boolean {
  const d1 = crossSide(x3, y3, x4, y4, x1, y1);
  const d2 = crossSide(x3, y3, x4, y4, x2, y2);
  const d3 = crossSide(x1, y1, x2, y2, x3, y3);
  const d4 = crossSide(x1, y1, x2, y2, x4, y4);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  // Collinear or touching cases.
  if (d1 === 0 && onSegment(x3, y3, x4, y4, x1, y1)) return true;
  if (d2 === 0 && onSegment(x3, y3, x4, y4, x2, y2)) return true;
  if (d3 === 0 && onSegment(x1, y1, x2, y2, x3, y3)) return true;
  if (d4 === 0 && onSegment(x1, y1, x2, y2, x4, y4)) return true;
  return false;
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/** Shoelace area (absolute), px². */
export function polygonArea(points: ReadonlyArray<readonly [number, number]>): number {
  let twice = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    twice += xj * yi - xi * yj;
  }
  return Math.abs(twice) / 2;
}

/**
 * First pair of edges (indices of their start vertices) that intersect other than at
 * their shared vertex, or null for a simple polygon. O(n²): polygons are small.
 */
export function selfIntersection(points: ReadonlyArray<readonly [number, number]>): [number, number] | null {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % n]!;
    for (let j = i + 1; j < n; j++) {
      // Adjacent edges share a vertex by construction.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      const [x3, y3] = points[j]!;
      const [x4, y4] = points[(j + 1) % n]!;
      if (segmentsIntersect(x1, y1, x2, y2, x3, y3, x4, y4)) return [i, j];
    }
  }
  // Adjacent edges folding back onto each other (a spike) are also not simple.
  for (let i = 0; i < n; i++) {
    const [ax, ay] = points[(i + n - 1) % n]!;
    const [bx, by] = points[i]!;
    const [cx, cy] = points[(i + 1) % n]!;
    if (crossSide(ax, ay, bx, by, cx, cy) === 0 && (cx - bx) * (ax - bx) + (cy - by) * (ay - by) > 0) return [(i + n - 1) % n, i];
  }
  return null;
}

/** Index of the first vertex equal to its successor, or -1. */
export function repeatedVertex(points: ReadonlyArray<readonly [number, number]>): number {
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    if (x1 === x2 && y1 === y2) return i;
  }
  return -1;
}
