// Crowd simulator for dense-crowd tracking tests: people walk on a ground plane seen by a
// fixed, tilted mall camera (perspective-scaled boxes), pause, turn, enter and leave;
// detections have occlusion-dependent misses, jitter, low-score true boxes and false
// positives. Deterministic by seed. Writes MOTChallenge gt (MOT16 layout) and det text.
// The camera is a real pinhole projection of a floor in metres (x lateral, z depth), so its
// floor calibration is exact (`calibration`: image/floor pairs) and far people are small.
// With `jitter` set, detections follow the declared noise model (NOISE_MODEL below) whose one
// knob is the per-frame jitter as a fraction of the box height (declared range 1-8%).
import { SeededRandom } from '../../edge/shared/random.ts';

export interface CrowdSimOptions {
  /** People in view at any time (the population is topped up as people leave). */
  people: number;
  frames: number;
  fps: number;
  seed: number;
  width: number;
  height: number;
  /** False positives per frame, as a fraction of the people in view. */
  falsePositiveRate: number;
  /**
   * Counting lines (image pixels, A -> B) that people interact with: when a person picks a
   * new goal, with probability `lineBehaviourRate` it is one of the hard cases for a line
   * counter instead: stop on the line for a while, walk along it, pass close by one of its
   * ends, or step just over it and turn back.
   */
  lines?: ReadonlyArray<readonly [readonly [number, number], readonly [number, number]]>;
  lineBehaviourRate?: number;
  /**
   * The declared detector-noise model (JITTER_RANGE): per-frame position jitter of the box
   * centre, N(0, jitter·h) in x and y, and size jitter, w and h × exp(N(0, jitter)); hidden
   * people's boxes truncated at the bottom; misses growing with occlusion; false positives.
   * Unset: the legacy model (jitter 4-10% of w, half that of h in y).
   */
  jitter?: number;
}

/** The range of `jitter` the declared noise model is meant for (fraction of box height per frame). */
export const JITTER_RANGE: readonly [number, number] = [0.01, 0.08];

export const NOISE_MODEL =
  'crowd-sim declared noise: box centre x, y + N(0, j·h), w, h × exp(N(0, j)) per frame, j in 1-8%; a person hidden by nearer ones (visibility v < 0.9) ' +
  'is truncated at the bottom with p = 0.6 (1 - v) to the visible top (h × max(0.35, v)); p(detect) = 0.05 if v < 0.15 else min(0.97, 0.25 + 0.8 v); ' +
  'Poisson(falsePositiveRate · people in view) false positives per frame at random floor points, score 0.05 + Exp(0.2)';

/** A person's true image box in one camera; `z` is its depth (nearer hides farther), `vis` the visible fraction. */
export interface ImageBox {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  z: number;
  vis: number;
}

/**
 * Sorts the boxes nearest first and sets each one's visibility: the part inside the image not
 * covered by nearer people (sum of overlaps, capped). Shared by the mall simulator.
 */
export function occlusionVisibility(boxes: ImageBox[], width: number, height: number): void {
  boxes.sort((a, b) => a.z - b.z);
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    let covered = 0;
    for (let j = 0; j < i; j++) {
      const a = boxes[j]!;
      const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (iw > 0 && ih > 0) covered += iw * ih;
    }
    const inImageW = Math.min(width, b.x + b.w) - Math.max(0, b.x);
    const inImageH = Math.min(height, b.y + b.h) - Math.max(0, b.y);
    const inImage = Math.max(0, inImageW) * Math.max(0, inImageH);
    b.vis = Math.max(0, Math.min(1, (inImage - covered) / (b.w * b.h)));
  }
}

/** Whether a box of visibility `vis` is detected this frame: misses grow with occlusion (NOISE_MODEL). */
export function detectedAt(rng: SeededRandom, vis: number): boolean {
  const pDetect = vis < 0.15 ? 0.05 : Math.min(0.97, 0.25 + 0.8 * vis);
  return rng.next() < pDetect;
}

/**
 * The declared noise model's detection of a detected true box: truncation (nearer people hide
 * the feet), then jitter in units of the box height; the score falls with occlusion.
 */
