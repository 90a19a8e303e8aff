// Hand-built and simulated track sets: foot-point paths turned into MOT rows (box =
// 20 x 50 px standing on the foot point), for exact-count tests, fixtures and the bench.
import { SeededRandom } from '../../shared/random.ts';
import { parseMotTracks, type MotTracks } from './mot-reader.ts';

export const BOX_W = 20;
export const BOX_H = 50;

export interface FootPath {
  id: number;
  /** Frame of the first point (1-based). */
  startFrame: number;
  /** One foot point per frame; null = not seen that frame (a gap). */
  points: ReadonlyArray<readonly [number, number] | null>;
}

/** Straight walk from P to Q in `frames` frames (both ends included). */
export function walk(from: readonly [number, number], to: readonly [number, number], frames: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < frames; i++) {
    const u = frames === 1 ? 1 : i / (frames - 1);
    out.push([from[0] + u * (to[0] - from[0]), from[1] + u * (to[1] - from[1])]);
  }
  return out;
}

/** Concatenates walks, dropping a joint point that repeats the previous walk's last point. */
export function chain(...walks: Array<Array<[number, number]>>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const w of walks) {
    const last = out[out.length - 1];
    const first = w[0];
    out.push(...(last && first && last[0] === first[0] && last[1] === first[1] ? w.slice(1) : w));
  }
  return out;
}

export function motTextOf(paths: readonly FootPath[]): string {
  const rows: string[] = [];
  for (const p of paths) {
    p.points.forEach((pt, i) => {
      if (!pt) return;
      const x = pt[0] - BOX_W / 2;
      const y = pt[1] - BOX_H;
      rows.push(`${p.startFrame + i},${p.id},${x},${y},${BOX_W},${BOX_H},1,-1,-1,-1`);
    });
  }
  return `${rows.join('\n')}\n`;
}

export function tracksOf(paths: readonly FootPath[]): MotTracks {
  return parseMotTracks(motTextOf(paths));
}

/**
 * A crowd of `simultaneous` people walking across a `width` x `height` scene for
 * `frames` frames, each replaced by a new person when it leaves: a steady load of about
 * `simultaneous` tracks per frame, with jitter.
 */
export function simulatedCrowd(options: { simultaneous: number; frames: number; width: number; height: number; seed?: number }): FootPath[] {
  const rnd = new SeededRandom(options.seed ?? 1);
  const { width, height, frames } = options;
  const paths: FootPath[] = [];
  let nextId = 1;
  for (let k = 0; k < options.simultaneous; k++) {
    let frame = 1;
    while (frame <= frames) {
      const len = rnd.int(40, 400);
      const a: [number, number] = [rnd.next() * width, rnd.next() * height];
      const b: [number, number] = [rnd.next() * width, rnd.next() * height];
      const pts = walk(a, b, Math.min(len, frames - frame + 1)).map(
        ([x, y]) => [Math.min(width - 1, Math.max(0, x + rnd.normal(0, 2))), Math.min(height - 1, Math.max(0, y + rnd.normal(0, 2)))] as [number, number],
      );
      paths.push({ id: nextId++, startFrame: frame, points: pts });
      frame += pts.length;
    }
  }
  return paths;
}
