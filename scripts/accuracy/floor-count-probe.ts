// Scores line counting under the declared crowd-sim noise model for one setting, for choosing
// the floor band / hold and the image band on the tuning half (see splits.json `floorCounting`):
//   npx tsx scripts/accuracy/floor-count-probe.ts [--half tuning] [--people 30] [--jitter 0.01,0.03] [--line bandM=0.3] [--modes gt,image,floor,floortrack,odc] [--frames N] [--analytics relinkMaxGapMs=3000] [--set trackerKey=value]
import { parseArgs } from 'node:util';
import { analyticsSection, trackerSection } from '../../edge/config/index.ts';
import { parseMotText } from '../../edge/track/eval/index.ts';
import { FloorCalibration } from '../../edge/shared/floor-calibration.ts';
import { simulateCrowd } from '../crowd-sim/simulator.ts';
import { countOnTracks, countOpenDataCam, countThroughTracker, gtTracks, lineConfigs, truthOf } from './count-eval.ts';
import { countAccuracy } from '../../edge/analytics/offline/index.ts';
import { parseSettings } from './settings.ts';
import { loadSplits, type Half } from './splits.ts';

const { values } = parseArgs({
  options: {
    half: { type: 'string', default: 'tuning' },
    people: { type: 'string', default: '30' },
    jitter: { type: 'string' },
    line: { type: 'string', multiple: true, default: [] },
    analytics: { type: 'string', multiple: true, default: [] },
    set: { type: 'string', multiple: true, default: [] },
    modes: { type: 'string', default: 'gt,image,floor' },
    frames: { type: 'string' },
    seeds: { type: 'string' },
  },
  strict: true,
});
const half = values.half as Half;
const splits = loadSplits();
const fc = splits.floorCounting;
const frames = Number(values.frames ?? fc.frames);
const tracker = trackerSection.parse(parseSettings(values.set ?? []));
const relink = analyticsSection.parse(parseSettings(values.analytics ?? []));
const lines = lineConfigs(splits.crowds.lines[half], parseSettings(values.line ?? []));
const jitters = values.jitter ? values.jitter.split(',').map(Number) : fc.jitter[half];
const people = values.people!.split(',').map(Number);
const modes = values.modes!.split(',');
for (const j of jitters) {
  for (const c of fc.crowds[half]) {
    if (!people.includes(c.people)) continue;
    if (values.seeds && !values.seeds.split(',').map(Number).includes(c.seed)) continue;
    const t0 = performance.now();
    const sim = simulateCrowd({ people: c.people, frames, fps: 10, seed: c.seed, lines: splits.crowds.lines[half].map((l) => l.points), jitter: j });
    const cal = FloorCalibration.fromPoints(sim.calibration);
    const gt = parseMotText(sim.gt);
    const det = parseMotText(sim.det);
    const scene = { lines, zones: [], fps: 10, width: sim.options.width, height: sim.options.height };
    const floorScene = { ...scene, floor: cal };
    const truth = truthOf(gt, scene).lines;
    const out: string[] = [];
    const score = (name: string, counts: Parameters<typeof countAccuracy>[0]) => {
      const r = countAccuracy(counts, truth);
      out.push(`${name} ${r.mean.toFixed(3)}/${(r.worst?.accuracy ?? 1).toFixed(3)} [${r.rows.map((x) => `${x.counted}/${x.truth}`).join(' ')}]`);
    };
    if (modes.includes('gt')) score('gt-img', countOnTracks(gtTracks(gt), scene, relink).lines);
    if (modes.includes('gt')) score('gt-floor', countOnTracks(gtTracks(gt), floorScene, relink).lines);
    if (modes.includes('image')) score('image', countThroughTracker(det, frames, scene, tracker, relink).lines);
    if (modes.includes('floor')) score('floor', countThroughTracker(det, frames, floorScene, tracker, relink).lines);
    if (modes.includes('floortrack')) score('floortrack', countThroughTracker(det, frames, floorScene, tracker, relink, cal).lines);
    if (modes.includes('odc')) score('odc', countOpenDataCam(det, frames, lines, undefined, 0.5));
    console.log(`j=${j} people=${c.people} seed=${c.seed} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n  ${out.join('\n  ')}`);
  }
}
