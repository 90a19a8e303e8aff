// End to end: `footfall run` on the demo camera (real ffmpeg, the real ONNX model,
// real SQLite, the embedded MQTT broker and the status page), as an installer would
// start it, on free loopback ports.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { DEMO_VIDEO_PATH } from './camera/index.ts';
import { freePort, waitFor } from './shared/test-support/net.ts';

const BIN = fileURLToPath(new URL('../bin/footfall.js', import.meta.url));

describe('footfall run on the demo camera', () => {
  it('counts people, stores and publishes the events, serves the status page, and stops cleanly', async () => {
    expect(existsSync(DEMO_VIDEO_PATH), `${DEMO_VIDEO_PATH} is missing: apt-get install opencv-doc`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'footfall-agent-'));
    const brokerPort = await freePort();
    const statusPort = await freePort();
    writeFileSync(
      join(dir, 'footfall.yaml'),
      `site: test-mall\ndevice: box-1\nmqtt:\n  embedded:\n    port: ${brokerPort}\nstatus:\n  host: 127.0.0.1\n  port: ${statusPort}\n`,
    );
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const received = new Map<string, { type: string }>();
    // Batch envelopes are collected in the callback and checked after, so a wrong one fails the test.
    const envelopes: Array<{ v: number; site: string; device: string }> = [];
    const unreadable: string[] = [];
    let client: mqtt.MqttClient | null = null;
    try {
      await waitFor('the agent to run', () => log.includes('footfall agent running') || child.exitCode !== null, 60_000);
      expect(log).toContain('footfall agent running');

      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 200 });
      client.on('message', (_topic, payload) => {
        try {
          const batch = JSON.parse(payload.toString()) as { v: number; site: string; device: string; events: Array<{ id: string; type: string }> };
          envelopes.push({ v: batch.v, site: batch.site, device: batch.device });
          for (const e of batch.events) received.set(e.id, e);
        } catch (err) {
          unreadable.push(`${String(err)}: ${payload.toString().slice(0, 200)}`);
        }
      });
      await client.subscribeAsync('footfall/v1/test-mall/box-1/events', { qos: 1 });

      // People walk across the demo scene's lines within a minute of video.
      const counted = () => [...received.values()].filter((e) => e.type === 'line.cross' || e.type === 'zone.visit').length;
      await waitFor('line crossings or zone visits over MQTT', () => counted() >= 3, 120_000);

      const base = `http://127.0.0.1:${statusPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/api/health`)).status).toBe(401);
      const password = /"password":"([^"]+)"/.exec(log)?.[1];
      expect(password, 'the first start prints the generated password once').toBeTruthy();
      const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const health = (await (await fetch(`${base}/api/health`, { headers: { cookie } })).json()) as { stages: Record<string, { status: string }> };
      for (const stage of ['store', 'sync', 'analytics', 'track', 'detect', 'camera']) expect(health.stages[stage]?.status, stage).toBe('ok');
      const cameras = (await (await fetch(`${base}/api/cameras`, { headers: { cookie } })).json()) as { cameras: Array<{ name: string; lines: unknown[] }> };
      expect(cameras.cameras[0]).toMatchObject({ name: 'demo' });
      expect(cameras.cameras[0]!.lines.length).toBeGreaterThan(0);
      const heatmap = await fetch(`${base}/api/cameras/demo/heatmap.png`, { headers: { cookie } });
      expect(heatmap.status).toBe(200);
      expect(heatmap.headers.get('content-type')).toBe('image/png');
      expect((await fetch(`${base}/api/cameras/demo/heatmap.png`)).status).toBe(401);
    } finally {
      await client?.endAsync();
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(log).toContain('footfall agent stopped');
    expect(unreadable).toEqual([]);
    expect(envelopes.length).toBeGreaterThan(0);
    for (const envelope of envelopes) expect(envelope).toEqual({ v: 1, site: 'test-mall', device: 'box-1' });

    // Every event published was stored under the same id; nothing is half-written.
    const db = new Database(join(dir, 'data', 'footfall.db'), { readonly: true });
    const lookup = db.prepare('SELECT type FROM events WHERE id = ?');
    for (const [id, e] of received) expect((lookup.get(id) as { type: string } | undefined)?.type).toBe(e.type);
    const crossings = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'line.cross'").get() as { n: number };
    const aggregated = db.prepare("SELECT coalesce(sum(n), 0) AS n FROM counts WHERE metric IN ('in', 'out')").get() as { n: number };
    expect(aggregated.n).toBe(crossings.n);
    db.close();
  }, 240_000);

  it('keeps the camera streaming when a Wi-Fi replay capture is random bytes, and names the sensor and file in health', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-agent-wifi-'));
    const garbage = join(dir, 'garbage.pcap');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 197 + 3) & 0xff)));
    const brokerPort = await freePort();
    const statusPort = await freePort();
    writeFileSync(
      join(dir, 'footfall.yaml'),
      `mqtt:\n  embedded:\n    port: ${brokerPort}\nstatus:\n  host: 127.0.0.1\n  port: ${statusPort}\nwifi:\n  sensors:\n    - name: lab-sniffer\n      pcap: garbage.pcap\n`,
    );
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await waitFor('the agent to run', () => log.includes('footfall agent running') || child.exitCode !== null, 60_000);
      expect(log).toContain('footfall agent running');
      const base = `http://127.0.0.1:${statusPort}`;
      const password = /"password":"([^"]+)"/.exec(log)?.[1];
      const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      type Health = { stages: Record<string, { status: string; detail?: string }> };
      let health: Health = { stages: {} };
      await waitFor(
        'the camera to stream',
        () => {
          void fetch(`${base}/api/health`, { headers: { cookie } })
            .then((r) => r.json())
            .then((h) => (health = h as Health))
            .catch(() => undefined);
          return health.stages.camera?.status === 'ok';
        },
        60_000,
        500,
      );
      expect(health.stages.wifi?.status).toBe('failed');
      expect(health.stages.wifi?.detail).toContain(`sensor "lab-sniffer" (capture file ${garbage})`);
      expect(health.stages.wifi?.detail).toContain('not a pcap or pcapng file');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
