// Detections derived from MOT16/17 ground truth with a documented, seeded noise model, so a
// benchmark separates tracker errors from detector errors:
// - only evaluated boxes (consider = 1, class = 1) can be detected;
// - miss probability falls with visibility: p(detect) = 0.3 + 0.65 * visibility;
// - jitter: centre ~ N(0, 0.03 w) / N(0, 0.03 h), width and height x exp(N(0, 0.05));
// - scores: visibility >= 0.5 -> N(0.85, 0.10), else N(0.45, 0.15) (low-score true boxes), clipped to [0.05, 1];
// - false positives: Poisson(0.5 + 0.03 * people in frame) per frame, sized like a random
//   person of the frame at a uniform position, score 0.05 + Exp(mean 0.2), at most 0.95.
import { SeededRandom } from '../../edge/shared/random.ts';
import type { MotTable } from '../../edge/track/eval/index.ts';

export const NOISE_MODEL_DESCRIPTION =
  'gt-derived detections: p(detect) = 0.3 + 0.65 * visibility; centre jitter N(0, 0.03 w/h), size x exp(N(0, 0.05)); ' +
  'score N(0.85, 0.10) if visibility >= 0.5 else N(0.45, 0.15); Poisson(0.5 + 0.03 * people) false positives per frame with ' +
  'score 0.05 + Exp(0.2); seeded (mulberry32)';

export function noisyDetectionsFromGt(gt: MotTable, width: number, height: number, seed: number): string {
  const rng = new SeededRandom(seed);
  const lines: string[] = [];
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
  for (let fi = 0; fi < gt.frames.length; fi++) {
    const frame = gt.frames[fi]!;
    const people: number[] = [];
    for (let k = gt.frameStart[fi]!; k < gt.frameEnd[fi]!; k++) {
      if (gt.conf[k] !== 0 && gt.cls[k] === 1) people.push(k);
    }
    for (const k of people) {
      const vis = clip(gt.visibility[k]!, 0, 1);
      if (rng.next() >= 0.3 + 0.65 * vis) continue;
      const w0 = gt.box[4 * k + 2]!;
      const h0 = gt.box[4 * k + 3]!;
      const cx = gt.box[4 * k]! + w0 / 2 + rng.normal(0, 0.03 * w0);
      const cy = gt.box[4 * k + 1]! + h0 / 2 + rng.normal(0, 0.03 * h0);
      const w = w0 * Math.exp(rng.normal(0, 0.05));
      const h = h0 * Math.exp(rng.normal(0, 0.05));
      const score = clip(vis >= 0.5 ? rng.normal(0.85, 0.1) : rng.normal(0.45, 0.15), 0.05, 1);
      lines.push(`${frame},-1,${r2(cx - w / 2)},${r2(cy - h / 2)},${r2(w)},${r2(h)},${r2(score)},-1,-1,-1`);
    }
    const lambda = 0.5 + 0.03 * people.length;
    let nFp = 0;
    for (let L = Math.exp(-lambda), p = rng.next(); p > L; p *= rng.next()) nFp++;
    for (let q = 0; q < nFp && people.length > 0; q++) {
      const k = people[rng.int(0, people.length - 1)]!;
      const w = gt.box[4 * k + 2]!;
      const h = gt.box[4 * k + 3]!;
      const x = rng.next() * Math.max(1, width - w);
      const y = rng.next() * Math.max(1, height - h);
      const score = Math.min(0.95, 0.05 + rng.exponential(0.2));
      lines.push(`${frame},-1,${r2(x)},${r2(y)},${r2(w)},${r2(h)},${r2(score)},-1,-1,-1`);
    }
  }
  return `${lines.join('\n')}\n`;
}
