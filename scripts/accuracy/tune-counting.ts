// Scores line counting through the tracker on one half of the split (simulated crowds
// with that half's lines and seeds, and PETS09-S2L1 det.txt with that half's lines), for
// choosing counting defaults on the tuning half only:
//   npx tsx scripts/accuracy/tune-counting.ts [--half tuning|validation] [--people 30,60] [--peer] [--set key=value] [--line key=value]
import { parseArgs } from 'node:util';
import { analyticsSection } from '../../edge/config/index.ts';
import { trackerSection } from '../../edge/config/index.ts';
import { parseMotText, readMotFile } from '../../edge/track/eval/index.ts';
import { simulateCrowd } from '../crowd-sim/simulator.ts';
import { countOnTracks, countOpenDataCam, countThroughTracker, gtTracks, lineConfigs, scoreCounts, truthOf, zoneConfigs, type CountScores } from './count-eval.ts';
import { parseSettings } from './settings.ts';
import { loadSplits, MOT_DIR, seqInfo, type Half } from './splits.ts';

const { values } = parseArgs({
  options: {
    half: { type: 'string', default: 'tuning' },
    people: { type: 'string' },
    peer: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    line: { type: 'string', multiple: true, default: [] },
    analytics: { type: 'string', multiple: true, default: [] },
    frames: { type: 'string' },
  },
  strict: true,
});
const tracker = trackerSection.parse(parseSettings(values.set ?? []));
const relink = analyticsSection.parse(parseSettings(values.analytics ?? []));
const lineOverrides = parseSettings(values.line ?? []);
const half = values.half as Half;
const splits = loadSplits();
const frames = Number(values.frames ?? splits.crowds.countFrames);
const wanted = values.people ? values.people.split(',').map(Number) : null;
const fmt = (s: CountScores) => {
  const w = s.ours.worst;
  const rows = s.ours.rows.map((r) => `${r.line}.${r.direction} ${r.counted}/${r.truth}`).join(' ');
  const peer = s.peer ? ` | ODC mean ${s.peer.mean.toFixed(3)}` : '';
  const zones = s.zonesOurs.rows.map((r) => `${r.zone} ${r.counted}/${r.truth}`).join(' ');
  return `zones gt ${s.zonesOnGt.mean.toFixed(3)} ours ${s.zonesOurs.mean.toFixed(3)} (${zones}) | gt ${s.onGt.mean.toFixed(3)} | ours err ${s.ours.totalError.toFixed(3)} mean ${s.ours.mean.toFixed(3)} worst ${w ? w.accuracy?.toFixed(3) : '-'}${peer}\n    ${rows}`;
};
const means: number[] = [];
const errors: number[] = [];
const worsts: number[] = [];
const crowdLines = lineConfigs(splits.crowds.lines[half], lineOverrides);
const crowdZones = zoneConfigs(splits.crowds.zones[half]);
const crowdSeeds = [...splits.crowds.tuning, ...splits.crowds.validation].filter((c) => splits.crowds[half].includes(c));
for (const c of crowdSeeds) {
  if (wanted && !wanted.includes(c.people)) continue;
  if (!wanted && c.people > 100) continue;
  const sim = simulateCrowd({ people: c.people, frames, fps: 10, seed: c.seed, lines: splits.crowds.lines[half].map((l) => l.points) });
  const gt = parseMotText(sim.gt);
  const det = parseMotText(sim.det);
  const scene = { lines: crowdLines, zones: crowdZones, fps: 10, width: sim.options.width, height: sim.options.height };
  const truth = truthOf(gt, scene);
  const onGt = countOnTracks(gtTracks(gt), scene, relink);
  const ours = countThroughTracker(det, frames, scene, tracker, relink);
  const peer = values.peer ? countOpenDataCam(det, frames, crowdLines) : null;
  const s = scoreCounts(truth, onGt, ours, peer);
  means.push(s.ours.mean);
  errors.push(s.ours.totalError);
  worsts.push(s.ours.worst?.accuracy ?? 1);
  process.stdout.write(`crowd ${c.people} seed ${c.seed}: ${fmt(s)}\n`);
}
const petsLines = lineConfigs(splits.pets09Lines[half], lineOverrides);
if (petsLines.length > 0) {
  const gt = readMotFile(`${MOT_DIR}PETS09-S2L1/gt.txt`);
  const info = seqInfo('PETS09-S2L1');
  for (const d of ['det.txt', 'det-acf.txt']) {
    const det = readMotFile(`${MOT_DIR}PETS09-S2L1/${d}`);
    const scene = { lines: petsLines, zones: zoneConfigs(splits.pets09Zones[half]), fps: info.fps, width: info.width, height: info.height };
    const truth = truthOf(gt, scene);
    const onGt = countOnTracks(gtTracks(gt), scene, relink);
    const ours = countThroughTracker(det, info.length ?? 795, scene, tracker, relink);
    const peer = values.peer ? countOpenDataCam(det, info.length ?? 795, petsLines) : null;
    const s = scoreCounts(truth, onGt, ours, peer);
    means.push(s.ours.mean);
    errors.push(s.ours.totalError);
    worsts.push(s.ours.worst?.accuracy ?? 1);
    process.stdout.write(`PETS09 ${d}: ${fmt(s)}\n`);
  }
}
const avg = means.reduce((a, b) => a + b, 0) / Math.max(1, means.length);
process.stdout.write(`SUMMARY ${half}: mean of means ${avg.toFixed(3)}, worst ${Math.min(...worsts).toFixed(3)}, mean worst ${(worsts.reduce((a, b) => a + b, 0) / worsts.length).toFixed(3)}, mean count error ${(errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(3)}\n`);
