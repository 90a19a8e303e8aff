// The line counter against the plain definition of a crossing (crossingsOfPath), on
// perfect tracks from the crowd simulator with the hard cases a line counter meets:
// people who stop on a line, walk along it, pass by its ends and step over it and back.
// Configured with the definition's own band (5 px) and no extra hold time, the product's
// LineCounter (with relinking as in the agent) must agree on >= 99% of crossings.
import { describe, expect, it } from 'vitest';
import { countAccuracy, plainCrossings } from '../../edge/analytics/offline/index.ts';
import { parseMotText } from '../../edge/track/eval/index.ts';
import { simulateCrowd } from '../crowd-sim/simulator.ts';
import { countOnTracks, gtTracks, lineConfigs, truthOf, TRUTH_BAND_PX } from './count-eval.ts';
import { loadSplits } from './splits.ts';

const splits = loadSplits();
const named = [...splits.crowds.lines.tuning, ...splits.crowds.lines.validation];
const plainDefinition = lineConfigs(named, { minDistancePx: TRUTH_BAND_PX, minSideMs: 0, minDistanceBoxFraction: 0 });
const CASES = [
  { seed: 101, people: 30 },
  { seed: 102, people: 60 },
  { seed: 103, people: 100 },
  { seed: 104, people: 200 },
];

describe('line counting semantics on perfect crowd tracks', () => {
  const results = CASES.map((c) => {
    const sim = simulateCrowd({ people: c.people, frames: 600, fps: 10, seed: c.seed, lines: named.map((l) => l.points), lineBehaviourRate: 0.35 });
    const gt = parseMotText(sim.gt);
    const tracks = gtTracks(gt);
    const scene = { lines: plainDefinition, zones: [], fps: sim.options.fps, width: sim.options.width, height: sim.options.height };
    const truth = truthOf(gt, scene).lines;
    return {
      ...c,
      truth,
      ours: countAccuracy(countOnTracks(tracks, scene).lines, truth),
      plain: countAccuracy(plainCrossings(tracks, plainDefinition), truth),
    };
  });

  for (const r of results) {
    it(`agrees with the definition on >= 99% of crossings: ${r.people} people, seed ${r.seed}`, () => {
      const crossings = Object.values(r.truth).reduce((s, c) => s + c.in + c.out, 0);
      expect(crossings).toBeGreaterThan(r.people); // the scene really crosses the lines
      expect(1 - r.ours.totalError).toBeGreaterThanOrEqual(0.99);
    });
  }

  it('holds hard cases: a counter without the band (a plain segment test) is off by more than 1%', () => {
    const worstPlain = Math.max(...results.map((r) => r.plain.totalError));
    expect(worstPlain).toBeGreaterThan(0.01);
  });
});
