import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { MotionDetector } from './motion-detector.ts';

const W = 160;
const H = 120;

/** A textured static background with sensor noise, brightness offset and optional people (dark rectangles). */
function scene(rng: SeededRandom, light: number, people: ReadonlyArray<[number, number, number, number]> = []): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 90 + ((x * 7 + y * 13) % 50) + light + rng.normal(0, 3);
      for (const [px, py, pw, ph] of people) if (x >= px && x < px + pw && y >= py && y < py + ph) v = 20 + light;
      const o = (y * W + x) * 3;
      f[o] = f[o + 1] = f[o + 2] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return f;
}

describe('MotionDetector', () => {
  it('finds a moving person and puts the box around it', () => {
    const rng = new SeededRandom(1);
    const m = new MotionDetector({ frameWidth: W, frameHeight: H, cellPx: 4 });
    for (let i = 0; i < 5; i++) expect(m.update(scene(rng, 0))).toBe(0);
    expect(m.update(scene(rng, 0, [[60, 40, 16, 40]]))).toBe(1);
    const [x, y, w, h] = Array.from(m.boxes.subarray(0, 4));
    expect(x).toBeLessThanOrEqual(60);
    expect(y).toBeLessThanOrEqual(40);
    expect(x! + w!).toBeGreaterThanOrEqual(76);
    expect(y! + h!).toBeGreaterThanOrEqual(80);
    expect(w).toBeLessThanOrEqual(24);
  });

  it('ignores sensor noise, a slow light change and flicker', () => {
    const rng = new SeededRandom(2);
    const m = new MotionDetector({ frameWidth: W, frameHeight: H, cellPx: 4 });
    for (let i = 0; i < 200; i++) expect(m.update(scene(rng, i * 0.3))).toBe(0);
    // Flicker: brightness jumping +-40 every other frame, with no person.
    for (let i = 0; i < 20; i++) expect(m.update(scene(rng, 60 + (i % 2 ? 40 : -40)))).toBe(0);
    expect(m.stats.lightShifts).toBeGreaterThan(0);
    expect(m.stats.sceneChanges).toBe(0);
    // A person walking in during flicker is still seen.
    expect(m.update(scene(rng, 100, [[20, 20, 16, 40]]))).toBe(1);
  });

  it('ignores motion inside a mask polygon', () => {
    const rng = new SeededRandom(3);
    const m = new MotionDetector({ frameWidth: W, frameHeight: H, mask: [[[0, 0], [80, 0], [80, 120], [0, 120]]] });
    m.update(scene(rng, 0));
    expect(m.update(scene(rng, 0, [[10, 40, 16, 40]]))).toBe(0);
    expect(m.update(scene(rng, 0, [[100, 40, 16, 40]]))).toBe(1);
  });

  it('counts a frozen stream and a bumped camera without reporting motion', () => {
    const rng = new SeededRandom(4);
    const m = new MotionDetector({ frameWidth: W, frameHeight: H });
    const still = scene(rng, 0);
    for (let i = 0; i < 10; i++) expect(m.update(still)).toBe(0);
    expect(m.stats.frozenFrames).toBe(9);
    // Scene change (camera bumped): a different picture, not a brightness shift.
    const bumped = scene(rng, 0).map((v, i) => ((Math.floor(i / 3 / W / 8) + Math.floor((i / 3) % W / 8)) % 2 ? v + 100 : v - 80));
    expect(m.update(bumped)).toBe(0);
    expect(m.sceneChanged).toBe(true);
    expect(m.stats.sceneChanges).toBe(1);
    // The new background is adopted at once: no stuck motion afterwards.
    expect(m.update(bumped.map((v) => v + 1))).toBe(0);
    expect(m.sceneChanged).toBe(false);
  });

  it('bounds the boxes per frame', () => {
    const rng = new SeededRandom(5);
    const m = new MotionDetector({ frameWidth: W, frameHeight: H, maxBoxes: 4 });
    m.update(scene(rng, 0));
    const many: Array<[number, number, number, number]> = [];
    for (let i = 0; i < 8; i++) many.push([4 + i * 19, 10, 10, 20]);
    expect(m.update(scene(rng, 0, many))).toBe(1);
    expect(m.stats.boxOverflows).toBe(1);
    expect(m.boxes[2]).toBeGreaterThan(140);
  });

  it('puts motion boxes on the walking people of PETS09-S2L1 (real video, real ffmpeg)', () => {
    const frames = 40;
    const out = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-i', '../shared/fixtures/video/pets09-s2l1.mp4', '-frames:v', String(frames), '-vf', 'scale=416:416', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'],
      { maxBuffer: 416 * 416 * 3 * frames + 1 },
    );
    expect(out.status).toBe(0);
    const m = new MotionDetector({ frameWidth: 416, frameHeight: 416 });
    const gt = readFileSync('../shared/fixtures/mot/PETS09-S2L1/gt.txt', 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(',').map(Number));
    let covered = 0;
    let people = 0;
    let boxAreaPx = 0;
    for (let f = 0; f < frames; f++) {
      m.update(out.stdout.subarray(f * 416 * 416 * 3, (f + 1) * 416 * 416 * 3));
      if (f < 10) continue; // background warm-up
      for (let b = 0; b < m.count; b++) boxAreaPx += m.boxes[b * 4 + 2]! * m.boxes[b * 4 + 3]!;
      for (const g of gt) {
        if (g[0] !== f + 1 || g[6] === 0) continue;
        people++;
        // Foot point in 416x416 frame pixels.
        const fx = ((g[2]! + g[4]! / 2) * 416) / 768;
        const fy = ((g[3]! + g[5]! * 0.6) * 416) / 576;
        for (let b = 0; b < m.count; b++) {
          const o = b * 4;
          if (fx >= m.boxes[o]! - 8 && fx <= m.boxes[o]! + m.boxes[o + 2]! + 8 && fy >= m.boxes[o + 1]! - 8 && fy <= m.boxes[o + 1]! + m.boxes[o + 3]! + 8) {
            covered++;
            break;
          }
        }
      }
    }
    expect(people).toBeGreaterThan(100);
    // Walking people are (almost) always inside a motion box.
    expect(covered / people).toBeGreaterThan(0.85);
    // ...while the boxes cover a small part of the frame (not the whole picture).
    expect(boxAreaPx / (frames - 10) / (416 * 416)).toBeLessThan(0.25);
  });
});
