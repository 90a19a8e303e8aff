// A small mall for the fragments-across-boxes tests: a 31 m corridor seen by four calibrated
// cameras in a row (1-2 and 3-4 overlap by 1.5 m, 2-3 leave a 1.5 m gap), six floor zones,
// and people who come in at the entrance, visit shops in a seeded order with dwell, and
// leave. Each camera gets MOTChallenge detections (foot point with pixel noise, missed
// detections); CameraRun runs the live floor tracker (ByteTracker with the camera's floor
// calibration) on them and gives the track frames the agent's stages see.
import { SeededRandom } from '../../../edge/shared/random.ts';
import { validateConfig } from '../../../edge/config/load.ts';
import type { FootfallConfig } from '../../../edge/config/index.ts';
import { siteFloorOf } from '../../../edge/site-paths/index.ts';
import { ByteTracker } from '../../../edge/track/index.ts';
import { packDetections, parseMotText, type PackedDetections } from '../../../edge/track/eval/index.ts';
import type { TrackFrame } from '../../../edge/shared/types.ts';

export const FPS = 10;
const PX_PER_M = 80;
const W = 640;
const H = 480;
/** Floor x where each camera's view starts; every view is 8 m x 6 m. */
const CAMERA_X0: Record<string, number> = { 'cam-1': 0, 'cam-2': 6.5, 'cam-3': 16, 'cam-4': 22.5 };
const VIEW_W = 8;
const VIEW_H = 6;
const ACCEL = 0.6;

const rect = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
const ZONES: Record<string, Array<[number, number]>> = {
  entrance: rect(0.5, 2, 2.5, 4),
  'shop-a': rect(3.5, 4.3, 6, 5.8),
  kiosk: rect(6.8, 2.4, 7.9, 3.6), // in the overlap of cam-1 and cam-2: one visit, not two
  'shop-b': rect(9, 0.2, 12, 1.7),
  'shop-c': rect(17, 4.3, 20, 5.8),
  'shop-d': rect(25, 0.2, 28, 1.7),
};
const SHOPS = ['shop-a', 'kiosk', 'shop-b', 'shop-c', 'shop-d'];

export function sceneConfig(device: string, cameras: readonly string[], sitePaths: Record<string, unknown> = {}): FootfallConfig {
  return validateConfig({
    site: 'mall-1',
    device,
    demoCamera: false,
    sitePaths,
    cameras: cameras.map((name) => {
      const x0 = CAMERA_X0[name]!;
      return {
        name,
        url: `rtsp://x/${name}`,
        width: W,
        height: H,
        calibration: { points: [[0, H, x0, 0], [W, H, x0 + VIEW_W, 0], [W, 0, x0 + VIEW_W, VIEW_H], [0, 0, x0, VIEW_H]] },
      };
    }),
    floorPlan: { zones: Object.entries(ZONES).map(([name, polygon]) => ({ name, polygon })) },
  });
}

function centre(zone: string): [number, number] {
  const p = ZONES[zone]!;
  return [(p[0]![0] + p[2]![0]) / 2, (p[0]![1] + p[2]![1]) / 2];
}

