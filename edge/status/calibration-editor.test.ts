// The editor's floor calibration API against a real status server and a real YAML file.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';

// Image pixels of a floor rectangle 6 m x 15 m seen in perspective, and a fifth point.
const GOOD = [
  [212, 1012, 0, 0],
  [1710, 1004, 6, 0],
  [1402, 420, 6, 15],
  [530, 428, 0, 15],
];

describe('floor calibration in the editor', () => {
  let h: Harness;
  let s: LoggedIn;
  beforeAll(async () => {
    h = await startHarness();
    s = await login(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.baseUrl}${path}`, { method, headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrfToken, ...headers }, body: JSON.stringify(body) });

  it('checks a good set: reprojection error and a floor grid in image pixels', async () => {
    const res = await call('POST', '/api/cameras/entrance/calibration/check', { points: [...GOOD, [960, 700, 3, 12]] });
    expect(res.status).toBe(200);
    const d = (await res.json()) as { ok: boolean; reprojection: { meanPx: number; maxPx: number; worstPoint: number }; grid: number[][][] };
    expect(d.ok).toBe(true);
    // Four consistent pairs and a fifth typed wrong: a real error the installer sees.
    expect(d.reprojection.maxPx).toBeGreaterThan(5);
    expect(d.reprojection.worstPoint).toBeGreaterThanOrEqual(0);
    expect(d.grid.length).toBeGreaterThan(10);
    expect(d.grid[0]![0]).toHaveLength(2);
    const exact = (await (await call('POST', '/api/cameras/entrance/calibration/check', { points: GOOD })).json()) as { reprojection: { maxPx: number } };
    expect(exact.reprojection.maxPx).toBeLessThan(0.01);
  });

  it('says why a set cannot be used', async () => {
    const res = await call('POST', '/api/cameras/entrance/calibration/check', {
      points: [
        [100, 500, 0, 0],
        [200, 500, 1, 0],
        [300, 500, 2, 1],
        [400, 500, 3, 2],
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, reason: expect.stringMatching(/image points are \(nearly\) collinear/) });
    const three = await call('POST', '/api/cameras/entrance/calibration/check', { points: GOOD.slice(0, 3) });
    expect(await three.json()).toMatchObject({ ok: false, reason: expect.stringMatching(/at least 4 .* got 3/) });
  });

  it('refuses malformed bodies, unknown cameras, a missing CSRF token and no session', async () => {
    const bad = await call('POST', '/api/cameras/entrance/calibration/check', { points: [[1, 2, 3]] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/points\[0\]: must be \[u, v, x, y\]/);
    expect((await call('POST', '/api/cameras/nope/calibration/check', { points: GOOD })).status).toBe(404);
    expect((await call('PUT', '/api/cameras/entrance/calibration', { points: GOOD }, { 'x-csrf-token': 'wrong' })).status).toBe(403);
    const anon = await fetch(`${h.baseUrl}/api/cameras/entrance/calibration/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: GOOD }) });
    expect(anon.status).toBe(401);
  });

  it('saves the points into the YAML file, keeps the rest, and refuses an unusable set without writing', async () => {
    const before = readFileSync(h.configFile, 'utf8');
    const refused = await call('PUT', '/api/cameras/entrance/calibration', { points: GOOD.slice(0, 3) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/camera "entrance": needs at least 4/);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);

    const res = await call('PUT', '/api/cameras/entrance/calibration', { points: GOOD });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, points: 4, appliesOn: 'restart' });
    const yaml = parse(readFileSync(h.configFile, 'utf8')) as { cameras: Array<{ name: string; calibration?: { points: number[][] }; lines: unknown[] }> };
    const cam = yaml.cameras.find((c) => c.name === 'entrance')!;
    expect(cam.calibration!.points).toEqual(GOOD);
    expect(cam.lines).toHaveLength(1);
    expect(h.saved.at(-1)!.cameras[0]!.calibration!.points).toEqual(GOOD);
    // The editor page now says the camera is calibrated with 4 points.
    const page = await (await fetch(`${h.baseUrl}/editor?camera=entrance`, { headers: { cookie: s.cookie } })).text();
    expect(page).toContain('Now: 4 points');
  });
});
