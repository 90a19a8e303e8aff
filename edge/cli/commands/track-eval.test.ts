import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MOT = join(ROOT, '..', 'shared', 'fixtures', 'mot');
const BIN = join(ROOT, 'bin', 'footfall.js');
const dir = mkdtempSync(join(tmpdir(), 'footfall-track-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function footfall(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('footfall track --calibration (floor tracking)', () => {
  it('tracks MOT16-09 on the floor with its cam_para file, with a better IDF1 than in the image', async () => {
    const det = join(MOT, 'MOT16-09', 'det.txt');
    const image = join(dir, 'mot16-09-image.txt');
    const floor = join(dir, 'mot16-09-floor.txt');
    expect((await footfall('track', '--det', det, '--out', image, '--fps', '30')).code).toBe(0);
    const t = await footfall('track', '--det', det, '--out', floor, '--fps', '30', '--width', '1920', '--height', '1080', '--calibration', join(MOT, 'MOT16-09', 'cam_para.txt'));
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/on the floor/);
    const idf1 = async (res: string) => (JSON.parse((await footfall('eval', '--gt', join(MOT, 'MOT16-09', 'gt.txt'), '--res', res, '--json')).stdout.trim()) as { IDF1: number }).IDF1;
    expect(await idf1(floor)).toBeGreaterThan((await idf1(image)) + 3);
  });

  it('names a calibration file that cannot be used, with exit 2', async () => {
    const bad = join(dir, 'bad_cam_para.txt');
    writeFileSync(bad, 'RotationMatrices\n1 0 0\n0 1 0\n');
    const t = await footfall('track', '--det', join(MOT, 'MOT16-09', 'det.txt'), '--out', join(dir, 'x.txt'), '--calibration', bad);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--calibration: .*bad_cam_para\.txt: cam_para: "RotationMatrices" needs 3 rows/);
    const missing = await footfall('track', '--det', join(MOT, 'MOT16-09', 'det.txt'), '--out', join(dir, 'x.txt'), '--calibration', join(dir, 'nope.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--calibration: cannot read .*nope\.txt/);
  });
});

describe('footfall track + footfall eval', () => {
  it('eval reproduces the TUD-Campus reference figures as JSON', async () => {
    const r = await footfall('eval', '--gt', join(MOT, 'TUD-Campus', 'gt.txt'), '--res', join(MOT, 'TUD-Campus', 'reference-tracker-output.txt'), '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout.trim()) as Record<string, number>;
    expect(m.MOTA).toBeCloseTo(52.6, 0);
    expect(m.IDF1).toBeCloseTo(55.8, 0);
    expect(m.HOTA).toBeCloseTo(39.14, 1);
    expect(m).toMatchObject({ FP: 13, FN: 150, IDSW: 7, Frag: 7, MT: 1, PT: 6, ML: 1 });
  });

  it('tracks the unsorted MOT17-05 detections and scores them against MOT17 ground truth', async () => {
    const out = join(dir, 'mot17-05.txt');
    const t = await footfall('track', '--det', join(MOT, 'MOT17-05', 'det.txt'), '--out', out, '--fps', '14', '--width', '640', '--height', '480');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/tracked 837 frames/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^1,\d+,[-\d.]+,[-\d.]+,[\d.]+,[\d.]+,[\d.]+,-1,-1,-1$/);
    const e = await footfall('eval', '--gt', join(MOT, 'MOT17-05', 'gt.txt'), '--res', out, '--json');
    const m = JSON.parse(e.stdout.trim()) as Record<string, number>;
    // Well above node-moving-things-tracker on these detections (44.9 / 44.7 measured in the bench).
    expect(m.MOTA).toBeGreaterThan(46);
    expect(m.IDF1).toBeGreaterThan(52);
  });

  it('survives malformed input lines and rejects bad options with one clear line', async () => {
    const det = join(dir, 'bad.txt');
    writeFileSync(det, '1,-1,10,10,40,100,0.9\r\nnot,a,line\r\n2,-1,12,10,40,100,0.9\r\n2,-1,NaN,1,1,1,1\r\n3,-1,14,10,-40,100,0.9\r\n');
    const out = join(dir, 'bad-res.txt');
    const ok = await footfall('track', '--det', det, '--out', out);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/3 bad lines skipped/);
    expect(ok.stderr).toMatch(/bad\.txt: 3 bad lines skipped \(lines 2, 4, 5: /);
    const bad = await footfall('track', '--det', det, '--out', out, '--max-lost-ms', 'soon');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-lost-ms: must be a number/);
    const missing = await footfall('eval', '--gt', join(dir, 'nope.txt'), '--res', out);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});
