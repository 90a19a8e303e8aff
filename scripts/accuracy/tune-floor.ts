// Scores the floor tracker against the image tracker on the calibrated sequences of one half
// (cam_para.txt beside them), for choosing the floor defaults on the tuning half only:
//   npx tsx scripts/accuracy/tune-floor.ts [--half tuning|validation] [--set key=value ...] [--grid key=v1,v2 ...]
import { parseArgs } from 'node:util';
import { trackerSection } from '../../edge/config/index.ts';
import { evaluateMot, packDetections, parseMotText, resultText, runTracker } from '../../edge/track/eval/index.ts';
import { parseSettings } from './settings.ts';
import { loadSplits, trackingCases, type Half } from './splits.ts';

const { values } = parseArgs({
  options: {
    half: { type: 'string', default: 'tuning' },
    set: { type: 'string', multiple: true, default: [] },
    grid: { type: 'string', multiple: true, default: [] },
    'no-image': { type: 'boolean', default: false },
    skip: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
const half = values.half as Half;
const cases = trackingCases(loadSplits(), half).filter((c) => c.calibration && !(values.skip ?? []).some((t) => c.name.includes(t)));
const base = parseSettings(values.set ?? []);
const f = (v: number) => v.toFixed(1).padStart(5);

// Every combination of the --grid values.
let combos: Array<Record<string, unknown>> = [{}];
for (const g of values.grid ?? []) {
  const [key, list] = g.split('=') as [string, string];
  combos = combos.flatMap((c) => list.split(',').map((v) => ({ ...c, [key]: Number(v) })));
}

if (!values['no-image']) {
  const cfg = trackerSection.parse(base);
  let sum = 0;
  for (const c of cases) {
    const m = evaluateMot(c.gt, parseMotText(resultText(runTracker(packDetections(c.det, c.lastFrame), cfg, c.fps))));
    sum += m.IDF1;
    process.stdout.write(`image ${c.name.padEnd(34)} ${f(m.MOTA)} ${f(m.IDF1)} ${f(m.HOTA)}\n`);
  }
  process.stdout.write(`image MEAN IDF1 ${f(sum / cases.length)}\n`);
}
for (const combo of combos) {
  const cfg = trackerSection.parse({ ...base, ...combo });
  let sumIdf1 = 0;
  let sumMota = 0;
  const per: string[] = [];
  for (const c of cases) {
    const run = runTracker(packDetections(c.det, c.lastFrame), cfg, c.fps, { calibration: c.calibration! });
    const m = evaluateMot(c.gt, parseMotText(resultText(run)));
    sumIdf1 += m.IDF1;
    sumMota += m.MOTA;
    per.push(`${c.name.split(' (')[0]}${c.name.includes('noise') ? '*' : ''}:${m.MOTA.toFixed(1)}/${m.IDF1.toFixed(1)}`);
  }
  process.stdout.write(`floor ${JSON.stringify(combo)} MOTA ${f(sumMota / cases.length)} IDF1 ${f(sumIdf1 / cases.length)}  ${per.join(' ')}\n`);
}
