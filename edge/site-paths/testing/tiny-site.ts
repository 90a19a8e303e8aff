// A small synthetic site for tests: a 44 m corridor seen by calibrated cameras (real pinhole
// projections, 4 m up, 40 degrees down), shop-front zones along it, people who walk it and stop
// in some shops. Gives the site config, each camera's MOTChallenge detections (exact boxes) and
// the true transitions from the floor paths with the plain definition (>= visitMinS
// continuously inside a zone; consecutive distinct visits).
import { configSchema, type FootfallConfig } from '../../config/index.ts';
import { SeededRandom } from '../../shared/random.ts';

const W = 960;
const H = 540;
const F = 600;
const TILT = (40 * Math.PI) / 180;
const CAM_Y = -6;
const CAM_Z = 4;

interface Camera {
  name: string;
  K: number[][];
  R: number[][];
  T: number[];
}

function cameraAt(name: string, x: number): Camera {
  const s = Math.sin(TILT);
  const c = Math.cos(TILT);
  const R = [
    [1, 0, 0],
    [0, -s, -c],
    [0, c, -s],
  ];
  const C = [x, CAM_Y, CAM_Z];
  const T = R.map((row) => -(row[0]! * C[0]! + row[1]! * C[1]! + row[2]! * C[2]!));
  return { name, K: [[F, 0, W / 2], [0, F, H / 2], [0, 0, 1]], R, T };
}

function project(cam: Camera, x: number, y: number, z: number): [number, number] | null {
  const pc = cam.R.map((row, i) => row[0]! * x + row[1]! * y + row[2]! * z + cam.T[i]!);
  if (pc[2]! <= 0.1) return null;
  return [(F * pc[0]!) / pc[2]! + W / 2, (F * pc[1]!) / pc[2]! + H / 2];
}

export interface TinySite {
  config: FootfallConfig;
  fps: number;
  /** MOTChallenge det text per camera. */
  detections: Array<{ camera: string; det: string }>;
  truth: { visits: Record<string, number>; transitions: Record<string, number>; sequences: Record<string, number> };
}

export interface TinySiteOptions {
  people?: number;
  seed?: number;
  /** Camera positions along the corridor (x, metres); spacing 10 overlaps the views, 16 leaves gaps. */
  cameraX?: number[];
  fps?: number;
}

const ZONES = [
  { name: 'shop-a', x: 4 },
  { name: 'shop-b', x: 16 },
  { name: 'shop-c', x: 28 },
  { name: 'shop-d', x: 40 },
];

