import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSitePathsOffline } from './offline.ts';
import { tinySite } from './testing/tiny-site.ts';

const BIN = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));

function runCli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FOOTFALL_LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** sum |counted - true| / sum true over the union of cells. */
function error(counted: Record<string, number>, truth: Record<string, number>): number {
  let diff = 0;
  let total = 0;
  for (const k of new Set([...Object.keys(counted), ...Object.keys(truth)])) {
    diff += Math.abs((counted[k] ?? 0) - (truth[k] ?? 0));
    total += truth[k] ?? 0;
  }
  return diff / total;
}

describe('site paths offline (tracker -> fragments -> stitcher)', () => {
  for (const [layout, cameraX] of [
    ['overlapping views', [4, 14, 24, 34, 44]],
    ['gaps between views', [2, 18, 34, 50]],
  ] as const) {
    it(`finds the shop-to-shop transitions across cameras with ${layout}, far better than each camera alone`, () => {
      const site = tinySite({ people: 16, cameraX: [...cameraX] });
      const ours = runSitePathsOffline({ config: site.config, detections: site.detections, fps: site.fps });
      const base = runSitePathsOffline({ config: site.config, detections: site.detections, fps: site.fps, handover: false });
      const truthTotal = Object.values(site.truth.transitions).reduce((a, b) => a + b, 0);
      expect(truthTotal).toBeGreaterThan(10);
      expect(ours.handovers).toBeGreaterThan(10);
      const oursError = error(ours.transitions, site.truth.transitions);
      const baseError = error(base.transitions, site.truth.transitions);
      expect(oursError).toBeLessThan(0.5);
      expect(baseError).toBeGreaterThan(0.6);
      expect(oursError).toBeLessThan(baseError - 0.2);
      expect(ours.unseenZones).toEqual([]);
    });
  }

  it('footfall paths prints visits, transitions and sequences; a camera without calibration takes no part', () => {
    const site = tinySite({ people: 8 });
    const dir = mkdtempSync(join(tmpdir(), 'ff-paths-'));
    const cameras = site.config.cameras.map((c, i) => (i === 4 ? { name: c.name, width: c.width, height: c.height } : { name: c.name, width: c.width, height: c.height, calibration: { points: c.calibration!.points } }));
    const zones = [...site.config.floorPlan.zones, { name: 'far-away', polygon: [[200, 200], [205, 200], [205, 205], [200, 205]] }];
    writeFileSync(join(dir, 'site.yaml'), stringify({ site: 'tiny', device: 'box-a', cameras, floorPlan: { zones } }));
    const args = ['paths', '--config', join(dir, 'site.yaml'), '--fps', String(site.fps), '--json'];
    for (const d of site.detections) {
      writeFileSync(join(dir, `${d.camera}.txt`), d.det);
      args.push('--det', `${d.camera}=${join(dir, `${d.camera}.txt`)}`);
    }
    const r = runCli(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('camera "cam5" has no floor calibration');
    expect(r.stderr).toContain('zone "far-away" lies outside');
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { visits: Record<string, number>; transitions: Record<string, number>; sequences: Record<string, number> };
    expect(Object.keys(out.transitions).length).toBeGreaterThan(0);
    expect(out.visits['shop-a']).toBeGreaterThan(0);
    const bad = runCli(['paths', '--config', join(dir, 'site.yaml'), '--fps', '10', '--det', 'nope=x.txt']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('camera "nope" is not in');
  });
});