/** Floor positions (m) per frame of each person; null before arrival and after leaving. */
export function scenePeople(people: number, seed: number): { tracks: Array<Array<[number, number] | null>>; frames: number } {
  const rnd = new SeededRandom(seed);
  const out: Array<Array<[number, number] | null>> = [];
  let frames = 0;
  for (let p = 0; p < people; p++) {
    const start = Math.round((p * 8 + rnd.next() * 3) * FPS);
    const speed = 1.1 + rnd.next() * 0.4; // m/s
    const stops = ['entrance'];
    const n = rnd.int(2, 4);
    const pool = [...SHOPS];
    for (let k = 0; k < n; k++) stops.push(pool.splice(rnd.int(0, pool.length - 1), 1)[0]!);
    stops.push('entrance');
    const pts: Array<[number, number] | null> = new Array<[number, number] | null>(start).fill(null);
    let [x, y] = [-1, 3];
    // People speed up and slow down at 0.6 m/s² (a trapezoid speed profile), as people do and as
    // the floor tracker's motion model expects.
    const goTo = (tx: number, ty: number) => {
      const d = Math.hypot(tx - x, ty - y);
      const v = Math.min(speed, Math.sqrt(d * ACCEL));
      const total = d / v + v / ACCEL;
      const steps = Math.max(1, Math.round(total * FPS));
      for (let i = 1; i <= steps; i++) {
        const t = (i / steps) * total;
        const ramp = v / ACCEL;
        const s = t < ramp ? 0.5 * ACCEL * t * t : t > total - ramp ? d - 0.5 * ACCEL * (total - t) ** 2 : 0.5 * v * ramp + v * (t - ramp);
        const u = d > 0 ? s / d : 1;
        pts.push([x + (tx - x) * u, y + (ty - y) * u]);
      }
      [x, y] = [tx, ty];
    };
    // Walk in the corridor's middle lane, step into each zone and stay 4-7 s.
    for (const z of stops) {
      const [cx, cy] = centre(z);
      // Keep to the right: walking towards +x in the lane at y 2.4, towards -x at y 3.6.
      const lane = (cx >= x ? 2.4 : 3.6) + (rnd.next() - 0.5) * 0.3;
      if (Math.abs(cx - x) > 2) goTo(x + Math.sign(cx - x) * 1.5, lane);
      goTo(cx, lane);
      goTo(cx + (rnd.next() - 0.5) * 0.6, cy + (rnd.next() - 0.5) * 0.4);
      const dwell = Math.round((4 + rnd.next() * 3) * FPS);
      for (let i = 0; i < dwell; i++) pts.push([x + (rnd.next() - 0.5) * 0.05, y + (rnd.next() - 0.5) * 0.05]);
    }
    goTo(-1.5, 3); // out of every view
    out.push(pts);
    frames = Math.max(frames, pts.length);
  }
  return { tracks: out, frames };
}

/** MOTChallenge det.txt of one camera: 20 x 50 px boxes on the foot point, 1.5 px noise, 3 % missed. */
export function detectionsOf(camera: string, tracks: ReadonlyArray<ReadonlyArray<[number, number] | null>>, seed: number): string {
  const rnd = new SeededRandom(seed);
  const x0 = CAMERA_X0[camera]!;
  const rows: string[] = [];
  const frames = Math.max(...tracks.map((t) => t.length));
  for (let f = 0; f < frames; f++) {
    for (const t of tracks) {
      const p = t[f];
      if (!p) continue;
      const u = (p[0] - x0) * PX_PER_M + rnd.normal(0, 1.5);
      const v = H - p[1] * PX_PER_M + rnd.normal(0, 1.5);
      if (u < 2 || u > W - 2 || v < 52 || v > H - 1) continue;
      if (rnd.next() < 0.03) continue;
      rows.push(`${f + 1},-1,${(u - 10).toFixed(2)},${(v - 50).toFixed(2)},20,50,0.9,-1,-1,-1`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/** One camera: its detections through the floor tracker, one track frame per video frame. */
export class CameraRun {
  private readonly tracker: ByteTracker;
  private readonly packed: PackedDetections;
  private readonly frame: TrackFrame;
  private readonly view: { count: number; boxes: Float32Array; scores: Float32Array } = { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) };

  constructor(config: FootfallConfig, readonly camera: string, det: string) {
    const cal = siteFloorOf(config.cameras, config.floorPlan.zones).cameras.find((c) => c.name === camera)!.calibration;
    this.packed = packDetections(parseMotText(det));
    this.tracker = new ByteTracker(config.tracker, { calibration: cal });
    const out = this.tracker.output;
    this.frame = { camera, tsMs: 0, count: 0, ids: out.ids, boxes: out.boxes, floor: out.floor, endedCount: 0, endedIds: out.endedIds };
  }

  /** Frame f (1-based) at tsMs; the frame object is reused (consume it at once). */
  step(f: number, tsMs: number): TrackFrame {
    const r = this.packed;
    const i = f - r.firstFrame;
    const has = i >= 0 && i < r.offset.length;
    const start = has ? r.offset[i]! : 0;
    this.view.count = has ? r.count[i]! : 0;
    this.view.boxes = r.boxes.subarray(4 * start, 4 * (start + this.view.count));
    this.view.scores = r.scores.subarray(start, start + this.view.count);
    const out = this.tracker.update(tsMs, this.view);
    const fr = this.frame;
    fr.tsMs = tsMs;
    fr.count = out.count;
    fr.ids = out.ids;
    fr.floor = out.floor;
    fr.endedIds = out.endedIds;
    fr.endedCount = out.endedCount;
    return fr;
  }
}