export function declaredNoisyBox(rng: SeededRandom, b: ImageBox, jitter: number): { x: number; y: number; w: number; h: number; score: number } {
  let th = b.h;
  if (b.vis < 0.9 && rng.next() < 0.6 * (1 - b.vis)) th = b.h * Math.max(0.35, b.vis);
  const jx = rng.normal(0, jitter * b.h);
  const jy = rng.normal(0, jitter * b.h);
  const w = b.w * Math.exp(rng.normal(0, jitter));
  const h = th * Math.exp(rng.normal(0, jitter));
  const cx = b.x + b.w / 2 + jx;
  const cy = b.y + th / 2 + jy;
  const score = Math.max(0.05, Math.min(1, rng.normal(0.35 + 0.6 * b.vis, 0.12)));
  return { x: cx - w / 2, y: cy - h / 2, w, h, score };
}

/** A Poisson(mean) count (Knuth), e.g. false positives per frame. */
export function poissonCount(rng: SeededRandom, mean: number): number {
  let n = 0;
  for (let L = Math.exp(-mean), p = rng.next(); p > L; p *= rng.next()) n++;
  return n;
}

/** Score of a false positive: mostly low, 0.05 + Exp(0.2), at most 0.95. */
export function falsePositiveScore(rng: SeededRandom): number {
  return Math.min(0.95, rng.exponential(0.2) + 0.05);
}

export const DEFAULT_CROWD: CrowdSimOptions = {
  people: 50,
  frames: 300,
  fps: 10,
  seed: 1,
  width: 1920,
  height: 1080,
  falsePositiveRate: 0.03,
};

export interface CrowdSequence {
  options: CrowdSimOptions;
  /** MOT16/17 gt: frame,id,x,y,w,h,consider,class,visibility. */
  gt: string;
  /** MOT detections: frame,-1,x,y,w,h,score,-1,-1,-1. */
  det: string;
  seqinfo: string;
  gtBoxes: number;
  detBoxes: number;
  /** Exact image/floor pairs [u, v, x, z] (px, m) of the simulated camera: FloorCalibration.fromPoints gives its floor mapping. */
  calibration: Array<[number, number, number, number]>;
}

interface Person {
  id: number;
  x: number; // ground plane, metres (lateral)
  z: number; // depth, metres from the camera
  vx: number;
  vz: number;
  speed: number;
  goalX: number;
  goalZ: number;
  pauseLeftS: number;
  /** Further waypoints (ground plane) and the pause at each, after the current goal. */
  plan: Array<{ x: number; z: number; pauseS: number }>;
  /** Pause on arriving at the current goal. */
  goalPauseS: number;
  heightM: number;
  widthRatio: number;
}

// Camera model: focal length and horizon chosen so people span ~40 px (far) to ~400 px (near).
const Z_NEAR = 4;
const Z_FAR = 30;
const CAMERA_HEIGHT_M = 4;

