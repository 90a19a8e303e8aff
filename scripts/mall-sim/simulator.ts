// Multi-camera mall simulator for mall-wide paths (#24): people arrive through the entrances
// (Poisson), visit shop fronts in a seeded Markov chain with strong A->B affinities, dwell
// 4-60 s wandering inside the zone, walk the corridors at 0.8-1.6 m/s with lateral drift and
// leave through an entrance. Every camera is a real pinhole projection; a person is an upright
// cylinder (0.45-0.6 m wide, 1.55-1.95 m tall) whose image box is its projection, clipped at the
// frame. Detections follow the crowd simulator's declared noise model (jitter j of the box
// height, truncation of hidden people, occlusion misses, false positives); each camera's
// calibration points are installer pairs with declared error. Deterministic by seed.
import { SeededRandom } from '../../edge/shared/random.ts';
import { declaredNoisyBox, detectedAt, falsePositiveScore, occlusionVisibility, poissonCount, type ImageBox } from '../crowd-sim/simulator.ts';
import { mountCamera, projectPoint, seesFloorPoint, type PinholeCamera } from './camera.ts';
import { layoutByName, type LayoutZone, type MallLayout, type Point } from './layouts.ts';
import { countPaths, visitsOfPath, type MallTruth } from './truth.ts';

export interface MallSimOptions {
  layout: string;
  people: number;
  minutes: number;
  seed: number;
  fps: number;
  /** Detector noise: per-frame jitter as a fraction of the box height (crowd-sim's declared range 1-8 %). */
  jitter: number;
  /** False positives per frame per camera, as a fraction of the people in its view. */
  falsePositiveRate: number;
  /** Installer error of the calibration points: image (1 sigma, px) and floor (1 sigma, m). */
  installerPx: number;
  installerM: number;
  /** Truth's visit threshold, seconds. */
  visitMinS: number;
  /** Diagnostic: people whose feet are outside the frame are not detected (default false: their box is clipped at the border, as a detector gives it). */
  hideCutFeet: boolean;
}

export const DEFAULT_MALL: Omit<MallSimOptions, 'layout' | 'people' | 'minutes' | 'seed'> = {
  fps: 10,
  jitter: 0.04,
  falsePositiveRate: 0.03,
  installerPx: 2,
  installerM: 0.03,
  visitMinS: 3,
  hideCutFeet: false,
};

export const MALL_NOISE_MODEL =
  'crowd-sim declared noise per camera (scripts/crowd-sim/simulator.ts NOISE_MODEL: box centre + N(0, j·h), size × exp(N(0, j)), hidden people truncated, ' +
  'p(detect) from visibility incl. the part outside the frame, Poisson false positives at random floor points in view); calibration points: 7 true floor/image pairs + N(0, installerPx) px, N(0, installerM) m';

/** The site config as plain data (YAML-able): what configSchema parses. */
export interface MallSiteConfig {
  site: string;
  device: string;
  cameras: Array<{ name: string; width: number; height: number; calibration: { points: Array<[number, number, number, number]> } }>;
  floorPlan: { zones: Array<{ name: string; polygon: Point[] }> };
}

export interface MallSimulation {
  options: MallSimOptions;
  layout: MallLayout;
  cameras: PinholeCamera[];
  frames: number;
  siteConfig: MallSiteConfig;
  /** MOTChallenge det text per camera: frame,-1,x,y,w,h,score,-1,-1,-1 (frames from 1). */
  detections: Array<{ camera: string; det: string }>;
  /** MOTChallenge gt per camera: frame,id,x,y,w,h,1,1,visibility. */
  gt: Array<{ camera: string; gt: string }>;
  truth: MallTruth;
  /** The Markov chain used: from (entrance or shop) -> to (shop or "exit") -> probability. */
  chain: Record<string, Record<string, number>>;
  /** The true feet paths (for diagnostics): person id, first frame (0-based), floor x, y per frame. */
  walks: Array<{ id: number; startFrame: number; xs: Float32Array; ys: Float32Array }>;
}

