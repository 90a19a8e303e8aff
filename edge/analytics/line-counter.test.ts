import { describe, expect, it } from 'vitest';
import type { LineConfig } from '../config/sections/analytics.ts';
import { runCount } from './offline/index.ts';
import { crossSide } from '../shared/geometry.ts';
import { chain, tracksOf, walk, type FootPath } from './offline/index.ts';

// Horizontal line A=(100,100) -> B=(300,100): cross = 200 * (Py - 100), so below (y > 100)
// is the positive side and walking down the image is `in`.
const DOOR: LineConfig = { name: 'door', points: [[100, 100], [300, 100]], minDistancePx: 8, minSideMs: 250, bandM: 0.15, holdS: 0.25, bandNoiseBoxFraction: 0.06, minDistanceBoxFraction: 0, role: 'count', intoSite: 'in' };

function count(paths: FootPath[], line: LineConfig = DOOR, relink = { relinkMaxGapMs: 1_500, relinkRadiusPx: 60, staleTrackMs: 10_000 }) {
  const r = runCount({ tracks: tracksOf(paths), camera: { name: 'cam', lines: [line], zones: [] }, fps: 10, analytics: relink });
  const crossings = r.events.filter((e) => e.type === 'line.cross').map((e) => `${e.data.direction}:${e.data.trackId}`);
  return { ...r.totals.lines[line.name]!, crossings, events: r.events };
}

describe('sign convention', () => {
  it('follows cross(B - A, P - A) with y down: in = negative to positive', () => {
    expect(crossSide(100, 100, 300, 100, 200, 150)).toBeGreaterThan(0);
    expect(crossSide(100, 100, 300, 100, 200, 50)).toBeLessThan(0);
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 50], [200, 150], 11) }])).toMatchObject({ in: 1, out: 0 });
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 150], [200, 50], 11) }])).toMatchObject({ in: 0, out: 1 });
  });

  it('reverses with the line direction B -> A', () => {
    const reversed: LineConfig = { ...DOOR, points: [[300, 100], [100, 100]] };
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 50], [200, 150], 11) }], reversed)).toMatchObject({ in: 0, out: 1 });
  });

  it('emits line.cross events with line, direction and trackId', () => {
    const r = count([{ id: 7, startFrame: 1, points: walk([200, 50], [200, 150], 11) }]);
    const e = r.events.find((x) => x.type === 'line.cross')!;
    expect(e).toMatchObject({ type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: 7 } });
    // Confirmed once 8 px beyond: the frame at y = 110 (frame 7, 600 ms at 10 fps).
    expect(e.tsMs).toBe(600);
  });
});

describe('jitter and hysteresis', () => {
  it('counts a track wobbling on the line once', () => {
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 20; i++) pts.push([200, 50 + i * 2.5]); // approach to y = 97.5
    for (let i = 0; i < 40; i++) pts.push([200 + i, 100 + (i % 2 === 0 ? 5 : -5)]); // wobble +-5 across the line
    for (let i = 1; i <= 20; i++) pts.push([240, 100 + i * 3]); // leave below
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 1, out: 0 });
  });

  it('does not count walking along the line inside the band', () => {
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 100; i++) pts.push([80 + i * 2.5, 100 + 6 * Math.sin(i)]);
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 0 });
  });

  it('with minDistancePx 0 counts every pass through the segment', () => {
    const pts: Array<[number, number]> = [[200, 95], [200, 105], [200, 95], [200, 105]];
    expect(count([{ id: 1, startFrame: 1, points: pts }], { ...DOOR, minDistancePx: 0, minSideMs: 0 })).toMatchObject({ in: 2, out: 1 });
  });

  it('does not count a U-turn that never leaves the band', () => {
    const pts = chain(walk([200, 50], [200, 105], 12), walk([200, 105], [200, 50], 12));
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 0 });
  });

  it('counts walking back as an in then an out', () => {
    const pts = chain(walk([200, 50], [200, 150], 11), walk([200, 150], [210, 40], 12));
    const r = count([{ id: 3, startFrame: 1, points: pts }]);
    expect(r).toMatchObject({ in: 1, out: 1 });
    expect(r.crossings).toEqual(['in:3', 'out:3']);
  });
});

