// docs/status-api.md is the contract: every GET route in its table answers with a login,
// and refuses without one (except /healthz); documented JSON examples have the keys the
// server sends.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalZone } from '../shared/local-time.ts';
import { dayWindow } from './day-summary.ts';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';
import { decodePetsFrames, emitPetsFrame } from './testing/pets-frames.ts';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/status-api.md', import.meta.url)), 'utf8');

function documentedGets(): string[] {
  const out: string[] = [];
  for (const m of DOC.matchAll(/^\| `GET (.+?)` \|/gm)) {
    for (const p of m[1]!.split(/`, `/)) out.push(p.trim());
  }
  return out;
}

describe('docs/status-api.md', () => {
  let h: Harness;
  let s: LoggedIn;
  beforeAll(async () => {
    h = await startHarness({ status: { snapshotIntervalMs: 200 } });
    s = await login(h);
    const pets = decodePetsFrames(2);
    await fetch(`${h.baseUrl}/api/cameras/entrance/snapshot.jpg`, { headers: { cookie: s.cookie } }); // marks someone watching
    emitPetsFrame(h.bus, 'entrance', pets, 0, Date.now());
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the routes the server has, each answering with a login and refusing without', async () => {
    const today = dayWindow(Date.now(), LocalZone.fixed(0)).day;
    const routes = documentedGets();
    expect(routes).toContain('/editor?camera=…');
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const route of routes) {
      if (route === '/api/live') continue; // a stream; covered in live.test.ts
      const path = route.replace(':name', 'entrance').replace(':day', today).replace('YYYY-MM-DD', today).replace('camera=…', 'camera=entrance').replace('day=…', `day=${today}`);
      const withLogin = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: s.cookie }, redirect: 'manual' });
      expect(withLogin.status, path).toBe(200);
      if (route === '/healthz') continue;
      const without = await fetch(`${h.baseUrl}${path}`, { redirect: 'manual' });
      expect([303, 401], path).toContain(without.status);
    }
  });

  it('documents the keys /api/counts/today, /api/wifi, /api/health and /api/site-paths send', async () => {
    const get = async (p: string) => (await (await fetch(`${h.baseUrl}${p}`, { headers: { cookie: s.cookie } })).json()) as Record<string, unknown>;
    const counts = await get('/api/counts/today');
    for (const k of Object.keys(counts)) expect(DOC, `counts key ${k}`).toContain(`"${k}"`);
    const line = (counts.lines as Array<Record<string, unknown>>)[0]!;
    for (const k of Object.keys(line)) expect(DOC, `line key ${k}`).toContain(`"${k}"`);
    for (const k of Object.keys(await get('/api/wifi'))) expect(DOC, `wifi key ${k}`).toContain(`"${k}"`);
    const health = await get('/api/health');
    for (const k of Object.keys(health)) expect(DOC).toContain(`"${k}"`);
    for (const k of Object.keys(health.system as object)) expect(DOC, `system key ${k}`).toContain(`"${k}"`);
    const paths = await get('/api/site-paths');
    for (const k of Object.keys(paths)) expect(DOC, `site paths key ${k}`).toContain(`"${k}"`);
    for (const k of Object.keys(paths.stitching as object)) expect(DOC, `stitching key ${k}`).toContain(`"${k}"`);
  });
});
