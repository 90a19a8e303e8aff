// Stitcher throughput for a large site: a 20 x 20 grid of cameras (400), each seeing its
// 10 m x 10 m cell plus 0.75 m into its neighbours (overlapping views), a crowd walking between
// random waypoints over the 200 m x 200 m floor with 40 shop zones. Fragments are made directly
// from the floor paths (no detector, no tracker), so this measures the stitcher alone: the
// fragment and sample rates it sustains against the rates the simulated site produces.
import { handoverSection } from '../../edge/config/index.ts';
import { floorZonesOf, PathTally, Stitcher, type FragmentChunk } from '../../edge/site-paths/index.ts';
import { SeededRandom } from '../../edge/shared/random.ts';

export interface ThroughputResult {
  cameras: number;
  people: number;
  simulatedS: number;
  fragments: number;
  samples: number;
  wallMs: number;
  /** Fragments per second of wall time the stitcher handled. */
  fragmentsPerS: number;
  samplesPerS: number;
  /** Fragments per second the site produces (what it must keep up with). */
  siteFragmentsPerS: number;
  /** fragmentsPerS / siteFragmentsPerS. */
  headroom: number;
  transitions: number;
}

export function stitcherThroughput(options: { people?: number; simulatedS?: number; seed?: number } = {}): ThroughputResult {
  const people = options.people ?? 4000;
  const simulatedS = options.simulatedS ?? 120;
  const rng = new SeededRandom(options.seed ?? 1);
  const GRID = 20;
  const CELL = 10;
  const MARGIN = 0.75;
  const SAMPLE_MS = 200;
  const zones = [];
  for (let i = 0; i < 40; i++) {
    const x = 5 + rng.next() * 190;
    const y = 5 + rng.next() * 190;
    zones.push({ name: `shop-${i}`, polygon: [[x, y], [x + 3, y], [x + 3, y + 2], [x, y + 2]] as Array<[number, number]> });
  }
  const tally = new PathTally();
  const stitcher = new Stitcher({ zones: floorZonesOf(zones), handover: handoverSection.parse({}), visitMinS: 3, sampleMs: SAMPLE_MS }, tally);
  // Per person: position, waypoint, speed, dwell, and the open fragment per camera it is in.
  const px = new Float64Array(people);
  const py = new Float64Array(people);
  const wx = new Float64Array(people);
  const wy = new Float64Array(people);
  const speed = new Float64Array(people);
  const dwell = new Float64Array(people);
  const toShop = new Uint8Array(people);
  const open: Array<Map<number, { fragment: number; t: number[]; x: number[]; y: number[] }>> = [];
  let nextFragment = 1;
  for (let p = 0; p < people; p++) {
    px[p] = rng.next() * 200;
    py[p] = rng.next() * 200;
    wx[p] = rng.next() * 200;
    wy[p] = rng.next() * 200;
    speed[p] = 0.8 + rng.next() * 0.8;
    open.push(new Map());
  }
  const steps = Math.round((simulatedS * 1000) / SAMPLE_MS);
  const t0 = Date.UTC(2026, 0, 1, 10);
  let fragments = 0;
  let samples = 0;
  let wallMs = 0;
  const pending: FragmentChunk[] = [];
  const seen: number[] = [];
  for (let k = 0; k < steps; k++) {
    const t = t0 + k * SAMPLE_MS;
    for (let p = 0; p < people; p++) {
      if (dwell[p]! > 0) dwell[p] = dwell[p]! - SAMPLE_MS / 1000;
      else {
        const dx = wx[p]! - px[p]!;
        const dy = wy[p]! - py[p]!;
        const d = Math.hypot(dx, dy);
        const step = (speed[p]! * SAMPLE_MS) / 1000;
        if (d <= step) {
          // Half the walks go to a shop front and stay there a while.
          const shop = rng.next() < 0.5 ? zones[Math.floor(rng.next() * zones.length)]! : null;
          wx[p] = shop ? shop.polygon[0]![0] + 1.5 : rng.next() * 200;
          wy[p] = shop ? shop.polygon[0]![1] + 1 : rng.next() * 200;
          dwell[p] = toShop[p] ? 4 + rng.next() * 20 : 0;
          toShop[p] = shop ? 1 : 0;
        } else {
          px[p] = px[p]! + (dx / d) * step;
          py[p] = py[p]! + (dy / d) * step;
        }
      }
      // Cameras seeing this position (its cell and neighbours within the margin).
      seen.length = 0;
      const cx = Math.floor(px[p]! / CELL);
      const cy = Math.floor(py[p]! / CELL);
      for (let gx = Math.max(0, cx - 1); gx <= Math.min(GRID - 1, cx + 1); gx++) {
        for (let gy = Math.max(0, cy - 1); gy <= Math.min(GRID - 1, cy + 1); gy++) {
          if (px[p]! >= gx * CELL - MARGIN && px[p]! < (gx + 1) * CELL + MARGIN && py[p]! >= gy * CELL - MARGIN && py[p]! < (gy + 1) * CELL + MARGIN) seen.push(gx * GRID + gy);
        }
      }
      const mine = open[p]!;
      for (const [cam, f] of mine) {
        if (!seen.includes(cam)) {
          pending.push({ box: `box-${cam >> 5}`, camera: `cam-${cam}`, fragment: f.fragment, t: f.t, x: f.x, y: f.y, ended: true });
          mine.delete(cam);
        }
      }
      for (const cam of seen) {
        let f = mine.get(cam);
        if (!f) {
          f = { fragment: nextFragment++, t: [], x: [], y: [] };
          mine.set(cam, f);
          fragments++;
        }
        f.t.push(t);
        f.x.push(px[p]! + (rng.next() - 0.5) * 0.2);
        f.y.push(py[p]! + (rng.next() - 0.5) * 0.2);
        samples++;
      }
    }
    // Once a second: every open fragment's new samples go to the stitcher, as boxes send them.
    if (k % 5 === 4) {
      for (let p = 0; p < people; p++) {
        for (const [cam, f] of open[p]!) {
          if (f.t.length === 0) continue;
          pending.push({ box: `box-${cam >> 5}`, camera: `cam-${cam}`, fragment: f.fragment, t: f.t, x: f.x, y: f.y, ended: false });
          f.t = [];
          f.x = [];
          f.y = [];
        }
      }
      const start = performance.now();
      for (const c of pending) stitcher.add(c);
      stitcher.advance(t);
      wallMs += performance.now() - start;
      pending.length = 0;
    }
  }
  const start = performance.now();
  stitcher.finish();
  wallMs += performance.now() - start;
  const siteFragmentsPerS = fragments / simulatedS;
  const fragmentsPerS = fragments / (wallMs / 1000);
  return {
    cameras: GRID * GRID,
    people,
    simulatedS,
    fragments,
    samples,
    wallMs,
    fragmentsPerS,
    samplesPerS: samples / (wallMs / 1000),
    siteFragmentsPerS,
    headroom: fragmentsPerS / siteFragmentsPerS,
    transitions: Object.values(tally.total().transitions).reduce((a, b) => a + b, 0),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const people = Number(process.argv[2] ?? 4000);
  console.log(JSON.stringify(stitcherThroughput({ people, simulatedS: Number(process.argv[3] ?? 60) })));
}