interface Walk {
  id: number;
  startFrame: number;
  xs: Float32Array;
  ys: Float32Array;
  widthM: number;
  heightM: number;
}

/** Shortest walking-graph route (Dijkstra; the graphs are small). */
function route(layout: MallLayout, from: string, to: string): string[] {
  const dist = new Map<string, number>([[from, 0]]);
  const prev = new Map<string, string>();
  const open = new Set<string>([from]);
  const done = new Set<string>();
  while (open.size > 0) {
    let best = '';
    for (const n of open) if (best === '' || dist.get(n)! < dist.get(best)!) best = n;
    open.delete(best);
    done.add(best);
    if (best === to) break;
    for (const [a, b] of layout.edges) {
      const next = a === best ? b : b === best ? a : null;
      if (next === null || done.has(next)) continue;
      const [x0, y0] = layout.nodes[best]!;
      const [x1, y1] = layout.nodes[next]!;
      const d = dist.get(best)! + Math.hypot(x1 - x0, y1 - y0);
      if (d < (dist.get(next) ?? Infinity)) {
        dist.set(next, d);
        prev.set(next, best);
        open.add(next);
      }
    }
  }
  if (!done.has(to)) throw new Error(`layout ${layout.name}: no walking route from ${from} to ${to}`);
  const path = [to];
  while (path[0] !== from) path.unshift(prev.get(path[0]!)!);
  return path;
}

/** Seeded Markov chain over the shops with strong affinities: each row favours two shops ~5x. */
function markovChain(layout: MallLayout, rng: SeededRandom): Record<string, Record<string, number>> {
  const shops = layout.zones.filter((z) => z.kind === 'shop').map((z) => z.name);
  const chain: Record<string, Record<string, number>> = {};
  for (const from of layout.zones.map((z) => z.name)) {
    const row: Record<string, number> = {};
    const others = shops.filter((s) => s !== from);
    for (const s of others) row[s] = 0.2 + 0.6 * rng.next();
    for (let k = 0; k < 2; k++) row[rng.pick(others)]! += 4;
    const sum = Object.values(row).reduce((a, b) => a + b, 0);
    // From a shop, about one in four leaves the mall next.
    if (shops.includes(from)) row.exit = sum / 3;
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    for (const k of Object.keys(row)) row[k] = row[k]! / total;
    chain[from] = row;
  }
  return chain;
}

function draw(row: Record<string, number>, rng: SeededRandom): string {
  let u = rng.next();
  const keys = Object.keys(row);
  for (const k of keys) {
    u -= row[k]!;
    if (u < 0) return k;
  }
  return keys[keys.length - 1]!;
}

interface Waypoint {
  x: number;
  y: number;
  /** Walking-graph segment normal for the lateral lane offset (0, 0 = none). */
  nx: number;
  ny: number;
  /** Dwell here (a shop front): seconds of wandering inside the zone. */
  dwellS: number;
  zone?: LayoutZone;
}

function zoneCentre(z: LayoutZone): Point {
  let x = 0;
  let y = 0;
  for (const p of z.polygon) {
    x += p[0];
    y += p[1];
  }
  return [x / z.polygon.length, y / z.polygon.length];
}

