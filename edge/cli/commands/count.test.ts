// `footfall count` end to end through the real CLI binary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/footfall.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../fixtures/analytics/', import.meta.url));
const PETS = fileURLToPath(new URL('../../../../shared/fixtures/mot/PETS09-S2L1/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'footfall-count-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function footfall(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FOOTFALL_LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('footfall count', () => {
  it('counts the hand-built door scenarios exactly (--json shape from the issue)', () => {
    const r = footfall(['count', '--mot', join(FIXTURES, 'door-scenarios.txt'), '--config', join(FIXTURES, 'door.yaml'), '--fps', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      lines: { door: { in: 5, out: 2 } },
      zones: { street: { visits: 8, meanDwellMs: 1038 }, hall: { visits: 7, meanDwellMs: 1943 } },
      paths: { 'street>hall': 6, 'hall>street': 2 },
    });
  });

  it('reads the frame rate from seqinfo.ini and counts the PETS09-S2L1 ground truth', () => {
    const r = footfall(['count', '--mot', join(PETS, 'gt.txt'), '--config', join(FIXTURES, 'pets09-s2l1.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('19 tracks, 795 frames at 7 fps, camera pets09');
    expect(r.stdout).toContain('line west-path: in 7, out 5');
    expect(r.stdout).toContain('line plaza: in 15, out 11');
    expect(r.stdout).toContain('line east-road: in 3, out 4');
  });

  it('counts on the floor for a calibrated camera: a far step of 0.45 m over the line counts, as a near one', () => {
    // A level camera 4 m up: floor (x, z) m -> u = 960 + 972 x / z, v = 86.4 + 3888 / z; people 1.7 m.
    const project = (x: number, z: number) => [960 + (972 * x) / z, 86.4 + 3888 / z] as const;
    const rows: string[] = [];
    let frame = 1;
    // At 20 m depth: 0.45 m over the line and back is 4 px in the image, inside the 8 px band.
    for (const z of [18.5, 19, 19.5, 19.8, 20.1, 20.3, 20.45, 20.45, 20.45, 20.3, 20.1, 19.8, 19.5, 19, 18.5]) {
      const [u, v] = project(0, z);
      const h = (1.7 * 972) / z;
      rows.push(`${frame++},1,${(u - 0.2 * h).toFixed(2)},${(v - h).toFixed(2)},${(0.4 * h).toFixed(2)},${h.toFixed(2)},1,-1,-1,-1`);
    }
    writeFileSync(join(tmp, 'far-step.txt'), `${rows.join('\n')}\n`);
    const points = [[-2, 4.5], [2, 4.5], [-6, 25], [6, 25]].map(([x, z]) => [...project(x!, z!), x, z]);
    const [a, b] = [project(-3, 20), project(3, 20)];
    const line = `    lines:\n      - { name: far, points: [[${a[0]}, ${a[1]}], [${b[0]}, ${b[1]}]], bandNoiseBoxFraction: 0, holdS: 0, minSideMs: 0 }\n`;
    const calibrated = `cameras:\n  - name: hall\n    calibration:\n      points: ${JSON.stringify(points)}\n${line}`;
    writeFileSync(join(tmp, 'floor.yaml'), calibrated);
    writeFileSync(join(tmp, 'image.yaml'), `cameras:\n  - name: hall\n${line}`);
    const floor = footfall(['count', '--mot', join(tmp, 'far-step.txt'), '--config', join(tmp, 'floor.yaml'), '--fps', '10', '--json']);
    expect(floor.code, floor.stderr).toBe(0);
    expect(JSON.parse(floor.stdout).lines.far).toEqual({ in: 1, out: 1 });
    const image = footfall(['count', '--mot', join(tmp, 'far-step.txt'), '--config', join(tmp, 'image.yaml'), '--fps', '10', '--json']);
    expect(image.code, image.stderr).toBe(0);
    expect(JSON.parse(image.stdout).lines.far).toEqual({ in: 0, out: 0 });
  });

  it('asks for --camera when the config has several cameras', () => {
    const cfg = join(tmp, 'two.yaml');
    writeFileSync(cfg, 'cameras:\n  - name: a\n    url: x\n  - name: b\n    url: y\n');
    const r = footfall(['count', '--mot', join(FIXTURES, 'door-scenarios.txt'), '--config', cfg]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('has 2 cameras (a, b); choose one with --camera');
    const u = footfall(['count', '--mot', join(FIXTURES, 'door-scenarios.txt'), '--config', cfg, '--camera', 'c']);
    expect(u.stderr).toContain('--camera "c" is not in');
  });

  it('counts a messy track file (frames out of order, gaps, a repeated id in a frame, boxes outside the image) with a camera that has no url', () => {
    // Person 1 walks down through the door (in) with a 3-frame gap; rows are shuffled; frame 6
    // repeats id 1 far away (a broken file), which is dropped and reported; person 2 is
    // partly outside the image (negative x) and crosses up (out).
    const rows = [
      '6,1,190,95,20,50', '1,1,190,-10,20,50', '3,1,190,20,20,50', '2,1,190,5,20,50', '6,1,5000,5000,20,50',
      '10,1,190,140,20,50', '11,1,190,160,20,50', '12,1,190,170,20,50',
      '1,2,-5,200,20,50', '2,2,-5,170,20,50', '3,2,-5,140,20,50', '4,2,-5,100,20,50', '5,2,-5,60,20,50', '6,2,-5,30,20,50',
    ];
    const mot = join(tmp, 'messy.txt');
    writeFileSync(mot, `${rows.join('\n')}\n`);
    const cfg = join(tmp, 'messy.yaml');
    writeFileSync(cfg, 'cameras:\n  - name: door\n    fps: 10\n    lines:\n      - name: door\n        points: [[0, 100], [300, 100]]\n');
    const r = footfall(['count', '--mot', mot, '--config', cfg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).lines).toEqual({ door: { in: 1, out: 1 } });
    expect(r.stderr).toContain('1 rows repeat an id already seen in the same frame; the first row of each was kept');
  });

  it('reports bad lines by number, rejects a file with no box and bad geometry with one clear line', () => {
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, '1,1,10,10,5,5\n2,1,ten,10,5,5\n');
    const r = footfall(['count', '--mot', bad, '--config', join(FIXTURES, 'door.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('bad.txt: 1 bad line skipped (line 2: a row is frame,id,x,y,w,h');
    const notMot = join(tmp, 'not-mot.txt');
    writeFileSync(notMot, 'frame;id;x;y\n1;1;10;10\n');
    const n = footfall(['count', '--mot', notMot, '--config', join(FIXTURES, 'door.yaml')]);
    expect(n.code).not.toBe(0);
    expect(n.stderr).toContain('not-mot.txt: not a MOT file: none of its 2 lines is a box');
    const cfg = join(tmp, 'degenerate.yaml');
    writeFileSync(cfg, 'cameras:\n  - name: a\n    url: x\n    lines:\n      - name: door\n        points: [[5, 5], [5, 5]]\n');
    const g = footfall(['count', '--mot', bad, '--config', cfg]);
    expect(g.code).not.toBe(0);
    expect(g.stderr).toContain('cameras[0].lines[0].points: is degenerate');
  });
});