describe('segment extent', () => {
  it('counts crossings exactly through the end points', () => {
    expect(count([{ id: 1, startFrame: 1, points: walk([100, 50], [100, 150], 11) }])).toMatchObject({ in: 1 });
    expect(count([{ id: 1, startFrame: 1, points: walk([300, 150], [300, 50], 11) }])).toMatchObject({ out: 1 });
  });

  it('does not count passing just beyond an end point', () => {
    expect(count([{ id: 1, startFrame: 1, points: walk([99, 50], [99, 150], 11) }])).toMatchObject({ in: 0, out: 0 });
    expect(count([{ id: 1, startFrame: 1, points: walk([301, 50], [301, 150], 11) }])).toMatchObject({ in: 0, out: 0 });
  });

  it('judges a diagonal step by where it meets the line', () => {
    // (90, 95) -> (110, 105) meets y = 100 at x = 100: on the end point A.
    expect(count([{ id: 1, startFrame: 1, points: [[80, 40], [90, 95], [110, 105], [120, 160]] }])).toMatchObject({ in: 1 });
    // (80, 95) -> (98, 105) meets y = 100 at x = 89: outside.
    expect(count([{ id: 1, startFrame: 1, points: [[70, 40], [80, 95], [98, 105], [110, 160]] }])).toMatchObject({ in: 0 });
  });

  it('walking around the end then back through the segment counts only the real crossing', () => {
    const pts = chain(walk([200, 50], [50, 50], 10), walk([50, 50], [50, 150], 10), walk([50, 150], [200, 150], 10), walk([200, 150], [200, 50], 10));
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 1 });
  });
});

describe('far from the line (lines only see points near them)', () => {
  it('a walk around the far end, out of the line\'s reach, then back through the segment counts once', () => {
    const pts = chain(walk([200, 50], [700, 50], 20), walk([700, 50], [700, 150], 10), walk([700, 150], [200, 150], 20), walk([200, 150], [200, 50], 10));
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 1 });
  });

  it('a track born far away whose first step jumps over the segment counts', () => {
    const line: LineConfig = { ...DOOR, points: [[100, 300], [300, 300]], minSideMs: 0 };
    expect(count([{ id: 1, startFrame: 1, points: [[200, 60], [200, 540], [200, 560]] }], line)).toMatchObject({ in: 1, out: 0 });
  });

  it('a jump over the segment between two points far from it (a gap) still counts', () => {
    const line: LineConfig = { ...DOOR, points: [[100, 300], [300, 300]] };
    const pts: Array<[number, number] | null> = [...walk([200, 60], [200, 100], 5), null, null, ...walk([200, 500], [200, 540], 5)];
    expect(count([{ id: 1, startFrame: 1, points: pts }], line)).toMatchObject({ in: 1, out: 0 });
  });
});

describe('lost and found', () => {
  it('does not count a track lost and re-found on the same side', () => {
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 40], [200, 85], 10) },
      { id: 2, startFrame: 13, points: walk([205, 88], [205, 30], 10) },
    ];
    expect(count(paths)).toMatchObject({ in: 0, out: 0 });
  });

  it('counts a track lost on one side and re-found on the other once, as one person', () => {
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 40], [200, 90], 10) },
      { id: 2, startFrame: 14, points: walk([200, 115], [200, 170], 10) },
    ];
    const r = count(paths);
    expect(r).toMatchObject({ in: 1, out: 0 });
    expect(r.crossings).toEqual(['in:1']);
  });

  it('without relinking a new id on the far side cannot know it crossed', () => {
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 40], [200, 90], 10) },
      { id: 2, startFrame: 14, points: walk([200, 115], [200, 170], 10) },
    ];
    expect(count(paths, DOOR, { relinkMaxGapMs: 0, relinkRadiusPx: 0, staleTrackMs: 10_000 })).toMatchObject({ in: 0, out: 0 });
  });

  it('does not relink a new track far away or after the gap window', () => {
    const far: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 40], [200, 90], 10) },
      { id: 2, startFrame: 14, points: walk([280, 160], [280, 170], 10) },
    ];
    expect(count(far)).toMatchObject({ in: 0 });
    const late: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 40], [200, 90], 10) },
      { id: 2, startFrame: 40, points: walk([200, 115], [200, 170], 10) },
    ];
    expect(count(late)).toMatchObject({ in: 0 });
  });

  it('relinks a person who reappears where their walk leads, beyond the fixed radius', () => {
    // 60 px/s down; lost 1.5 s before the line, back as a new id 90 px further on.
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([200, 26], [200, 80], 10) },
      { id: 2, startFrame: 25, points: walk([200, 170], [200, 224], 10) },
    ];
    expect(count(paths, DOOR, { relinkMaxGapMs: 3_000, relinkRadiusPx: 60, staleTrackMs: 10_000 })).toMatchObject({ in: 1, out: 0, crossings: ['in:1'] });
    // Where they were last seen is 90 px away: a fixed 60 px radius without prediction misses them.
    const fixed = { relinkMaxGapMs: 3_000, relinkRadiusPx: 60, relinkRadiusBoxesPerS: 0, relinkPredictMaxMs: 0, staleTrackMs: 10_000 };
    expect(count(paths, DOOR, fixed)).toMatchObject({ in: 0, out: 0 });
  });

  it('does not continue a track that left through the edge of a frame of known size', () => {
    // A vertical line at x = 380 in a 400 x 300 frame; person 1 crosses it walking right and
    // leaves through the right edge; person 2 appears 0.3 s later just left of the line.
    const line: LineConfig = { name: 'exit', points: [[380, 0], [380, 300]], minDistancePx: 8, minSideMs: 250, bandM: 0.15, holdS: 0.25, bandNoiseBoxFraction: 0.06, minDistanceBoxFraction: 0, role: 'count', intoSite: 'in' };
    const paths: FootPath[] = [
      { id: 1, startFrame: 1, points: walk([330, 150], [395, 150], 30) },
      { id: 2, startFrame: 33, points: walk([360, 150], [300, 150], 20) },
    ];
    const run = (size: { width?: number; height?: number }) =>
      runCount({ tracks: tracksOf(paths), camera: { name: 'cam', lines: [line], zones: [], ...size }, fps: 10 }).totals.lines.exit;
    // cross(B - A, P - A) = 300 * (380 - Px): left of the line is positive, so walking right is `out`.
    expect(run({ width: 400, height: 300 })).toEqual({ in: 0, out: 1 });
    // Without the frame size the edge is unknown: person 2 continues person 1 and "crosses back".
    expect(run({})).toEqual({ in: 1, out: 1 });
  });

  it('counts a track with a gap (same id) that reappears across the line', () => {
    const pts: Array<[number, number] | null> = [...walk([200, 40], [200, 90], 10), null, null, null, ...walk([200, 115], [200, 170], 10)];
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 1, out: 0 });
  });
});