/** One person's floor path, sampled at fps, from arrival to leaving (or the end of the run). */
function walkOf(layout: MallLayout, chain: Record<string, Record<string, number>>, rng: SeededRandom, fps: number, maxFrames: number): { xs: Float32Array; ys: Float32Array } {
  const entrances = layout.zones.filter((z) => z.kind === 'entrance');
  const byName = new Map(layout.zones.map((z) => [z.name, z]));
  const enter = rng.pick(entrances);
  const stops: LayoutZone[] = [];
  let at = enter.name;
  for (let k = 0; k < 6; k++) {
    const next = draw(chain[at]!, rng);
    if (next === 'exit') break;
    stops.push(byName.get(next)!);
    at = next;
  }
  const leave = rng.pick(entrances);
  const way: Waypoint[] = [];
  const nodeWay = (names: string[]) => {
    for (let i = 1; i < names.length; i++) {
      const [x0, y0] = layout.nodes[names[i - 1]!]!;
      const [x1, y1] = layout.nodes[names[i]!]!;
      const d = Math.hypot(x1 - x0, y1 - y0) || 1;
      way.push({ x: x1, y: y1, nx: -(y1 - y0) / d, ny: (x1 - x0) / d, dwellS: 0 });
    }
  };
  way.push({ x: layout.nodes[enter.access]![0], y: layout.nodes[enter.access]![1], nx: 0, ny: 0, dwellS: 0 });
  let node = enter.access;
  for (const s of stops) {
    nodeWay(route(layout, node, s.access));
    const [cx, cy] = zoneCentre(s);
    way.push({ x: cx, y: cy, nx: 0, ny: 0, dwellS: Math.min(60, 4 + rng.exponential(14)), zone: s });
    way.push({ x: layout.nodes[s.access]![0], y: layout.nodes[s.access]![1], nx: 0, ny: 0, dwellS: 0 });
    node = s.access;
  }
  nodeWay(route(layout, node, leave.access));
  way.push({ x: leave.door![0], y: leave.door![1], nx: 0, ny: 0, dwellS: 0 });

  const dt = 1 / fps;
  const speed = 0.8 + 0.8 * rng.next();
  let x = enter.door![0];
  let y = enter.door![1];
  let vx = 0;
  let vy = 0;
  let lane = (rng.next() * 2 - 1) * layout.laneM * 0.7;
  const xs: number[] = [];
  const ys: number[] = [];
  let w = 0;
  let dwellLeft = 0;
  let wander: Point | null = null;
  let pause = 0;
  // Steers towards (tx, ty) at up to `vmax`, accelerating at most ACCEL_MPS2 (people turn and
  // stop over about a second); `stop`: slows down to arrive there. Returns the distance left.
  const steer = (tx: number, ty: number, vmax: number, stop: boolean): number => {
    const dx = tx - x;
    const dy = ty - y;
    const d = Math.hypot(dx, dy);
    const want = d < 1e-6 ? 0 : stop ? Math.min(vmax, Math.sqrt(2 * ACCEL_MPS2 * Math.max(0, d - 0.05))) : vmax;
    let ax = (d < 1e-6 ? 0 : (dx / d) * want) - vx;
    let ay = (d < 1e-6 ? 0 : (dy / d) * want) - vy;
    const a = Math.hypot(ax, ay);
    const lim = ACCEL_MPS2 * dt;
    if (a > lim) {
      ax *= lim / a;
      ay *= lim / a;
    }
    vx += ax + rng.normal(0, 0.01);
    vy += ay + rng.normal(0, 0.01);
    x += vx * dt;
    y += vy * dt;
    return d;
  };
  while (w < way.length && xs.length < maxFrames) {
    xs.push(x);
    ys.push(y);
    lane += (-lane / 8) * dt + 0.35 * Math.sqrt(dt) * rng.normal();
    lane = Math.max(-layout.laneM, Math.min(layout.laneM, lane));
    const wp = way[w]!;
    if (dwellLeft > 0) {
      // Wandering inside the shop front: slow walks between random points, short pauses.
      dwellLeft -= dt;
      if (dwellLeft <= 0) w++;
      if (pause > 0) {
        pause -= dt;
        vx = 0;
        vy = 0;
        continue;
      }
      const z = wp.zone!;
      if (!wander) {
        const xsZ = z.polygon.map((p) => p[0]);
        const ysZ = z.polygon.map((p) => p[1]);
        const [x0, x1, y0, y1] = [Math.min(...xsZ) + 0.4, Math.max(...xsZ) - 0.4, Math.min(...ysZ) + 0.4, Math.max(...ysZ) - 0.4];
        wander = [x0 + (x1 - x0) * rng.next(), y0 + (y1 - y0) * rng.next()];
      }
      if (steer(wander[0], wander[1], 0.4, true) < 0.1 && Math.hypot(vx, vy) < 0.15) {
        wander = null;
        pause = 3 * rng.next();
      }
      continue;
    }
    const stop = wp.dwellS > 0;
    const d = steer(wp.x + lane * wp.nx, wp.y + lane * wp.ny, speed, stop);
    // Walking on: the next waypoint is taken up a little ahead (corners are cut, as people do).
    if (stop ? d < 0.15 && Math.hypot(vx, vy) < 0.2 : d < Math.max(0.3, Math.min(1.5, (vx * vx + vy * vy) / ACCEL_MPS2))) {
      if (stop) {
        dwellLeft = wp.dwellS;
        wander = null;
        pause = 0;
      } else w++;
    }
  }
  return { xs: Float32Array.from(xs), ys: Float32Array.from(ys) };
}

