import { describe, expect, it } from 'vitest';
import { trackerSection } from '../../edge/config/index.ts';
import { parseMotText } from '../../edge/track/eval/index.ts';
import { simulateCrowd } from '../crowd-sim/simulator.ts';
import { countThroughTracker, lineConfigs, type Scene } from './count-eval.ts';
import { runSparse } from './sparse-eval.ts';

describe('runSparse (the sparse-detection harness of bench accuracy --only sparse)', () => {
  const lines = [{ name: 'mid', points: [[200, 600], [1700, 600]] as [[number, number], [number, number]] }];
  const sim = simulateCrowd({ people: 5, frames: 600, fps: 10, seed: 21, lines: lines.map((l) => l.points) });
  const det = parseMotText(sim.det);
  const scene: Scene = { lines: lineConfigs(lines), zones: [], fps: 10, width: sim.options.width, height: sim.options.height };
  const tracker = trackerSection.parse({});

  it('counts exactly as the live path when every frame is detected', () => {
    const every = runSparse(det, 600, 10, tracker, { every: 1, speedBoxHeightsPerS: 1.5, newTrackMs: 1000 }, scene);
    expect(every.detected).toBe(600);
    expect(every.counts!.lines).toEqual(countThroughTracker(det, 600, scene, tracker).lines);
  });

  it('predicts frames where nothing depends on them, and a plain interval predicts more', () => {
    const rules = runSparse(det, 600, 10, tracker, { every: 3, speedBoxHeightsPerS: 1.5, newTrackMs: 1000 }, scene);
    const plain = runSparse(det, 600, 10, tracker, { every: 3, speedBoxHeightsPerS: 1.5, newTrackMs: 1000, rules: 1 << 2 }, scene);
    expect(rules.detected).toBeLessThan(600);
    expect(plain.detected).toBeLessThan(rules.detected);
    expect(plain.detected).toBeLessThanOrEqual(Math.ceil(600 / 3) + 1);
  });
});
