// HTTP-level security of the status page against a real server on a free loopback port:
// first-start password, login, cookies, CSRF, headers, rate limiting, body limits, bad
// shapes and path traversal attempts.
import { request as httpRequest } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedPasswordOf, login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';

/** A request whose path is sent byte for byte (fetch would normalise `..`). */
function rawGet(baseUrl: string, path: string, cookie = ''): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status page security', () => {
  let h: Harness;
  let s: LoggedIn;

  beforeAll(async () => {
    h = await startHarness({ status: { loginAttemptsPerMinute: 100 } });
    s = await login(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const put = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.baseUrl}/api/cameras/entrance/geometry`, {
      method: 'PUT',
      headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrfToken, ...headers },
      body,
    });

  it('generates a password on first start, prints it once, stores only an scrypt hash in a 0600 file', async () => {
    const password = generatedPasswordOf(h);
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const file = `${h.dir}/status-password.scrypt`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
    expect(text).not.toContain(password);
    expect(h.logLines.filter((l) => JSON.stringify(l).includes(password))).toHaveLength(1);
    // A restart on the same data dir keeps the password and prints nothing.
    const again = await startHarness({ dir: h.dir });
    try {
      expect(again.logLines.some((l) => typeof l.password === 'string')).toBe(false);
      expect((await login(again, password)).cookie).toMatch(/^ff_session=/);
    } finally {
      await again.close();
    }
  });

  it('serves /healthz without a login and without data', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('requires a login for pages, API, snapshots and metrics', async () => {
    for (const path of ['/', '/health', '/editor', '/report']) {
      const res = await fetch(`${h.baseUrl}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    for (const path of ['/api/health', '/api/counts/today', '/api/cameras', '/api/cameras/entrance/snapshot.jpg', '/api/live', '/metrics', '/api/counts.csv']) {
      const res = await fetch(`${h.baseUrl}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain('entrance');
    }
    const forged = await fetch(`${h.baseUrl}/api/health`, { headers: { cookie: 'ff_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(forged.status).toBe(401);
  });

  it('rejects a wrong password and sets an HttpOnly SameSite=Strict cookie on success', async () => {
    const bad = await fetch(`${h.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=wrong', redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(await bad.text()).toContain('Wrong password');
    const good = await fetch(`${h.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `password=${encodeURIComponent(generatedPasswordOf(h))}`,
      redirect: 'manual',
    });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/');
    const cookie = good.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ff_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
  });

  it('sends strict security headers and a CSP without inline code', async () => {
    const res = await fetch(`${h.baseUrl}/`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
      expect(csp).toContain(d);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('refuses state-changing requests without the CSRF token or from another site', async () => {
    const body = JSON.stringify({ lines: [], zones: [] });
    expect((await put(body, { 'x-csrf-token': '' })).status).toBe(403);
    expect((await put(body, { 'x-csrf-token': 'x'.repeat(32) })).status).toBe(403);
    expect((await put(body, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await put(body, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await put(body, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await put(body, { origin: 'null' })).status).toBe(403);
    const logout = await fetch(`${h.baseUrl}/logout`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
    expect(logout.status).toBe(403);
    // Nothing was written.
    expect(readFileSync(h.configFile, 'utf8')).toContain('name: door');
    expect(h.saved).toHaveLength(0);
  });

  it('rejects oversized bodies', async () => {
    const big = JSON.stringify({ lines: [], zones: [], pad: 'x'.repeat(200_000) });
    expect((await put(big)).status).toBe(413);
    const login = await fetch(`${h.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `password=${'a'.repeat(10_000)}` });
    expect(login.status).toBe(413);
  });

  it('rejects invalid shapes with the field named and leaves the config file alone', async () => {
    const before = readFileSync(h.configFile, 'utf8');
    const cases: Array<[unknown, RegExp]> = [
      [{ lines: [{ name: 'a', points: [[10, 10], [10, 11]] }], zones: [] }, /lines\[0\]\.points: is degenerate/],
      [{ lines: [], zones: [{ name: 'z', polygon: [[0, 0], [100, 100], [100, 0], [0, 100]] }] }, /zones\[0\]\.polygon: is self-intersecting/],
      [{ lines: [{ name: 'bad name!', points: [[0, 0], [50, 50]] }], zones: [] }, /lines\[0\]\.name/],
      [{ lines: [{ name: 'a', points: [[0, 0], [50, 50]] }, { name: 'a', points: [[0, 10], [50, 60]] }], zones: [] }, /duplicate line name "a"/],
      [{ lines: [], zones: [], extra: 1 }, /extra/],
      [{ lines: 'nope', zones: [] }, /lines/],
      [[1, 2], /JSON object/],
      [{ lines: Array.from({ length: 40 }, (_, i) => ({ name: `l${i}`, points: [[0, i], [50, i]] })), zones: [] }, /at most 32 lines/],
    ];
    for (const [body, message] of cases) {
      const res = await put(JSON.stringify(body));
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    const notJson = await put('{"lines": [');
    expect(notJson.status).toBe(400);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);
    expect(h.saved).toHaveLength(0);
  });

  it('saves a valid edit into the YAML (keeping comments and ${ENV} references) and applies it', async () => {
    const res = await put(JSON.stringify({ lines: [{ name: 'gate', points: [[10, 20], [300, 20]], minSideMs: 100 }], zones: [] }));
    expect(res.status).toBe(200);
    const text = readFileSync(h.configFile, 'utf8');
    expect(text).toContain('# test site');
    expect(text).toContain('${CAM_URL:-/tmp/none.mp4}');
    expect(text).toContain('name: gate');
    expect(text).toContain('[ 10, 20 ]');
    expect(text).not.toContain('name: door');
    expect(h.saved).toHaveLength(1);
    expect(h.saved[0]!.cameras[0]!.lines).toMatchObject([{ name: 'gate', points: [[10, 20], [300, 20]], minDistancePx: 8, minSideMs: 100 }]);
    // Only what the operator set is written; defaults stay defaults.
    expect(text).not.toContain('minDistancePx');
    expect(text).toContain('minSideMs: 100');
    expect(h.cameras()[0]!.lines[0]!.name).toBe('gate');
  });

  it('refuses path traversal in static files, camera names and query parameters', async () => {
    for (const path of ['/static/../server.ts', '/static/%2e%2e/server.ts', '/static/..%2fserver.ts', '/static/%2e%2e%2f%2e%2e%2fpackage.json', '/static/.hidden']) {
      const res = await rawGet(h.baseUrl, path, s.cookie);
      expect([400, 403, 404], path).toContain(res.status);
      expect(res.body).not.toContain('buildStatusServer');
      expect(res.body).not.toContain('"dependencies"');
    }
    for (const path of ['/api/cameras/..%2F..%2Fetc%2Fpasswd/snapshot.jpg', '/api/cameras/%2e%2e/snapshot.jpg', '/api/cameras/nope/snapshot.jpg']) {
      const res = await rawGet(h.baseUrl, path, s.cookie);
      expect([400, 404], path).toContain(res.status);
      expect(res.body).not.toContain('root:');
    }
    expect((await rawGet(h.baseUrl, '/editor?camera=..%2F..%2Fetc%2Fpasswd', s.cookie)).status).toBe(404);
    expect((await rawGet(h.baseUrl, '/api/counts.csv?day=..%2F..%2Fetc', s.cookie)).status).toBe(400);
    expect((await rawGet(h.baseUrl, '/api/events/recent?limit=100000', s.cookie)).status).toBe(400);
    // The static folder itself still serves its two files.
    expect((await rawGet(h.baseUrl, '/static/app.js')).status).toBe(200);
  });

  it('serves Prometheus metrics from the registry it was given, not the global one', async () => {
    const res = await fetch(`${h.baseUrl}/metrics`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('footfall_stage_up{stage="store"} 1');
    expect(text).toMatch(/footfall_status_logins_total\{result="ok"\} [1-9]/);
    expect(text).toMatch(/footfall_status_logins_total\{result="failed"\} [1-9]/);
    expect(text).toContain('footfall_store_unsent_events');
    expect(await globalRegistry.metrics()).not.toContain('footfall_status');
  });

  it('logs out with the CSRF token, ending the session', async () => {
    const mine = await login(h);
    const res = await fetch(`${h.baseUrl}/logout`, { method: 'POST', headers: { cookie: mine.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${mine.csrfToken}`, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect((await fetch(`${h.baseUrl}/api/health`, { headers: { cookie: mine.cookie } })).status).toBe(401);
  });
});

describe('status page login rate limiting', () => {
  it('answers 429 after the configured attempts per minute, even with the right password', async () => {
    const h = await startHarness({ status: { loginAttemptsPerMinute: 3 } });
    try {
      const attempt = (password: string) =>
        fetch(`${h.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
      expect((await attempt('wrong-1')).status).toBe(401);
      expect((await attempt('wrong-2')).status).toBe(401);
      expect((await attempt('wrong-3')).status).toBe(401);
      const limited = await attempt(generatedPasswordOf(h));
      expect(limited.status).toBe(429);
      expect(await limited.json()).toMatchObject({ error: 'RATE_LIMITED' }); // as docs/status-api.md promises
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(limited.headers.get('set-cookie')).toBeNull();
      // Other routes are not limited.
      expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('accepts a bearer token on /metrics when one is configured', async () => {
    const token = 'scrape-token-0123456789abcdef';
    const h = await startHarness({ status: { metricsToken: token } });
    try {
      expect((await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${h.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect((await fetch(`${h.baseUrl}/api/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      await h.close();
    }
  });
});