/** Floor points on a 1 m grid of the walkable floor that the camera sees (feet 20 px inside the frame). */
function visibleFloorGrid(layout: MallLayout, cam: PinholeCamera, out: Float64Array): Point[] {
  const pts: Point[] = [];
  for (const [x0, y0, x1, y1] of layout.floor) {
    for (let x = x0 + 0.5; x < x1; x += 1) for (let y = y0 + 0.5; y < y1; y += 1) if (seesFloorPoint(cam, x, y, out, 20)) pts.push([x, y]);
  }
  return pts;
}

/** 7 spread floor points in view (farthest-point sampling), projected, with installer error. */
function installerPoints(layout: MallLayout, cam: PinholeCamera, rng: SeededRandom, o: MallSimOptions): Array<[number, number, number, number]> {
  const out = new Float64Array(3);
  const grid = visibleFloorGrid(layout, cam, out);
  if (grid.length < 7) throw new Error(`layout ${layout.name}: camera ${cam.name} sees too little floor for calibration points`);
  // Start from the grid point nearest the image centre.
  let first = 0;
  let bestD = Infinity;
  grid.forEach(([x, y], i) => {
    projectPoint(cam, x, y, 0, out);
    const d = Math.hypot(out[0]! - cam.width / 2, out[1]! - cam.height / 2);
    if (d < bestD) {
      bestD = d;
      first = i;
    }
  });
  const chosen = [grid[first]!];
  while (chosen.length < 7) {
    let best = grid[0]!;
    let bestMin = -1;
    for (const p of grid) {
      let m = Infinity;
      for (const c of chosen) m = Math.min(m, Math.hypot(p[0] - c[0], p[1] - c[1]));
      if (m > bestMin) {
        bestMin = m;
        best = p;
      }
    }
    chosen.push(best);
  }
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return chosen.map(([x, y]) => {
    projectPoint(cam, x, y, 0, out);
    return [r2(out[0]! + rng.normal(0, o.installerPx)), r2(out[1]! + rng.normal(0, o.installerPx)), r3(x + rng.normal(0, o.installerM)), r3(y + rng.normal(0, o.installerM))];
  });
}

