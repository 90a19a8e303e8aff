import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { configSchema, loadConfig } from '../../edge/config/index.ts';
import { FloorCalibration } from '../../edge/shared/floor-calibration.ts';
import { parseMotText } from '../../edge/track/eval/index.ts';
import { mountCamera, projectPoint, seesFloorPoint } from './camera.ts';
import { LAYOUTS, layoutByName } from './layouts.ts';
import { simulateMall } from './simulator.ts';
import { countPaths, visitsOfPath } from './truth.ts';

const SMALL = { people: 30, minutes: 3, seed: 4 } as const;
const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe('mall simulator', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = simulateMall({ layout: 'tee-gaps', ...SMALL });
    const b = simulateMall({ layout: 'tee-gaps', ...SMALL });
    const c = simulateMall({ layout: 'tee-gaps', ...SMALL, seed: 5 });
    expect(a.detections).toEqual(b.detections);
    expect(a.truth).toEqual(b.truth);
    expect(a.siteConfig).toEqual(b.siteConfig);
    expect(c.detections[0]!.det).not.toBe(a.detections[0]!.det);
    expect(c.truth.transitions).not.toEqual(a.truth.transitions);
  });

  it.each(Object.keys(LAYOUTS))('%s: four or more cameras, and every zone lies wholly inside at least one view', (name) => {
    const layout = layoutByName(name);
    const cams = layout.cameras.map(mountCamera);
    expect(cams.length).toBeGreaterThanOrEqual(4);
    const out = new Float64Array(3);
    for (const m of layout.cameras) {
      expect(m.heightM).toBeGreaterThanOrEqual(3);
      expect(m.heightM).toBeLessThanOrEqual(6);
      expect(m.tiltDeg).toBeGreaterThanOrEqual(30);
      expect(m.tiltDeg).toBeLessThanOrEqual(60);
      expect(m.hfovDeg).toBeGreaterThanOrEqual(60);
      expect(m.hfovDeg).toBeLessThanOrEqual(90);
    }
    for (const z of layout.zones) {
      const xs = z.polygon.map((p) => p[0]);
      const ys = z.polygon.map((p) => p[1]);
      const pts: Array<[number, number]> = [];
      for (let i = 0; i <= 4; i++) for (let j = 0; j <= 4; j++) pts.push([Math.min(...xs) + 0.1 + ((Math.max(...xs) - Math.min(...xs) - 0.2) * i) / 4, Math.min(...ys) + 0.1 + ((Math.max(...ys) - Math.min(...ys) - 0.2) * j) / 4]);
      const seenBy = cams.filter((c) => pts.every(([x, y]) => seesFloorPoint(c, x, y, out, 2)));
      expect(seenBy.length, `zone ${z.name} of ${name}`).toBeGreaterThan(0);
    }
  });

  it('truth: visits need visitMinS continuously inside; transitions skip repeats of one zone; sequences are triples', () => {
    const zones = [
      { name: 'A', polygon: [[0, 0], [2, 0], [2, 2], [0, 2]] as Array<[number, number]> },
      { name: 'B', polygon: [[10, 0], [12, 0], [12, 2], [10, 2]] as Array<[number, number]> },
    ];
    // 10 fps: A 3.5 s, out 1 s, A 4 s, out, B 2.5 s (too short), out, B 5 s, out, A 3 s.
    const xs: number[] = [];
    const ys: number[] = [];
    const stay = (x: number, s: number) => {
      for (let k = 0; k < s * 10; k++) {
        xs.push(x);
        ys.push(1);
      }
    };
    stay(1, 3.5);
    stay(5, 1);
    stay(1, 4);
    stay(5, 1);
    stay(11, 2.5);
    stay(5, 1);
    stay(11, 5);
    stay(5, 1);
    stay(1, 3);
    const visits = visitsOfPath(xs, ys, 0, 10, zones, 3);
    expect(visits.map((v) => v.zone)).toEqual(['A', 'A', 'B', 'A']);
    expect(visits[0]!.startS).toBe(0);
    expect(visits[0]!.endS).toBeCloseTo(3.5, 6);
    const truth = { visits: {}, transitions: {}, sequences: {} };
    countPaths(truth, visits);
    expect(truth).toEqual({ visits: { A: 3, B: 1 }, transitions: { 'A>B': 1, 'B>A': 1 }, sequences: { 'A>B>A': 1 } });
  });

  it('truth counts are sane: per-person lists add up, no self-transitions, and the Markov chain is not uniform', () => {
    const sim = simulateMall({ layout: 'street-overlap', people: 150, minutes: 10, seed: 9, jitter: 0.04 });
    let transitions = 0;
    let sequences = 0;
    for (const p of sim.truth.people) {
      const d = p.visits.map((v) => v.zone).filter((z, i, all) => i === 0 || z !== all[i - 1]);
      transitions += Math.max(0, d.length - 1);
      sequences += Math.max(0, d.length - 2);
      for (const v of p.visits) expect(v.endS - v.startS).toBeGreaterThanOrEqual(3 - 1e-9);
    }
    expect(total(sim.truth.transitions)).toBe(transitions);
    expect(total(sim.truth.sequences)).toBe(sequences);
    expect(transitions).toBeGreaterThan(150);
    expect(sequences).toBeGreaterThan(80);
    for (const k of Object.keys(sim.truth.transitions)) expect(k.split('>')[0]).not.toBe(k.split('>')[1]);
    // Strong affinities: the top 8 of 56 possible shop pairs carry far more than 8/56 of the transitions.
    const top = Object.values(sim.truth.transitions).sort((a, b) => b - a).slice(0, 8);
    expect(top.reduce((a, b) => a + b, 0) / transitions).toBeGreaterThan(0.3);
    // Every camera sees people; detections parse as MOTChallenge.
    for (const d of sim.detections) expect(parseMotText(d.det).count).toBeGreaterThan(100);
  });

  it('site.yaml loads with the product config loader; calibration points round-trip through FloorCalibration within installer error', () => {
    const sim = simulateMall({ layout: 'atrium', ...SMALL });
    const dir = mkdtempSync(join(tmpdir(), 'mall-sim-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, stringify(sim.siteConfig));
    const loaded = loadConfig({ file, env: {} });
    expect(loaded.config.cameras.map((c) => c.name)).toEqual(sim.cameras.map((c) => c.name));
    expect(loaded.config.floorPlan.zones.map((z) => z.name)).toEqual(sim.layout.zones.map((z) => z.name));
    expect(readFileSync(file, 'utf8')).toContain('floorPlan');
    const config = configSchema.parse(sim.siteConfig);
    const out = new Float64Array(3);
    const floor = new Float64Array(2);
    for (const [i, cam] of sim.cameras.entries()) {
      const points = config.cameras[i]!.calibration!.points!;
      expect(points.length).toBeGreaterThanOrEqual(6);
      expect(points.length).toBeLessThanOrEqual(8);
      const cal = FloorCalibration.fromPoints(points, { width: cam.width, height: cam.height });
      // True floor points in the view (the camera's floor grid), through the true projection and back.
      const errs: number[] = [];
      for (const [x0, y0, x1, y1] of sim.layout.floor) {
        for (let x = x0 + 0.5; x < x1; x += 1.5) {
          for (let y = y0 + 0.5; y < y1; y += 1.5) {
            if (!seesFloorPoint(cam, x, y, out, 20)) continue;
            projectPoint(cam, x, y, 0, out);
            expect(cal.toFloor(out[0]!, out[1]!, floor, 0)).toBe(true);
            errs.push(Math.hypot(floor[0]! - x, floor[1]! - y));
          }
        }
      }
      errs.sort((a, b) => a - b);
      expect(errs.length).toBeGreaterThan(20);
      // Installer error 2 px and 3 cm: a few centimetres typically, more only far from the camera.
      expect(errs[Math.floor(errs.length / 2)]!, cam.name).toBeLessThan(0.12);
      expect(errs[Math.floor(errs.length * 0.95)]!, cam.name).toBeLessThan(0.4);
    }
  });

  it('the CLI writes site.yaml (loadable), det/ and gt/ per camera and truth.json; a bad option is refused naming it', () => {
    const cli = fileURLToPath(new URL('../mall-sim.ts', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'mall-sim-cli-'));
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });
    const ok = run(['--layout', 'street-overlap', '--people', '8', '--minutes', '1', '--seed', '3', '--jitter', '0.02', '--out', dir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('footfall paths --config');
    const loaded = loadConfig({ file: join(dir, 'site.yaml'), env: {} });
    expect(loaded.config.cameras).toHaveLength(9);
    expect(loaded.config.cameras[0]!.calibration!.points).toHaveLength(7);
    for (const c of loaded.config.cameras) {
      expect(existsSync(join(dir, 'det', `${c.name}.txt`))).toBe(true);
      expect(existsSync(join(dir, 'gt', `${c.name}.txt`))).toBe(true);
    }
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { options: { jitter: number }; people: unknown[]; transitions: Record<string, number> };
    expect(truth.options.jitter).toBe(0.02);
    expect(truth.people).toHaveLength(8);
    const bad = run(['--layout', 'street-overlap', '--people', 'many', '--minutes', '1', '--seed', '3', '--out', dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--people must be a number');
  });
});