export function simulateCrowd(partial: Partial<CrowdSimOptions> = {}): CrowdSequence {
  const o: CrowdSimOptions = { ...DEFAULT_CROWD, ...partial };
  const rng = new SeededRandom(o.seed);
  const f = o.height * 0.9; // focal length, px
  const horizonY = o.height * 0.08;
  const project = (x: number, z: number) => ({ u: o.width / 2 + (f * x) / z, v: horizonY + (f * CAMERA_HEIGHT_M) / z });
  // Lateral half-extent at depth z that stays in the image.
  const halfWidthAt = (z: number) => ((o.width / 2) * z) / f;
  // Depth range whose feet are in the image.
  const zMin = Math.max(Z_NEAR, (f * CAMERA_HEIGHT_M) / (o.height - horizonY));
  const randomPoint = () => {
    // Uniform over image area roughly: sample depth with density ~ 1/z^2 (nearer rows are bigger).
    const z = 1 / (1 / zMin - rng.next() * (1 / zMin - 1 / Z_FAR));
    return { x: (rng.next() * 2 - 1) * halfWidthAt(z) * 0.95, z };
  };
  const edgePoint = () => {
    const side = rng.int(0, 2);
    if (side === 0) {
      const z = zMin + rng.next() * (Z_FAR - zMin);
      return { x: (rng.next() < 0.5 ? -1 : 1) * halfWidthAt(z) * 1.02, z };
    }
    if (side === 1) return { x: (rng.next() * 2 - 1) * halfWidthAt(Z_FAR), z: Z_FAR * 1.01 };
    return { x: (rng.next() * 2 - 1) * halfWidthAt(zMin), z: zMin * 0.98 };
  };
  // Image point -> ground plane (null above the horizon).
  const unproject = (u: number, v: number) => (v <= horizonY + 1 ? null : { x: ((u - o.width / 2) * ((f * CAMERA_HEIGHT_M) / (v - horizonY))) / f, z: (f * CAMERA_HEIGHT_M) / (v - horizonY) });
  const lines = o.lines ?? [];
  const lineRate = lines.length > 0 ? (o.lineBehaviourRate ?? 0.35) : 0;
  /** A plan of waypoints for one hard case at a random line, or null if it falls outside the ground. */
  const linePlan = (): Array<{ x: number; z: number; pauseS: number }> | null => {
    const [[ax, ay], [bx, by]] = lines[rng.int(0, lines.length - 1)]!;
    const len = Math.hypot(bx - ax, by - ay);
    const nx = -(by - ay) / len; // unit normal in the image
    const ny = (bx - ax) / len;
    const at = (t: number, offPx: number) => unproject(ax + (bx - ax) * t + nx * offPx, ay + (by - ay) * t + ny * offPx);
    const side = rng.next() < 0.5 ? -1 : 1;
    const kind = rng.int(0, 3);
    let pts: Array<[ReturnType<typeof at>, number]>;
    if (kind === 0) {
      // Stop on the line (within a few px of it), then go on to either side.
      const t = 0.1 + 0.8 * rng.next();
      pts = [[at(t, side * 60), 0], [at(t, rng.normal(0, 3)), 2 + rng.exponential(4)], [at(t + rng.normal(0, 0.05), (rng.next() < 0.5 ? -1 : 1) * 80), 0]];
    } else if (kind === 1) {
      // Walk along the line, on it or a few px beside it.
      const off = rng.normal(0, 4);
      const t0 = rng.next() < 0.5 ? 0.05 : 0.95;
      pts = [[at(t0, off), 0], [at(1 - t0, off), 0]];
    } else if (kind === 2) {
      // Pass close by one end, just inside or just outside the segment.
      const t = rng.next() < 0.5 ? rng.normal(0, 0.04) : 1 + rng.normal(0, 0.04);
      pts = [[at(t, side * 70), 0], [at(t, -side * 70), 0]];
    } else {
      // Step just over the line (5-25 px) and turn back.
      const t = 0.1 + 0.8 * rng.next();
      pts = [[at(t, side * 60), 0], [at(t, -side * (5 + 20 * rng.next())), 0.5 * rng.next()], [at(t, side * 70), 0]];
    }
    const plan: Array<{ x: number; z: number; pauseS: number }> = [];
    for (const [p, pauseS] of pts) {
      if (!p || p.z < zMin || p.z > Z_FAR || Math.abs(p.x) > halfWidthAt(p.z)) return null;
      plan.push({ x: p.x, z: p.z, pauseS });
    }
    return plan;
  };
  /** Sets the person's next goal: the next waypoint of its plan, a line case, or a random point. */
  const nextGoal = (p: Person) => {
    if (p.plan.length === 0 && lineRate > 0 && rng.next() < lineRate) p.plan = linePlan() ?? [];
    const w = p.plan.shift();
    if (w) {
      p.goalX = w.x;
      p.goalZ = w.z;
      p.goalPauseS = w.pauseS;
      return;
    }
    const g = rng.next() < 0.7 ? edgePoint() : randomPoint();
    p.goalX = g.x;
    p.goalZ = g.z;
    p.goalPauseS = 0;
  };
  let nextId = 1;
  const people: Person[] = [];
  const spawn = (inside: boolean) => {
    const p = inside ? randomPoint() : edgePoint();
    const g = rng.next() < 0.7 ? edgePoint() : randomPoint();
    const person: Person = {
      id: nextId++,
      x: p.x,
      z: p.z,
      vx: 0,
      vz: 0,
      speed: Math.max(0.4, rng.normal(1.25, 0.25)),
      goalX: g.x,
      goalZ: g.z,
      pauseLeftS: 0,
      plan: [],
      goalPauseS: 0,
      heightM: rng.normal(1.7, 0.08),
      widthRatio: rng.normal(0.41, 0.04),
    };
    if (lineRate > 0) nextGoal(person);
    people.push(person);
  };
  for (let i = 0; i < o.people; i++) spawn(true);

  const dt = 1 / o.fps;
  const gtLines: string[] = [];
  const detLines: string[] = [];
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  for (let frame = 1; frame <= o.frames; frame++) {
    // Move: walk toward the goal, pause now and then, drift a little.
    for (let i = people.length - 1; i >= 0; i--) {
      const p = people[i]!;
      if (p.pauseLeftS > 0) {
        p.pauseLeftS -= dt;
        continue;
      }
      if (rng.next() < 0.004) p.pauseLeftS = rng.exponential(3); // window shopping
      const dx = p.goalX - p.x;
      const dz = p.goalZ - p.z;
      const d = Math.hypot(dx, dz);
      if (d < (p.plan.length > 0 || p.goalPauseS > 0 ? 0.15 : 0.3)) {
        if (lineRate > 0) {
          p.pauseLeftS = p.goalPauseS;
          nextGoal(p);
          continue;
        }
        const g = rng.next() < 0.7 ? edgePoint() : randomPoint();
        p.goalX = g.x;
        p.goalZ = g.z;
        continue;
      }
      // Smoothly turn toward the goal with some heading noise.
      const tx = (dx / d) * p.speed + rng.normal(0, 0.15);
      const tz = (dz / d) * p.speed + rng.normal(0, 0.15);
      p.vx += (tx - p.vx) * 0.3;
      p.vz += (tz - p.vz) * 0.3;
      p.x += p.vx * dt;
      p.z += p.vz * dt;
      // Left the view: replaced by a newcomer.
      if (p.z < zMin * 0.95 || p.z > Z_FAR * 1.05 || Math.abs(p.x) > halfWidthAt(p.z) * 1.1) {
        people.splice(i, 1);
        spawn(false);
      }
    }
    // Project to boxes.
    const boxes: ImageBox[] = [];
    for (const p of people) {
      const { u, v } = project(p.x, p.z);
      const h = (f * p.heightM) / p.z;
      const w = h * p.widthRatio;
      const x = u - w / 2;
      const y = v - h;
      // Keep boxes at least partly in the image.
      if (x + w < 0 || x > o.width || y + h < 0 || y > o.height) continue;
      boxes.push({ id: p.id, x, y, w, h, z: p.z, vis: 1 });
    }
    occlusionVisibility(boxes, o.width, o.height);
    for (const b of boxes) {
      gtLines.push(`${frame},${b.id},${r1(b.x)},${r1(b.y)},${r1(b.w)},${r1(b.h)},1,1,${r3(b.vis)}`);
      // Detection: misses grow with occlusion; partly hidden people give low scores.
      if (!detectedAt(rng, b.vis)) continue;
      if (o.jitter !== undefined) {
        const d = declaredNoisyBox(rng, b, o.jitter);
        detLines.push(`${frame},-1,${r1(d.x)},${r1(d.y)},${r1(d.w)},${r1(d.h)},${r3(d.score)},-1,-1,-1`);
        continue;
      }
      const jitter = 0.04 + 0.06 * (1 - b.vis);
      const jx = rng.normal(0, jitter * b.w);
      const jy = rng.normal(0, jitter * b.h * 0.5);
      const sw = Math.exp(rng.normal(0, jitter));
      const sh = Math.exp(rng.normal(0, jitter));
      const w = b.w * sw;
      const h = b.h * sh;
      const score = Math.max(0.05, Math.min(1, rng.normal(0.35 + 0.6 * b.vis, 0.12)));
      detLines.push(`${frame},-1,${r1(b.x + jx + (b.w - w) / 2)},${r1(b.y + jy + (b.h - h) / 2)},${r1(w)},${r1(h)},${r3(score)},-1,-1,-1`);
    }
    // False positives: plausible person-sized boxes, mostly low scores.
    const nFp = poissonCount(rng, o.falsePositiveRate * boxes.length);
    for (let k = 0; k < nFp; k++) {
      const p = randomPoint();
      const { u, v } = project(p.x, p.z);
      const h = (f * 1.7) / p.z * Math.exp(rng.normal(0, 0.2));
      const w = h * 0.41;
      const score = falsePositiveScore(rng);
      detLines.push(`${frame},-1,${r1(u - w / 2)},${r1(v - h)},${r1(w)},${r1(h)},${r3(score)},-1,-1,-1`);
    }
  }
  const seqinfo = `[Sequence]\nname=crowd-${o.people}-s${o.seed}\nimDir=img1\nframeRate=${o.fps}\nseqLength=${o.frames}\nimWidth=${o.width}\nimHeight=${o.height}\nimExt=.jpg\n`;
  // Exact floor pairs: the projection of four spread floor points.
  const calibration: Array<[number, number, number, number]> = [];
  for (const [x, z] of [[-2, zMin + 0.5], [2, zMin + 0.5], [-6, Z_FAR - 5], [6, Z_FAR - 5]] as const) {
    const { u, v } = project(x, z);
    calibration.push([u, v, x, z]);
  }
  return { options: o, gt: `${gtLines.join('\n')}\n`, det: `${detLines.join('\n')}\n`, seqinfo, gtBoxes: gtLines.length, detBoxes: detLines.length, calibration };
}