export function simulateMall(partial: Pick<MallSimOptions, 'layout' | 'people' | 'minutes' | 'seed'> & Partial<MallSimOptions>): MallSimulation {
  const o: MallSimOptions = { ...DEFAULT_MALL, ...partial };
  if (!(o.people >= 1 && o.people <= 5000)) throw new Error(`people must be 1-5000, got ${o.people}`);
  if (!(o.minutes > 0 && o.minutes <= 120)) throw new Error(`minutes must be in (0, 120], got ${o.minutes}`);
  const layout = layoutByName(o.layout);
  const cameras = layout.cameras.map(mountCamera);
  const rng = new SeededRandom(o.seed);
  const chain = markovChain(layout, rng);
  const frames = Math.round(o.minutes * 60 * o.fps);

  // People: Poisson arrivals over the first 3/4 of the run (so most leave before it ends).
  const walks: Walk[] = [];
  let tS = 0;
  const meanGapS = (o.minutes * 60 * 0.75) / o.people;
  for (let id = 1; id <= o.people; id++) {
    tS += rng.exponential(meanGapS);
    const startFrame = Math.min(frames - 1, Math.floor(tS * o.fps));
    const widthM = 0.45 + 0.15 * rng.next();
    const heightM = 1.55 + 0.4 * rng.next();
    const { xs, ys } = walkOf(layout, chain, rng, o.fps, frames - startFrame);
    walks.push({ id, startFrame, xs, ys, widthM, heightM });
  }

  // Truth from the true floor paths.
  const truth: MallTruth = { visitMinS: o.visitMinS, visits: {}, transitions: {}, sequences: {}, people: [] };
  for (const wk of walks) {
    const visits = visitsOfPath(wk.xs, wk.ys, wk.startFrame / o.fps, o.fps, layout.zones, o.visitMinS);
    countPaths(truth, visits);
    truth.people.push({ id: wk.id, arriveS: wk.startFrame / o.fps, leaveS: (wk.startFrame + wk.xs.length) / o.fps, visits });
  }

  // Each camera: project everyone in front of it, occlusion, declared detector noise.
  const out = new Float64Array(3);
  const detections: MallSimulation['detections'] = [];
  const gts: MallSimulation['gt'] = [];
  const calibrations: MallSiteConfig['cameras'] = [];
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  for (let ci = 0; ci < cameras.length; ci++) {
    const cam = cameras[ci]!;
    const noise = new SeededRandom((o.seed * 7919 + ci * 104729 + 17) >>> 0);
    calibrations.push({ name: cam.name, width: cam.width, height: cam.height, calibration: { points: installerPoints(layout, cam, noise, o) } });
    const grid = visibleFloorGrid(layout, cam, out);
    const detLines: string[] = [];
    const gtLines: string[] = [];
    const boxes: ImageBox[] = [];
    for (let f = 0; f < frames; f++) {
      boxes.length = 0;
      for (const wk of walks) {
        const k = f - wk.startFrame;
        if (k < 0 || k >= wk.xs.length) continue;
        const box = cylinderBox(cam, wk.xs[k]!, wk.ys[k]!, wk.widthM / 2, wk.heightM, out);
        if (box) boxes.push({ id: wk.id, x: box[0], y: box[1], w: box[2], h: box[3], z: box[4], vis: 1 });
      }
      occlusionVisibility(boxes, cam.width, cam.height);
      const frame = f + 1;
      let inView = 0;
      for (const b of boxes) {
        // In view: at least 30 % of the box inside the frame (the rest is clipped at the border).
        const inImage = (Math.max(0, Math.min(cam.width, b.x + b.w) - Math.max(0, b.x)) * Math.max(0, Math.min(cam.height, b.y + b.h) - Math.max(0, b.y))) / (b.w * b.h);
        if (inImage < 0.3 || (o.hideCutFeet && b.y + b.h > cam.height)) continue;
        inView++;
        const [gx, gy, gw, gh] = clipBox(b.x, b.y, b.w, b.h, cam);
        gtLines.push(`${frame},${b.id},${r2(gx)},${r2(gy)},${r2(gw)},${r2(gh)},1,1,${r3(b.vis)}`);
        // The detector sees the in-frame part: noise (and the truncation of hidden feet) acts on the
        // clipped box, with the visibility of that part (nearer people only, not the frame border).
        const seen: ImageBox = { id: b.id, x: gx, y: gy, w: gw, h: gh, z: b.z, vis: Math.min(1, b.vis / inImage) };
        if (!detectedAt(noise, seen.vis)) continue;
        const d = declaredNoisyBox(noise, seen, o.jitter);
        const [dx, dy, dw, dh] = clipBox(d.x, d.y, d.w, d.h, cam);
        if (dw < 2 || dh < 2) continue;
        detLines.push(`${frame},-1,${r2(dx)},${r2(dy)},${r2(dw)},${r2(dh)},${r3(d.score)},-1,-1,-1`);
      }
      const nFp = poissonCount(noise, o.falsePositiveRate * inView);
      for (let q = 0; q < nFp && grid.length > 0; q++) {
        const [px, py] = grid[Math.floor(noise.next() * grid.length)]!;
        const box = cylinderBox(cam, px + noise.next() - 0.5, py + noise.next() - 0.5, 0.25, 1.7 * Math.exp(noise.normal(0, 0.2)), out);
        const score = falsePositiveScore(noise);
        if (!box) continue;
        const [dx, dy, dw, dh] = clipBox(box[0], box[1], box[2], box[3], cam);
        if (dw < 2 || dh < 2) continue;
        detLines.push(`${frame},-1,${r2(dx)},${r2(dy)},${r2(dw)},${r2(dh)},${r3(score)},-1,-1,-1`);
      }
    }
    detections.push({ camera: cam.name, det: `${detLines.join('\n')}\n` });
    gts.push({ camera: cam.name, gt: `${gtLines.join('\n')}\n` });
  }
  const siteConfig: MallSiteConfig = {
    site: `mall-${layout.name}`,
    device: 'sim-box',
    cameras: calibrations,
    floorPlan: { zones: layout.zones.map((z) => ({ name: z.name, polygon: z.polygon })) },
  };
  return { options: o, layout, cameras, frames, siteConfig, detections, gt: gts, truth, chain, walks: walks.map(({ id, startFrame, xs, ys }) => ({ id, startFrame, xs, ys })) };
}

