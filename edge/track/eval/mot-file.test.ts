import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trackerSection } from '../../config/sections/tracker.ts';
import { ByteTracker } from '../index.ts';
import { describeBadLines, parseMotText } from './mot-file.ts';
import { readMotFile, writeMotResults } from './mot-io.ts';
import { encodeResults, packDetections, resultText, runTracker, type TrackRunResult } from './mot-runner.ts';

const MOT = fileURLToPath(new URL('../../../../shared/fixtures/mot/', import.meta.url));

/** The plain way to read a MOT line: split the text, Number() each field. */
function plainRows(text: string): number[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(/\s*[,\s]\s*/).map(Number));
}

describe('parseMotBytes / readMotFile', () => {
  it('reads every shared fixture exactly as Number() reads each field, in stable frame order', () => {
    const files = readdirSync(MOT).flatMap((seq) => readdirSync(join(MOT, seq)).filter((f) => f.endsWith('.txt') && f !== 'cam_para.txt').map((f) => join(MOT, seq, f)));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const t = readMotFile(file);
      const rows = plainRows(readFileSync(file, 'utf8'));
      expect(t.badLines, file).toBe(0);
      expect(t.count, file).toBe(rows.length);
      const order = rows.map((_, i) => i).sort((a, b) => rows[a]![0]! - rows[b]![0]! || a - b);
      for (let k = 0; k < t.count; k++) {
        const r = rows[order[k]!]!;
        if (t.frame[k] !== r[0] || t.id[k] !== r[1] || t.box[4 * k] !== r[2] || t.box[4 * k + 1] !== r[3] || t.box[4 * k + 2] !== r[4] || t.box[4 * k + 3] !== r[5] || t.conf[k] !== (r.length > 6 ? r[6] : 1)) {
          expect.fail(`${file} row ${k}: ${[t.frame[k], t.id[k], ...t.box.subarray(4 * k, 4 * k + 4), t.conf[k]]} vs ${r}`);
        }
      }
      expect(t.frames.length).toBe(new Set(rows.map((r) => r[0])).size);
    }
  });

  it('takes CRLF, blanks around commas, blank separators, a BOM, comments and numbers Number() takes', () => {
    const t = parseMotText('\uFEFF# comment\r\n2 , 7, 1e1, -0.5,  10 ,20\r\n1\t3\t.5\t+2\t3.25\t4.125\t0.9\r\n');
    expect(t.badLines).toBe(0);
    expect(Array.from(t.frame)).toEqual([1, 2]);
    expect(Array.from(t.id)).toEqual([3, 7]);
    expect(Array.from(t.box)).toEqual([0.5, 2, 3.25, 4.125, 10, -0.5, 10, 20]);
    expect(Array.from(t.conf)).toEqual([0.9, 1]);
    expect(t.columns).toBe(6);
  });

  it('skips, counts and numbers bad lines: too few fields, not numbers, no area, frame < 1, fractional id, empty fields', () => {
    const t = parseMotText(
      ['1,1,0,0,10,10,1', 'foo', '2,1,0,0,NaN,10,1', '3,1,0,0,-4,10,1', '', '0,1,0,0,10,10', '4,1.5,0,0,10,10', '4,1,0,0,10', '4,1,0,,10,10', '4,1,0,0,10,10,'].join('\n'),
    );
    expect(t.count).toBe(1);
    expect(t.badLines).toBe(8);
    expect(t.badLineNumbers).toEqual([2, 3, 4, 6, 7, 8, 9, 10]);
    expect(describeBadLines(t)).toMatch(/^8 bad lines skipped \(lines 2, 3, 4, 6, 7, 8, 9, 10: a row is frame,id,x,y,w,h/);
  });

  it('refuses a file it cannot read, or one without a single box, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mot-file-'));
    expect(() => readMotFile(join(dir, 'missing.txt'))).toThrow(/cannot read MOT file .*missing\.txt/);
    const json = join(dir, 'tracks.json');
    writeFileSync(json, '{"frame": 1,\n "boxes": []}\n');
    expect(() => readMotFile(json)).toThrow(/tracks\.json: not a MOT file: none of its 2 lines is a box \(first bad line 1/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect(readMotFile(empty).count).toBe(0);
  });
});

describe('encodeResults / writeMotResults', () => {
  it('writes the digits of String(Math.round(v * 100) / 100) for awkward values', () => {
    const values = [0, -0, -0.001, 0.005, 0.015, 1.005, -1.005, 12.5, 12.05, -12.345, 1919.999, 2 ** 31, 123456789.126, 1e16, Number.NaN, Infinity, -Infinity, 3.3000001907348633];
    const n = values.length;
    const run: TrackRunResult = {
      rows: n,
      frame: Int32Array.from(values, (_, i) => i * 97 + 1),
      id: Int32Array.from(values, (_, i) => (i % 2 ? -1 : 2_147_483_647 - i)),
      box: new Float32Array(4 * n),
      score: new Float32Array(n),
      frames: n,
      trackMs: 0,
      tracker: new ByteTracker(trackerSection.parse({})),
    };
    // Float32 boxes and scores, as the tracker writes them; f64 values go through the same rounding.
    values.forEach((v, i) => {
      run.box.set([v, -v, v * 3, v / 7], 4 * i);
      run.score[i] = v;
    });
    const f2 = (v: number) => Math.round(v * 100) / 100;
    const expected = values.map((_, i) => `${run.frame[i]},${run.id[i]},${[...run.box.subarray(4 * i, 4 * i + 4)].map(f2).join(',')},${f2(run.score[i]!)},-1,-1,-1\n`).join('');
    expect(resultText(run)).toBe(expected);
  });

  it('writes a long run in several chunks to the same bytes as the text', () => {
    const det = readMotFile(join(MOT, 'MOT17-05', 'det.txt'));
    const run = runTracker(packDetections(det), trackerSection.parse({}), 14);
    let chunks = 0;
    const bytes: number[] = [];
    encodeResults(run, (c) => {
      chunks++;
      bytes.push(...c);
    }, 4096);
    expect(new TextDecoder().decode(Uint8Array.from(bytes))).toBe(resultText(run));
    expect(chunks).toBeGreaterThan(1);
    const dir = mkdtempSync(join(tmpdir(), 'mot-write-'));
    writeMotResults(join(dir, 'res.txt'), run);
    expect(readFileSync(join(dir, 'res.txt'), 'utf8')).toBe(resultText(run));
    const back = parseMotText(resultText(run));
    expect(back.count).toBe(run.rows);
  });
});
