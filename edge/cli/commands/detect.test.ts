// `footfall detect` and `footfall models` end to end through the real CLI binary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/footfall.js', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'footfall-detect-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function footfall(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FOOTFALL_LOG_LEVEL: 'warn' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Json = { count: number; model: string; threshold: number; persons: Array<{ x: number; y: number; w: number; h: number; score: number }> };

describe('footfall detect --image', () => {
  it('passes the three coco-sample checks with the default model', () => {
    const counts = ['coco-sample-0.jpg', 'coco-sample-1.jpg', 'coco-sample-4.jpg'].map((f) => {
      const r = footfall(['detect', '--image', join(SHARED, 'images', f), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as Json;
      expect(j.model).toBe('picodet_s_416_coco');
      expect(j.threshold).toBe(0.5);
      return j;
    });
    expect(counts.map((j) => j.count)).toEqual([4, 2, 0]);
    // coco-sample-1: the pedestrian at the left and the bus driver right of centre.
    expect(counts[1]!.persons.map((p) => p.x < 100)).toEqual([true, false]);
  });

  it('draws the boxes with --out', async () => {
    const out = join(tmp, 'bus.png');
    const r = footfall(['detect', '--image', join(SHARED, 'images', 'bus.jpg'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^3 persons in .*bus\.jpg \(810x1080, model picodet_s_416_coco, threshold 0\.5\)/);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([810, 1080]);
    // The left edge of the first box (x ~50, y 393..904) is drawn in green.
    const { data } = await sharp(out).extract({ left: 50, top: 600, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect(data[1]).toBeGreaterThan(200);
    expect(data[0]).toBeLessThan(60);
  });

  it('fails with one clear line on a non-image, a missing model and a bad flag', () => {
    const notImage = join(tmp, 'notes.png');
    writeFileSync(notImage, 'plain text');
    const a = footfall(['detect', '--image', notImage]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^footfall detect: .*notes\.png is not a readable image/);
    const b = footfall(['detect', '--image', notImage, '--model', 'no-such-model']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/unknown model "no-such-model"; known models:/);
    const c = footfall(['detect', '--image', notImage, '--threshold', 'high']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--threshold must be a number between 0 and 1/);
  });
});

describe('footfall detect --video', () => {
  it('writes MOTChallenge detections for every frame, with the low-score floor', () => {
    const det = join(tmp, 'tud.txt');
    const r = footfall(['detect', '--video', join(SHARED, 'video', 'tud-campus.mp4'), '--det-out', det, '--floor', '0.2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^71 frames, \d+ person boxes \(score >= 0\.2\)/);
    const rows = readFileSync(det, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const frames = new Set(rows.map((r2) => r2[0]));
    expect(Math.min(...frames)).toBe(1);
    expect(Math.max(...frames)).toBe(71);
    for (const row of rows) {
      expect(row).toHaveLength(10);
      expect(row[1]).toBe(-1);
      expect(row[6]).toBeGreaterThanOrEqual(0.2);
      expect(row[2]! + row[4]!).toBeLessThanOrEqual(640.01);
    }
    // TUD-Campus frame 1 has several people above 0.5.
    expect(rows.filter((r2) => r2[0] === 1 && r2[6]! >= 0.5).length).toBeGreaterThanOrEqual(3);
  });

  it('reports a video that cannot be read', () => {
    const bad = join(tmp, 'bad.mp4');
    writeFileSync(bad, Buffer.alloc(10_000, 1));
    const r = footfall(['detect', '--video', bad, '--det-out', join(tmp, 'bad.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read video .*bad\.mp4: .*Invalid data/);
    const m = footfall(['detect', '--video', join(tmp, 'absent.mp4'), '--det-out', join(tmp, 'x.txt')]);
    expect(m.stderr).toMatch(/absent\.mp4 does not exist/);
  });
});

describe('footfall models', () => {
  it('lists the manifest with file status', () => {
    const r = footfall(['models', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { models: Array<{ name: string; status: string }> };
    expect(j.models.map((m) => `${m.name}:${m.status}`)).toEqual(['picodet_s_416_coco:ok', 'picodet_s_416_coco_int8:ok', 'picodet_s_320_coco:ok', 'yolox_nano:ok', 'fastestdet-352:ok']);
  });
});