export function tinySite(options: TinySiteOptions = {}): TinySite {
  const fps = options.fps ?? 10;
  const people = options.people ?? 12;
  const rng = new SeededRandom(options.seed ?? 7);
  const cams = (options.cameraX ?? [4, 14, 24, 34, 44]).map((x, i) => cameraAt(`cam${i + 1}`, x));
  const zones = ZONES.map((z) => ({ name: z.name, polygon: [[z.x - 2, 2.5], [z.x + 2, 2.5], [z.x + 2, 4.5], [z.x - 2, 4.5]] as Array<[number, number]> }));
  // Paths: each person enters at x = -2, walks to x = 46 along a lane, stopping 4-7 s in some shops.
  const rows = new Map<string, string[]>(cams.map((c) => [c.name, []]));
  const truth = { visits: {} as Record<string, number>, transitions: {} as Record<string, number>, sequences: {} as Record<string, number> };
  const bump = (rec: Record<string, number>, k: string) => (rec[k] = (rec[k] ?? 0) + 1);
  for (let p = 0; p < people; p++) {
    const start = Math.round(p * 2.5 * fps);
    const lane = 0.8 + rng.next() * 1.2;
    const speed = 1.0 + rng.next() * 0.4;
    const stops = ZONES.filter(() => rng.next() < 0.5);
    // Waypoints with dwell: (x, y, dwellS).
    const way: Array<[number, number, number]> = [[-2, lane, 0]];
    for (const s of stops) way.push([s.x, 3.5, 4 + rng.next() * 3]);
    way.push([46, lane, 0]);
    const path: Array<[number, number]> = [];
    for (let i = 0; i + 1 < way.length; i++) {
      const [x0, y0] = way[i]!;
      const [x1, y1, dwell] = way[i + 1]!;
      const steps = Math.max(1, Math.round((Math.hypot(x1 - x0, y1 - y0) / speed) * fps));
      for (let k = 1; k <= steps; k++) path.push([x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps]);
      for (let k = 0; k < Math.round(dwell * fps); k++) path.push([x1 + 0.1 * Math.sin(k / 5), y1]);
    }
    // Truth: the plain definition on the floor path.
    const visits: string[] = [];
    for (const z of zones) void z;
    const since = new Map<string, number>();
    const done = new Set<string>();
    path.forEach(([x, y], k) => {
      for (const z of zones) {
        const [[ax, ay], , [bx, by]] = z.polygon as [[number, number], [number, number], [number, number]];
        const inside = x >= ax && x < bx && y >= ay && y < by;
        if (!inside) {
          since.delete(z.name);
          done.delete(z.name);
          continue;
        }
        if (!since.has(z.name)) since.set(z.name, k);
        if (!done.has(z.name) && (k - since.get(z.name)!) / fps >= 3) {
          done.add(z.name);
          visits.push(z.name);
        }
      }
    });
    for (const v of visits) bump(truth.visits, v);
    const distinct = visits.filter((v, i) => i === 0 || v !== visits[i - 1]);
    for (let i = 1; i < distinct.length; i++) bump(truth.transitions, `${distinct[i - 1]}>${distinct[i]}`);
    for (let i = 2; i < distinct.length; i++) bump(truth.sequences, `${distinct[i - 2]}>${distinct[i - 1]}>${distinct[i]}`);
    // Detections: the projected box in every camera that sees the feet inside the frame.
    path.forEach(([x, y], k) => {
      const frame = start + k + 1;
      for (const cam of cams) {
        const corners = [project(cam, x - 0.25, y, 0), project(cam, x + 0.25, y, 0), project(cam, x - 0.25, y, 1.7), project(cam, x + 0.25, y, 1.7)];
        if (corners.some((c) => c === null)) continue;
        const us = corners.map((c) => c![0]);
        const vs = corners.map((c) => c![1]);
        const foot = project(cam, x, y, 0)!;
        if (foot[0] < 0 || foot[0] >= W || foot[1] < 0 || foot[1] >= H) continue;
        const u0 = Math.max(0, Math.min(...us));
        const v0 = Math.max(0, Math.min(...vs));
        const u1 = Math.min(W - 1, Math.max(...us));
        const v1 = Math.min(H - 1, Math.max(...vs));
        rows.get(cam.name)!.push(`${frame},-1,${u0.toFixed(2)},${v0.toFixed(2)},${(u1 - u0).toFixed(2)},${(v1 - v0).toFixed(2)},0.9,-1,-1,-1`);
      }
    });
  }
  const cameras = cams.map((cam) => {
    const points: Array<[number, number, number, number]> = [];
    for (const [dx, y] of [[-4, 0], [4, 0], [-4, 4], [4, 4], [0, 2], [-2, 5]] as const) {
      const x = cam.T && dx + cameraXOf(cam);
      const p = project(cam, x, y, 0)!;
      points.push([Number(p[0].toFixed(2)), Number(p[1].toFixed(2)), x, y]);
    }
    return { name: cam.name, width: W, height: H, calibration: { points } };
  });
  const config = configSchema.parse({ site: 'tiny', device: 'box-a', cameras, floorPlan: { zones } });
  const detections = cams.map((c) => ({
    camera: c.name,
    det: rows
      .get(c.name)!
      .sort((a, b) => Number(a.slice(0, a.indexOf(','))) - Number(b.slice(0, b.indexOf(','))))
      .join('\n'),
  }));
  return { config, fps, detections, truth };
}

function cameraXOf(cam: Camera): number {
  // C = -R^T T; R's first row is the world x axis.
  return -(cam.R[0]![0]! * cam.T[0]! + cam.R[1]![0]! * cam.T[1]! + cam.R[2]![0]! * cam.T[2]!);
}
