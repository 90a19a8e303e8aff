// Tunes the hand-over defaults (sitePaths.handover) on the tuning half of splits.json "paths"
// only: each tuning mall is simulated once, then the offline paths run with each candidate
// setting; prints the mean A>B and A>B>C error per setting, best first.
//   npx tsx scripts/accuracy/tune-paths.ts [--half tuning|validation] [--grid small|full]
import { parseArgs } from 'node:util';
import { configSchema } from '../../edge/config/index.ts';
import { runSitePathsOffline } from '../../edge/site-paths/index.ts';
import { transitionError } from '../bench/paths.ts';
import { simulateMall } from '../mall-sim/simulator.ts';
import { loadSplits, type Half } from './splits.ts';

const { values } = parseArgs({ options: { half: { type: 'string', default: 'tuning' }, grid: { type: 'string', default: 'small' } } });
const half = values.half as Half;
const cases = loadSplits().paths[half].map((entry) => {
  const sim = simulateMall({ layout: entry.layout, people: entry.people, minutes: entry.minutes, seed: entry.seed, jitter: entry.jitter });
  return { entry, sim, config: configSchema.parse(sim.siteConfig) };
});

type Setting = Record<string, number>;
const grid: Setting[] = [];
const full = values.grid === 'full';
for (const overlapSigmaM of full ? [0.25, 0.4, 0.6] : values.grid === 'one' ? [0.5] : [0.3, 0.5])
  for (const gapSigmaM of full ? [0.3, 0.5, 0.8] : values.grid === 'one' ? [0.6] : [0.4, 0.6])
    for (const ambiguityMargin of full ? [0.5, 1, 2, 4] : values.grid === 'one' ? [2] : [0.5, 1, 2])
      for (const maxGapS of full ? [8, 12, 16] : values.grid === 'one' ? [8] : [8, 12]) grid.push({ overlapSigmaM, gapSigmaM, ambiguityMargin, maxGapS });

const rows: Array<{ setting: Setting; ab: number; abc: number; per: string }> = [];
for (const setting of grid) {
  let ab = 0;
  let abc = 0;
  const per: string[] = [];
  for (const c of cases) {
    const config = { ...c.config, sitePaths: { ...c.config.sitePaths, handover: { ...c.config.sitePaths.handover, ...setting } } };
    const r = runSitePathsOffline({ config, detections: c.sim.detections, fps: c.sim.options.fps });
    const e1 = transitionError(r.transitions, c.sim.truth.transitions);
    const e2 = transitionError(r.sequences, c.sim.truth.sequences);
    ab += e1 / cases.length;
    abc += e2 / cases.length;
    per.push(`${c.entry.layout}/${c.entry.seed}:${e1.toFixed(2)}(${r.cuts}c)`);
  }
  rows.push({ setting, ab, abc, per: per.join(' ') });
  process.stderr.write(`${JSON.stringify(setting)} A>B ${ab.toFixed(3)} A>B>C ${abc.toFixed(3)} ${per.join(' ')}\n`);
}
rows.sort((a, b) => a.ab - b.ab);
for (const r of rows.slice(0, 5)) console.log(`${JSON.stringify(r.setting)} A>B ${r.ab.toFixed(3)} A>B>C ${r.abc.toFixed(3)} ${r.per}`);