/** Largest acceleration of a walker (turning, starting, stopping), m/s². */
const ACCEL_MPS2 = 1.5;
const RING = 8;
const COS = Array.from({ length: RING }, (_, i) => Math.cos((2 * Math.PI * i) / RING));
const SIN = Array.from({ length: RING }, (_, i) => Math.sin((2 * Math.PI * i) / RING));

/** Image box [x, y, w, h, depth] of an upright cylinder standing at (x, y), or null if any of it is behind the camera. */
function cylinderBox(cam: PinholeCamera, x: number, y: number, r: number, heightM: number, out: Float64Array): [number, number, number, number, number] | null {
  if (!projectPoint(cam, x, y, 0, out)) return null;
  const depth = out[2]!;
  // Cheap cull: feet far outside the frame.
  if (out[0]! < -cam.width || out[0]! > 2 * cam.width || out[1]! < -cam.height || out[1]! > 3 * cam.height) return null;
  let u0 = Infinity;
  let v0 = Infinity;
  let u1 = -Infinity;
  let v1 = -Infinity;
  for (let i = 0; i < RING; i++) {
    for (const z of [0, heightM]) {
      if (!projectPoint(cam, x + r * COS[i]!, y + r * SIN[i]!, z, out)) return null;
      u0 = Math.min(u0, out[0]!);
      u1 = Math.max(u1, out[0]!);
      v0 = Math.min(v0, out[1]!);
      v1 = Math.max(v1, out[1]!);
    }
  }
  if (u1 <= 0 || u0 >= cam.width || v1 <= 0 || v0 >= cam.height) return null;
  return [u0, v0, u1 - u0, v1 - v0, depth];
}

function clipBox(x: number, y: number, w: number, h: number, cam: PinholeCamera): [number, number, number, number] {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(cam.width - 1, x + w);
  const y1 = Math.min(cam.height - 1, y + h);
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}
