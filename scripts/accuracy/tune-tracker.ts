// Scores a tracker configuration on one half of the declared split, for choosing
// defaults on the tuning half (never on validation):
//   npx tsx scripts/accuracy/tune-tracker.ts [--half tuning|validation] [--peer] [--set key=value ...] [--only TEXT]
import { parseArgs } from 'node:util';
import { trackerSection } from '../../edge/config/index.ts';
import { parseSettings } from './settings.ts';
import { loadSplits, trackingCases, type Half } from './splits.ts';
import { scoreCases, summarize } from './tracker-eval.ts';

const { values } = parseArgs({
  options: {
    half: { type: 'string', default: 'tuning' },
    peer: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    only: { type: 'string' },
  },
  strict: true,
});
const overrides = parseSettings(values.set ?? []);
const config = trackerSection.parse(overrides);
const half = values.half as Half;
const cases = trackingCases(loadSplits(), half).filter((c) => !values.only || c.name.includes(values.only));
const scores = scoreCases(cases, config, values.peer ?? false);
const f = (v: number) => v.toFixed(1).padStart(5);
for (const s of scores) {
  const p = s.peer ? `   peer ${f(s.peer.MOTA)} ${f(s.peer.IDF1)} ${f(s.peer.HOTA)}` : '';
  process.stdout.write(`${s.name.padEnd(36)} ${f(s.ours.MOTA)} ${f(s.ours.IDF1)} ${f(s.ours.HOTA)}  IDSW ${String(s.ours.IDSW).padStart(4)}${p}\n`);
}
const o = summarize(scores.map((s) => s.ours));
process.stdout.write(`${`MEAN ${half} (${o.cases})`.padEnd(36)} ${f(o.MOTA)} ${f(o.IDF1)} ${f(o.HOTA)}`);
if (values.peer) {
  const p = summarize(scores.map((s) => s.peer!));
  process.stdout.write(`              peer ${f(p.MOTA)} ${f(p.IDF1)} ${f(p.HOTA)}`);
}
process.stdout.write(`\n${JSON.stringify(overrides)}\n`);
