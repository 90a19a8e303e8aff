// The MQTT `snapshot` command against the real agent (#27): `footfall run` on the demo camera
// (real ffmpeg, the ONNX model, the embedded broker) answers with a fresh JPEG of the streaming
// camera on .../snapshot/{camera}, as docs/mqtt.md promises, not "no camera in this process".
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEMO_VIDEO_PATH } from './camera/index.ts';
import { freePort, waitFor } from './shared/test-support/net.ts';

const BIN = fileURLToPath(new URL('../bin/footfall.js', import.meta.url));

describe('snapshot command on the running agent', () => {
  it('publishes a JPEG of the streaming demo camera, retained, and answers camera, ts, bytes and topic', async () => {
    expect(existsSync(DEMO_VIDEO_PATH), `${DEMO_VIDEO_PATH} is missing: apt-get install opencv-doc`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'footfall-snapshot-'));
    const brokerPort = await freePort();
    const statusPort = await freePort();
    writeFileSync(join(dir, 'footfall.yaml'), `site: snap-mall\ndevice: box-s\nmqtt:\n  embedded:\n    port: ${brokerPort}\nstatus:\n  host: 127.0.0.1\n  port: ${statusPort}\n`);
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    let client: mqtt.MqttClient | null = null;
    try {
      await waitFor('the agent to run', () => log.includes('footfall agent running') || child.exitCode !== null, 60_000);
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 200 });
      const results: Array<Record<string, unknown>> = [];
      const images: Array<{ topic: string; jpeg: Buffer; retain: boolean }> = [];
      client.on('message', (topic, payload, packet) => {
        if (topic.endsWith('/result')) results.push(JSON.parse(payload.toString()) as Record<string, unknown>);
        else images.push({ topic, jpeg: Buffer.from(payload), retain: packet.retain });
      });
      await client.subscribeAsync({ 'footfall/v1/snap-mall/box-s/cmd/snapshot/result': { qos: 1 }, 'footfall/v1/snap-mall/box-s/snapshot/+': { qos: 1 } });
      // The camera streams before we ask (frames reach the status stage's live view).
      await waitFor('the demo camera to stream', () => /cameras started/.test(log), 60_000);
      const send = async (id: string, args: Record<string, unknown>) => {
        const before = results.length;
        await client!.publishAsync('footfall/v1/snap-mall/box-s/cmd/snapshot', JSON.stringify({ v: 1, id, args }), { qos: 1 });
        await waitFor(`answer ${id}`, () => results.length > before, 30_000);
        return results[results.length - 1]!;
      };
      const sentAt = Date.now();
      const answer = await send('snap-1', {});
      expect(answer, log.slice(-2000)).toMatchObject({ v: 1, id: 'snap-1', name: 'snapshot', ok: true, result: { camera: 'demo', topic: 'footfall/v1/snap-mall/box-s/snapshot/demo' } });
      const result = answer.result as { ts: number; bytes: number };
      expect(Math.abs(result.ts - sentAt)).toBeLessThan(15_000);
      await waitFor('the snapshot image', () => images.length > 0, 10_000);
      expect(images[0]!.topic).toBe('footfall/v1/snap-mall/box-s/snapshot/demo');
      expect(images[0]!.jpeg.length).toBe(result.bytes);
      const meta = await sharp(images[0]!.jpeg).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeGreaterThan(100);
      // Retained: a consumer subscribing later still gets the latest picture.
      const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`);
      const retained = new Promise<boolean>((r) => late.on('message', (_t, _p, packet) => r(packet.retain)));
      await late.subscribeAsync('footfall/v1/snap-mall/box-s/snapshot/demo', { qos: 1 });
      expect(await retained).toBe(true);
      await late.endAsync();
      expect(await send('snap-2', { camera: 'attic' })).toMatchObject({ ok: false, error: 'unknown camera "attic"; cameras: demo' });
    } finally {
      await client?.endAsync();
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
