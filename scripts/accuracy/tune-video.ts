// Scores a tracker configuration end to end on a half's videos (our default model's
// detections, made by `footfall bench accuracy` into its cache), for choosing per-model
// tracker thresholds on the tuning video only:
//   npx tsx scripts/accuracy/tune-video.ts --det-cache DIR [--half tuning|validation] [--set key=value ...]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { trackerSection } from '../../edge/config/index.ts';
import { evaluateMot } from '../../edge/track/eval/index.ts';
import { parseMotText, readMotFile } from '../../edge/track/eval/index.ts';
import { packDetections, resultText, runTracker } from '../../edge/track/eval/index.ts';
import { parseSettings } from './settings.ts';
import { loadSplits, MOT_DIR, type Half } from './splits.ts';

const { values } = parseArgs({
  options: { half: { type: 'string', default: 'tuning' }, 'det-cache': { type: 'string' }, set: { type: 'string', multiple: true, default: [] }, 'score-offset': { type: 'string', default: '0' } },
  strict: true,
});
const overrides = parseSettings(values.set ?? []);
const config = trackerSection.parse(overrides);
const cache = values['det-cache'] ?? join(process.cwd(), 'data', 'cache', 'accuracy');
for (const v of loadSplits().videos[values.half as Half]) {
  const det = readMotFile(join(cache, `${v.video.replace(/\.[^.]+$/, '')}.det.txt`));
  const offset = Number(values['score-offset']);
  for (let k = 0; k < det.count; k++) det.conf[k] = Math.min(1, Math.max(0, det.conf[k]! + offset));
  const gt = readMotFile(join(MOT_DIR, v.gt));
  const m = evaluateMot(gt, parseMotText(resultText(runTracker(packDetections(det, gt.frames[gt.frames.length - 1]), config, v.fps))));
  process.stdout.write(`${v.name.padEnd(14)} MOTA ${m.MOTA.toFixed(1)} IDF1 ${m.IDF1.toFixed(1)} HOTA ${m.HOTA.toFixed(1)} IDSW ${m.IDSW} FP ${m.FP} FN ${m.FN}  ${JSON.stringify(overrides)}\n`);
}
