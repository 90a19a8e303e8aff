import { describe, expect, it } from 'vitest';
import { handoverSection } from '../config/index.ts';
import type { FragmentChunk } from './fragment.ts';
import { PathTally } from './path-tally.ts';
import { Stitcher } from './stitcher.ts';
import { floorZonesOf } from './zone-visits.ts';

const rect = (name: string, x0: number, x1: number, y0 = -1.5, y1 = 1.5) => ({ name, polygon: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as Array<[number, number]> });
const ZONES = floorZonesOf([rect('A', 1, 6), rect('B', 16, 21), rect('C', 31, 36)]);

/** A person walking along y = lane from x0 at `speed`, pausing `dwellS` in each zone centre passed. */
function walkSamples(startMs: number, x0: number, x1: number, lane: number, speed = 1.2): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let t = 0, x = x0; x <= x1; t += 200, x += (speed * 200) / 1000) out.push([startMs + t, x, lane]);
  return out;
}

/** Cuts a person's samples into the fragments of cameras seeing x in [a, b). */
function seen(samples: Array<[number, number, number]>, box: string, camera: string, fragment: number, a: number, b: number): FragmentChunk {
  const s = samples.filter(([, x]) => x >= a && x < b);
  return { box, camera, fragment, t: s.map((p) => p[0]), x: s.map((p) => p[1]), y: s.map((p) => p[2]), ended: true };
}

function run(chunks: FragmentChunk[], handover = true, config: Partial<ReturnType<typeof handoverSection.parse>> = {}) {
  const tally = new PathTally();
  const st = new Stitcher({ zones: ZONES, handover: { ...handoverSection.parse({}), ...config }, visitMinS: 3, sampleMs: 200, handoverEnabled: handover }, tally);
  for (const c of chunks) st.add(c);
  st.finish();
  return { ...tally.total(), counters: st.counters };
}

describe('Stitcher', () => {
  it('hands a person over between overlapping views: A>B>C across three cameras, none without hand-over', () => {
    const p = walkSamples(0, 0, 40, 0, 1.0);
    const chunks = [seen(p, 'box', 'cam1', 1, 0, 14), seen(p, 'box', 'cam2', 1, 10, 28), seen(p, 'box', 'cam3', 1, 24, 40)];
    const r = run(chunks);
    expect(r.transitions).toEqual({ 'A>B': 1, 'B>C': 1 });
    expect(r.sequences).toEqual({ 'A>B>C': 1 });
    expect(r.counters.overlapJoins).toBe(2);
    const base = run(chunks, false);
    expect(base.transitions).toEqual({});
    expect(base.visits).toEqual(r.visits);
  });

  it('joins across a gap between views when the walk fits, not when it would need to run', () => {
    const p = walkSamples(0, 0, 40, 0, 1.0);
    const gap = [seen(p, 'box', 'cam1', 1, 0, 10), seen(p, 'box', 'cam2', 1, 14, 27), seen(p, 'box', 'cam3', 1, 30, 40)];
    const r = run(gap);
    expect(r.transitions).toEqual({ 'A>B': 1, 'B>C': 1 });
    expect(r.counters.gapJoins).toBe(2);
    // The same fragments with the second one 20 s late: 4 m in 24 s is a plausible walk only within maxGapS.
    const late = gap.map((c, i) => (i === 1 ? { ...c, t: Array.from(c.t, (t) => t + 20_000) } : c));
    expect(run(late).counters.gapJoins).toBe(0);
    // A fragment starting 30 m away 2 s later is impossible.
    const far = [seen(p, 'box', 'cam1', 1, 0, 10), { ...seen(p, 'box', 'cam3', 1, 30, 40), t: Array.from(seen(p, 'box', 'cam3', 1, 30, 40).t, (t, i) => 12_000 + 200 * i) }];
    expect(run(far).counters.gapJoins).toBe(0);
  });

  it('cuts instead of guessing when two people cross a gap side by side', () => {
    const p = walkSamples(0, 0, 40, -0.2, 1.0);
    const q = walkSamples(0, 0, 40, 0.2, 1.0);
    const r = run([seen(p, 'box', 'cam1', 1, 0, 10), seen(q, 'box', 'cam1', 2, 0, 10), seen(p, 'box', 'cam2', 1, 14, 40), seen(q, 'box', 'cam2', 2, 14, 40)]);
    expect(r.counters.cuts).toBeGreaterThan(0);
    expect(r.counters.gapJoins).toBe(0);
    expect(r.transitions).toEqual({ 'B>C': 2 });
  });

  it('keeps two people apart when they are far enough apart to tell', () => {
    const p = walkSamples(0, 0, 40, -1.2, 1.0);
    const q = walkSamples(0, 0, 40, 1.2, 1.0);
    const r = run([seen(p, 'box', 'cam1', 1, 0, 14), seen(q, 'box', 'cam1', 2, 0, 14), seen(p, 'box', 'cam2', 1, 10, 40), seen(q, 'box', 'cam2', 2, 10, 40)]);
    expect(r.counters.cuts).toBe(0);
    expect(r.transitions).toEqual({ 'A>B': 2, 'B>C': 2 });
  });

  it('gives the same paths whatever order and grouping the chunks arrive in', () => {
    const people = Array.from({ length: 6 }, (_, i) => walkSamples(i * 7000, 0, 40, (i % 3) - 1, 0.9 + 0.1 * (i % 4)));
    const chunks = people.flatMap((p, i) => [seen(p, 'a', 'cam1', i + 1, 0, 14), seen(p, 'a', 'cam2', i + 1, 10, 27), seen(p, 'b', 'cam3', i + 1, 30, 40)]);
    const one = run(chunks);
    const shuffled = run([...chunks].reverse());
    expect(one.transitions).toEqual(shuffled.transitions);
    expect(one.sequences).toEqual(shuffled.sequences);
    expect(Object.values(one.transitions).reduce((a, b) => a + b, 0)).toBeGreaterThan(6);
  });
});