describe('crowds', () => {
  it('counts a crowd crossing at once in both directions exactly', () => {
    const paths: FootPath[] = [];
    for (let k = 0; k < 40; k++) {
      const x = 102 + k * 4.9; // spread along the door, 4.9 px apart
      paths.push({ id: 100 + k, startFrame: 1, points: walk([x, 20], [x, 180], 17) });
    }
    for (let k = 0; k < 25; k++) {
      const x = 104 + k * 7.5;
      paths.push({ id: 200 + k, startFrame: 1, points: walk([x, 185], [x, 15], 17) });
    }
    expect(count(paths)).toMatchObject({ in: 40, out: 25 });
  });

  it('a track born in the band keeps its pending crossing when it dips back into the band', () => {
    // Born at y = 97 (negative side, inside the band), beyond at 112, back in the band at 104, then away.
    const pts: Array<[number, number]> = [[200, 97], [200, 112], [200, 104], [200, 115], [200, 130], [200, 150], [200, 170]];
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 1, out: 0 });
  });

  it('a track born inside the band counts by the side it was born on', () => {
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 97], [200, 150], 10) }])).toMatchObject({ in: 1 });
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 103], [200, 150], 10) }])).toMatchObject({ in: 0, out: 0 });
  });
});

describe('minimum time on the new side', () => {
  it('ignores a one-frame jump across the line and back (box glitch)', () => {
    const pts: Array<[number, number]> = [...walk([200, 40], [200, 85], 10), [200, 120], ...walk([200, 86], [200, 40], 10)];
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 0 });
    // With minSideMs 0 the glitch counts as an in and an out.
    expect(count([{ id: 1, startFrame: 1, points: pts }], { ...DOOR, minSideMs: 0 })).toMatchObject({ in: 1, out: 1 });
  });

  it('ignores a one-frame jump across that returns into the band on the old side', () => {
    const pts: Array<[number, number]> = [...walk([200, 40], [200, 90], 10), [200, 112], ...walk([200, 95], [200, 96], 6), ...walk([200, 90], [200, 40], 6)];
    expect(count([{ id: 1, startFrame: 1, points: pts }])).toMatchObject({ in: 0, out: 0 });
  });

  it('counts a crossing whose track ends before minSideMs has passed', () => {
    expect(count([{ id: 1, startFrame: 1, points: walk([200, 40], [200, 115], 16) }])).toMatchObject({ in: 1 });
  });
});

describe('box-relative band', () => {
  it('widens the band for tall boxes when minDistanceBoxFraction is set', () => {
    // Boxes are 50 px tall: a fraction of 0.4 makes the band 20 px, so a wobble of +-12 px never confirms a side.
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 40; i++) pts.push([120 + i * 4, 100 + (i % 2 === 0 ? 12 : -12)]);
    expect(count([{ id: 1, startFrame: 1, points: pts }], { ...DOOR, minSideMs: 0 })).toMatchObject({ in: 19, out: 20 });
    expect(count([{ id: 1, startFrame: 1, points: pts }], { ...DOOR, minSideMs: 0, minDistanceBoxFraction: 0.4 })).toMatchObject({ in: 0, out: 0 });
  });
});
