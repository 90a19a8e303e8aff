import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateMot } from './mot-evaluator.ts';
import { gtFormatOf, parseMotText } from './mot-file.ts';
import { readMotFile } from './mot-io.ts';

const MOT = fileURLToPath(new URL('../../../../shared/fixtures/mot/', import.meta.url));

describe('evaluateMot on the py-motmetrics / TrackEval TUD-Campus sample', () => {
  const gt = readMotFile(`${MOT}TUD-Campus/gt.txt`);
  const res = readMotFile(`${MOT}TUD-Campus/reference-tracker-output.txt`);
  const m = evaluateMot(gt, res);

  it('reads the CRLF ground truth as MOT15', () => {
    expect(readFileSync(`${MOT}TUD-Campus/gt.txt`, 'utf8')).toContain('\r\n');
    expect(gtFormatOf(gt)).toBe('mot15');
    expect(gt.badLines).toBe(0);
    expect(m.numGtBoxes).toBe(359);
  });

  it('reproduces py-motmetrics CLEAR and identity figures', () => {
    const expected = { IDF1: 55.8, IDP: 73.0, IDR: 45.1, Recall: 58.2, Precision: 94.1, MOTA: 52.6 };
    for (const [k, v] of Object.entries(expected)) expect(Math.abs(m[k as keyof typeof expected] - v), k).toBeLessThan(0.1);
    expect({ GT: m.GT, MT: m.MT, PT: m.PT, ML: m.ML, FP: m.FP, FN: m.FN, IDSW: m.IDSW, Frag: m.Frag }).toEqual({
      GT: 8, MT: 1, PT: 6, ML: 1, FP: 13, FN: 150, IDSW: 7, Frag: 7,
    });
  });

  it('reproduces the official TrackEval HOTA figures', () => {
    const expected = {
      HOTA: 39.14, DetA: 41.805, AssA: 36.912, LocA: 77.005, DetRe: 44.158, DetPr: 71.408, AssRe: 38.322, AssPr: 75.405, MOTP: 72.28,
    };
    for (const [k, v] of Object.entries(expected)) expect(Math.abs(m[k as keyof typeof expected] - v), k).toBeLessThan(0.01);
  });

  it('gives the same result for an LF copy and for shuffled result lines', () => {
    const lf = parseMotText(readFileSync(`${MOT}TUD-Campus/gt.txt`, 'utf8').replace(/\r/g, ''));
    const lines = readFileSync(`${MOT}TUD-Campus/reference-tracker-output.txt`, 'utf8').trim().split('\n');
    lines.reverse();
    const shuffled = parseMotText(lines.join('\n'));
    const m2 = evaluateMot(lf, shuffled);
    expect(m2.MOTA).toBeCloseTo(m.MOTA, 9);
    expect(m2.HOTA).toBeCloseTo(m.HOTA, 9);
    expect(m2.IDF1).toBeCloseTo(m.IDF1, 9);
  });
});

describe('evaluateMot conventions', () => {
  it('MOT16/17 gt: scores consider=1 class=1 only, drops results on ignore regions (2, 7, 8, 12)', () => {
    const gt = parseMotText(
      [
        '1,1,0,0,10,20,1,1,1', // evaluated pedestrian
        '1,2,100,0,10,20,1,7,1', // static person: ignore region
        '1,3,200,0,10,20,0,1,1', // pedestrian not considered
        '1,4,300,0,10,20,1,3,1', // car: neither evaluated nor an ignore region
      ].join('\r\n'),
    );
    expect(gtFormatOf(gt)).toBe('mot16');
    const res = parseMotText(
      ['1,10,0,0,10,20,1,-1,-1,-1', '1,11,100,0,10,20,1,-1,-1,-1', '1,12,200,0,10,20,1,-1,-1,-1', '1,13,300,0,10,20,1,-1,-1,-1'].join('\n'),
    );
    const m = evaluateMot(gt, res);
    expect(m.numGtBoxes).toBe(1);
    expect(m.ignoredRes).toBe(1);
    expect(m.numMatches).toBe(1);
    // The box on the non-considered pedestrian and on the car stay as false positives (devkit behaviour).
    expect(m.FP).toBe(2);
    expect(m.FN).toBe(0);
  });

  it('MOT15 gt: conf 0 rows are not evaluated', () => {
    const gt = parseMotText('1,1,0,0,10,20,1,-1,-1,-1\n1,2,50,0,10,20,0,-1,-1,-1\n');
    const res = parseMotText('1,5,0,0,10,20,1,-1,-1,-1\n');
    const m = evaluateMot(gt, res);
    expect(m.numGtBoxes).toBe(1);
    expect(m.MOTA).toBe(100);
    expect(m.HOTA).toBeCloseTo(100, 6);
  });

  it('counts an identity switch, a fragmentation and IDF1 on a hand-made case', () => {
    // One person for 4 frames; the tracker follows with id 1, loses it on frame 3, comes back as id 2.
    const gt = parseMotText('1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n3,1,0,0,10,10,1\n4,1,0,0,10,10,1\n');
    const res = parseMotText('1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n4,2,0,0,10,10,1\n');
    const m = evaluateMot(gt, res);
    expect(m.IDSW).toBe(1);
    expect(m.Frag).toBe(1);
    expect(m.FN).toBe(1);
    expect(m.MOTA).toBeCloseTo(50, 9);
    // IDTP 2 (id 1 on two frames): IDF1 = 2*2 / (4 + 3).
    expect(m.IDF1).toBeCloseTo((100 * 4) / 7, 9);
  });

});
