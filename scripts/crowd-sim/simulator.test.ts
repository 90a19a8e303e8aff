import { describe, expect, it } from 'vitest';
import { evaluateMot } from '../../edge/track/eval/index.ts';
import { gtFormatOf, parseMotText } from '../../edge/track/eval/index.ts';
import { noisyDetectionsFromGt } from './noisy-detections.ts';
import { simulateCrowd } from './simulator.ts';
import { FloorCalibration } from '../../edge/shared/floor-calibration.ts';

describe('crowd simulator', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = simulateCrowd({ people: 30, frames: 40, seed: 5 });
    const b = simulateCrowd({ people: 30, frames: 40, seed: 5 });
    const c = simulateCrowd({ people: 30, frames: 40, seed: 6 });
    expect(a.det).toBe(b.det);
    expect(a.gt).toBe(b.gt);
    expect(c.det).not.toBe(a.det);
  });

  it('keeps the requested density, with occlusion-dependent misses and false positives', () => {
    const seq = simulateCrowd({ people: 100, frames: 50, seed: 1 });
    const gt = parseMotText(seq.gt);
    const det = parseMotText(seq.det);
    expect(gtFormatOf(gt)).toBe('mot16');
    const perFrame = gt.count / gt.frames.length;
    expect(perFrame).toBeGreaterThan(85);
    expect(perFrame).toBeLessThan(115);
    // Perspective: boxes near the bottom of the image are taller than near the top.
    let nearH = 0;
    let farH = 0;
    let near = 0;
    let far = 0;
    for (let i = 0; i < gt.count; i++) {
      const bottom = gt.box[4 * i + 1]! + gt.box[4 * i + 3]!;
      if (bottom > 900) (nearH += gt.box[4 * i + 3]!), near++;
      if (bottom < 400) (farH += gt.box[4 * i + 3]!), far++;
    }
    expect(nearH / near).toBeGreaterThan(3 * (farH / far));
    // Detections: fewer than people (misses), some low-scored, some false positives.
    expect(det.count).toBeLessThan(gt.count);
    let low = 0;
    for (let i = 0; i < det.count; i++) if (det.conf[i]! < 0.5) low++;
    expect(low / det.count).toBeGreaterThan(0.05);
    const m = evaluateMot(gt, parseMotText(seq.det.replace(/^(\d+),-1,/gm, (_, f: string) => `${f},1,`)));
    expect(m.FP).toBeGreaterThan(0);
    // Heavily occluded people are in gt but rarely detected.
    let hidden = 0;
    for (let i = 0; i < gt.count; i++) if (gt.visibility[i]! < 0.15) hidden++;
    expect(hidden).toBeGreaterThan(0);
  });

  it('derives seeded noisy detections from MOT16/17 ground truth', () => {
    const gt = parseMotText(['1,1,100,100,50,120,1,1,1', '1,2,300,100,50,120,1,1,0.1', '1,3,500,100,50,120,0,1,1', '1,4,700,100,50,120,1,7,1'].join('\n').repeat(1));
    const a = noisyDetectionsFromGt(gt, 1920, 1080, 3);
    expect(noisyDetectionsFromGt(gt, 1920, 1080, 3)).toBe(a);
    // Over many frames, the fully visible person is detected far more often than the hidden one.
    const lines: string[] = [];
    for (let f = 1; f <= 400; f++) lines.push(`${f},1,100,100,50,120,1,1,1`, `${f},2,400,100,50,120,1,1,0.05`, `${f},3,700,100,50,120,0,1,1`);
    const det = parseMotText(noisyDetectionsFromGt(parseMotText(lines.join('\n')), 1920, 1080, 9));
    let nearVisible = 0;
    let nearHidden = 0;
    let nearIgnored = 0;
    for (let i = 0; i < det.count; i++) {
      const x = det.box[4 * i]!;
      if (Math.abs(x - 100) < 15) nearVisible++;
      else if (Math.abs(x - 400) < 15) nearHidden++;
      else if (Math.abs(x - 700) < 15) nearIgnored++;
    }
    expect(nearVisible / 400).toBeGreaterThan(0.85);
    expect(nearHidden / 400).toBeLessThan(0.5);
    expect(nearIgnored).toBeLessThan(10); // only chance false positives
  });

  it('sees a floor in metres through an exact projection: far people are small, the calibration is exact', () => {
    const seq = simulateCrowd({ people: 30, frames: 30, seed: 3, jitter: 0.02 });
    const cal = FloorCalibration.fromPoints(seq.calibration);
    expect(cal.reprojection!.maxPx).toBeLessThan(1e-6);
    const gt = parseMotText(seq.gt);
    const p = new Float64Array(2);
    let n = 0;
    for (let k = 0; k < gt.count; k++) {
      const [x, y, w, h] = [gt.box[4 * k]!, gt.box[4 * k + 1]!, gt.box[4 * k + 2]!, gt.box[4 * k + 3]!];
      if (y + h > 1079 || x < 0 || x + w > 1920) continue; // cut by the frame
      expect(cal.toFloor(x + w / 2, y + h, p, 0)).toBe(true);
      // Height in metres = box height x depth / focal length (0.9 x 1080 px): people are 1.7 m +- 0.08.
      expect((h * p[1]!) / (0.9 * 1080)).toBeGreaterThan(1.35);
      expect((h * p[1]!) / (0.9 * 1080)).toBeLessThan(2.05);
      n++;
    }
    expect(n).toBeGreaterThan(500);
  });

  it('jitters detections by the declared fraction of the box height', () => {
    const sd = (j: number) => {
      const seq = simulateCrowd({ people: 10, frames: 200, seed: 4, jitter: j, falsePositiveRate: 0 });
      const gt = parseMotText(seq.gt);
      const det = parseMotText(seq.det);
      // Per frame, each visible person's nearest detection: horizontal centre offset / box height.
      const offsets: number[] = [];
      for (let fi = 0; fi < gt.frames.length; fi++) {
        const di = det.frames.indexOf(gt.frames[fi]!);
        if (di < 0) continue;
        for (let k = gt.frameStart[fi]!; k < gt.frameEnd[fi]!; k++) {
          if (gt.visibility[k]! < 0.99) continue;
          const cx = gt.box[4 * k]! + gt.box[4 * k + 2]! / 2;
          const h = gt.box[4 * k + 3]!;
          let best = Infinity;
          for (let q = det.frameStart[di]!; q < det.frameEnd[di]!; q++) {
            const d = det.box[4 * q]! + det.box[4 * q + 2]! / 2 - cx;
            if (Math.abs(d) < Math.abs(best)) best = d;
          }
          if (Math.abs(best) < 0.5 * h) offsets.push(best / h);
        }
      }
      expect(offsets.length).toBeGreaterThan(500);
      // Robust sd (1.4826 x median |offset|): a missed person's nearest box is someone else's.
      const abs = offsets.map(Math.abs).sort((a, b) => a - b);
      return 1.4826 * abs[abs.length >> 1]!;
    };
    expect(sd(0.02)).toBeGreaterThan(0.015);
    expect(sd(0.02)).toBeLessThan(0.025);
    expect(sd(0.06)).toBeGreaterThan(0.05);
    expect(sd(0.06)).toBeLessThan(0.07);
  });
});
