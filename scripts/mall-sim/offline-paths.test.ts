// End to end: a small simulated mall (real pinhole cameras, declared detector noise, installer
// calibration) through runSitePathsOffline, scored loosely against the simulator's truth.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../edge/config/index.ts';
import { runSitePathsOffline } from '../../edge/site-paths/index.ts';
import { foundShare, transitionError } from '../bench/paths.ts';
import { simulateMall } from './simulator.ts';

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe('mall simulator through runSitePathsOffline', () => {
  it('with hand-over finds more of the true shop-to-shop transitions than each camera alone', () => {
    const sim = simulateMall({ layout: 'street-overlap', people: 12, minutes: 3, seed: 1, jitter: 0.02 });
    const config = configSchema.parse(sim.siteConfig);
    const ours = runSitePathsOffline({ config, detections: sim.detections, fps: sim.options.fps });
    const base = runSitePathsOffline({ config, detections: sim.detections, fps: sim.options.fps, handover: false });
    const truth = sim.truth.transitions;
    expect(total(truth)).toBeGreaterThanOrEqual(10);
    expect(ours.unseenZones).toEqual([]);
    expect(ours.uncalibrated).toEqual([]);
    expect(ours.handovers).toBeGreaterThan(20);
    // Each camera sees one shop front here, so alone it finds (almost) no transitions.
    expect(foundShare(ours.transitions, truth)).toBeGreaterThan(foundShare(base.transitions, truth));
    expect(transitionError(ours.transitions, truth)).toBeLessThan(transitionError(base.transitions, truth));
    // Visits are seen per camera: within a third of the truth.
    expect(Math.abs(total(ours.visits) - total(sim.truth.visits))).toBeLessThanOrEqual(total(sim.truth.visits) / 3);
  });
});
