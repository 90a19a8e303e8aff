import { describe, expect, it } from 'vitest';
import { DetectionGate, GateDecision, RegionPlanner, mergeAcrossRegions } from './region-planner.ts';

const NONE = new Float32Array(0);
const boxes = (...b: number[][]) => new Float32Array(b.flat());

describe('RegionPlanner', () => {
  const planner = () => new RegionPlanner({ frameWidth: 1920, frameHeight: 1080, modelInputPx: 416 });

  it('skips a frame with no motion and no live track', () => {
    expect(planner().plan(NONE, 0, NONE, 0, false)).toBe(GateDecision.Skip);
  });

  it('cuts one model-sized square around a small far person, never smaller than the model input', () => {
    const p = planner();
    expect(p.plan(boxes([1000, 200, 20, 50]), 1, NONE, 0, false)).toBe(GateDecision.Regions);
    expect(p.regionCount).toBe(1);
    const [x, y, side] = Array.from(p.regions.subarray(0, 3));
    expect(side).toBe(416);
    // The person is inside the square, which is inside the frame.
    expect(x).toBeLessThanOrEqual(1000);
    expect(x! + side!).toBeGreaterThanOrEqual(1020);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y! + side!).toBeLessThanOrEqual(1080);
  });

  it('merges overlapping motion and track boxes into one region and keeps distant ones apart', () => {
    const p = planner();
    expect(p.plan(boxes([100, 100, 40, 100]), 1, boxes([130, 110, 40, 100], [1500, 700, 40, 100]), 2, false)).toBe(GateDecision.Regions);
    expect(p.regionCount).toBe(2);
  });

  it('clamps squares at the frame edge', () => {
    const p = planner();
    p.plan(boxes([1900, 1060, 20, 20]), 1, NONE, 0, false);
    expect(p.regions[0]! + p.regions[2]!).toBeLessThanOrEqual(1920);
    expect(p.regions[1]! + p.regions[2]!).toBeLessThanOrEqual(1080);
  });

  it('falls back to one full frame when regions would be too many or cover most of the frame', () => {
    const p = planner();
    const spread = boxes([10, 10, 20, 40], [500, 10, 20, 40], [1000, 10, 20, 40], [1500, 10, 20, 40], [10, 600, 20, 40]);
    expect(p.plan(spread, 5, NONE, 0, false)).toBe(GateDecision.FullFrame);
    expect(p.regionCount).toBe(0);
    expect(p.plan(boxes([0, 0, 1200, 900]), 1, NONE, 0, false)).toBe(GateDecision.FullFrame);
    expect(p.plan(boxes([10, 10, 20, 40]), 1, NONE, 0, true)).toBe(GateDecision.FullFrame);
  });

  it('on frames already at model size every non-empty plan is the full frame', () => {
    const p = new RegionPlanner({ frameWidth: 416, frameHeight: 416, modelInputPx: 416 });
    expect(p.plan(boxes([10, 10, 20, 40]), 1, NONE, 0, false)).toBe(GateDecision.FullFrame);
    expect(p.plan(NONE, 0, NONE, 0, false)).toBe(GateDecision.Skip);
  });
});

describe('DetectionGate', () => {
  it('runs a full frame every N ms even without motion, and after a scene change', () => {
    const gate = new DetectionGate(new RegionPlanner({ frameWidth: 1920, frameHeight: 1080, modelInputPx: 416 }), 10_000);
    const decisions: number[] = [];
    for (let t = 0; t <= 20_000; t += 200) decisions.push(gate.decide(t, NONE, 0, NONE, 0, false));
    expect(decisions.filter((d) => d === GateDecision.FullFrame)).toHaveLength(3); // t = 0, 10 s, 20 s
    expect(gate.framesGated).toBe(decisions.length - 3);
    expect(gate.decide(20_200, NONE, 0, NONE, 0, true)).toBe(GateDecision.FullFrame);
    // A live track keeps the detector running on its region between full frames.
    expect(gate.decide(20_400, NONE, 0, boxes([600, 400, 40, 100]), 1, false)).toBe(GateDecision.Regions);
  });
});

describe('mergeAcrossRegions', () => {
  it('keeps one box for a person seen whole in one region and cut at the border of another', () => {
    // x1, y1, x2, y2: whole person (0.9) and its truncated copy (0.7) from the neighbouring crop, plus another person.
    const b = new Float32Array([100, 100, 140, 200, 100, 100, 140, 160, 400, 100, 440, 200]);
    const s = new Float32Array([0.9, 0.7, 0.8]);
    const kept = mergeAcrossRegions(b, s, 3, new Uint8Array(3));
    expect(kept).toBe(2);
    expect(Array.from(s.subarray(0, 2))).toEqual([Math.fround(0.9), Math.fround(0.8)]);
    expect(Array.from(b.subarray(4, 8))).toEqual([400, 100, 440, 200]);
  });

  it('keeps two people standing side by side', () => {
    const b = new Float32Array([100, 100, 140, 200, 130, 100, 170, 200]);
    const s = new Float32Array([0.9, 0.8]);
    expect(mergeAcrossRegions(b, s, 2, new Uint8Array(2))).toBe(2);
  });
});
