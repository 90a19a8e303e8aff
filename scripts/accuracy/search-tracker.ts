// Coordinate search of tracker settings on the TUNING half only (objective: mean over the
// half's cases, the tuning videos with our model's detections included, of
// (MOTA + IDF1) / 2), printing every step, so defaults are chosen where they are not scored:
//   npx tsx scripts/accuracy/search-tracker.ts [--passes 2] [--det-cache DIR]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { trackerSection, withModelThresholds } from '../../edge/config/index.ts';
import { readMotFile } from '../../edge/track/eval/index.ts';
import { findManifestEntry } from '../../models/index.ts';
import { loadSplits, MOT_DIR, trackingCases, type TrackingCase } from './splits.ts';
import { scoreCases } from './tracker-eval.ts';

const { values } = parseArgs({ options: { passes: { type: 'string', default: '2' }, 'det-cache': { type: 'string' } }, strict: true });
const GRID: Record<string, number[]> = {
  matchIou: [0.1, 0.15, 0.2, 0.3],
  lowMatchIou: [0.3, 0.4, 0.5, 0.6],
  recoveryIou: [0, 0.3, 0.4, 0.5, 0.6],
  tentativeMatchIou: [0.3, 0.4, 0.5, 0.6],
  maxLostMs: [1000, 2000, 3000, 5000],
  stdWeightMeasurement: [0.05, 0.1, 0.15, 0.2],
  confirmHits: [1, 2, 3],
  lowScore: [0.05, 0.1, 0.2],
  maxOutputAspect: [0, 1.2, 1.6, 2],
};
const splits = loadSplits();
const cases = trackingCases(splits, 'tuning');
const videoCases: TrackingCase[] = [];
const cache = values['det-cache'] ?? join(process.cwd(), 'data', 'cache', 'accuracy');
for (const v of splits.videos.tuning) {
  const path = join(cache, `${v.video.replace(/\.[^.]+$/, '')}.det.txt`);
  if (!existsSync(path)) continue;
  const gt = readMotFile(join(MOT_DIR, v.gt));
  const det = readMotFile(path);
  videoCases.push({ name: v.name, half: 'tuning', kind: 'mot', camera: v.camera, detector: v.detector, gt, det, fps: v.fps, lastFrame: gt.frames[gt.frames.length - 1]!, width: v.width, height: v.height, calibration: null });
}
const model = findManifestEntry('picodet_s_416_coco')?.trackerThresholds;
const score = (o: Record<string, number>) => {
  const config = trackerSection.parse(o);
  const s = [...scoreCases(cases, config, false), ...scoreCases(videoCases, withModelThresholds(config, model), false)];
  return s.reduce((a, c) => a + (c.ours.MOTA + c.ours.IDF1) / 2, 0) / s.length;
};
process.stdout.write(`${cases.length} tracking cases, ${videoCases.length} videos\n`);
let best: Record<string, number> = {};
let bestScore = score(best);
process.stdout.write(`start ${bestScore.toFixed(3)}\n`);
for (let pass = 0; pass < Number(values.passes); pass++) {
  for (const [key, options] of Object.entries(GRID)) {
    for (const v of options) {
      const trial = { ...best, [key]: v };
      const sc = score(trial);
      if (sc > bestScore + 0.05) {
        best = trial;
        bestScore = sc;
        process.stdout.write(`better ${sc.toFixed(3)} ${JSON.stringify(best)}\n`);
      }
    }
  }
  process.stdout.write(`pass ${pass + 1}: ${bestScore.toFixed(3)} ${JSON.stringify(best)}\n`);
}
