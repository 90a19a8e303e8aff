// `footfall tail` (the reference consumer) and `footfall sync` as processes, against a
// real Mosquitto: tail prints each event once although batches repeat, skips invalid
// messages, and sync refuses missing options with a usage error.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../../../cloud-sync/test-support/mosquitto.ts';

const CLI = fileURLToPath(new URL('../../../bin/footfall.js', import.meta.url));
let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.dispose();
});

function run(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))), stderr: () => stderr };
}

const ev = (n: number) => ({ id: `0193f2a4-6c1e-7a3b-8f21-4c5d6e7f80${String(n).padStart(2, '0')}`, ts: 1_732_356_000_000 + n, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: n } });

describe('footfall tail', () => {
  it('prints each event once as JSON, dropping duplicates and invalid messages', async () => {
    const tail = run(['tail', '--url', broker.url, '--site', 'mall', '--json', '--count', '3']);
    const pub = connect(broker.url);
    await new Promise<void>((r) => pub.once('connect', () => r()));
    // Once tail has subscribed, send: a batch, the same batch again, garbage, another site, one more event.
    const deadline = Date.now() + 40_000;
    while (!tail.stderr().includes('# subscribed to footfall/v1/mall/+/events')) {
      if (Date.now() > deadline) throw new Error(`tail did not subscribe: ${tail.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const topic = 'footfall/v1/mall/box/events';
    await pub.publishAsync(topic, JSON.stringify({ v: 1, site: 'mall', device: 'box', events: [ev(1), ev(2)] }), { qos: 1 });
    await pub.publishAsync(topic, JSON.stringify({ v: 1, site: 'mall', device: 'box', events: [ev(1), ev(2)] }), { qos: 1 });
    await pub.publishAsync(topic, '{"v":2}', { qos: 1 });
    await pub.publishAsync('footfall/v1/other-site/box/events', JSON.stringify({ v: 1, site: 'other-site', device: 'box', events: [ev(9)] }), { qos: 1 });
    await pub.publishAsync(topic, JSON.stringify({ v: 1, site: 'mall', device: 'box', events: [ev(2), ev(3)] }), { qos: 1 });
    const out = await tail.done;
    await pub.endAsync();
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; site: string });
    expect(lines.map((l) => l.id)).toEqual([ev(1).id, ev(2).id, ev(3).id]);
    expect(lines[0]).toEqual({ site: 'mall', device: 'box', ...ev(1) });
    expect(out.stderr).toMatch(/skipped a message on footfall\/v1\/mall\/box\/events: events message invalid: v:/);
    expect(out.stderr).toMatch(/# 3 events, 3 duplicates dropped, 1 invalid messages/);
  }, 60_000);

  it('refuses a bad --site and a missing --url with usage errors', async () => {
    const a = await run(['tail', '--url', broker.url, '--site', 'a/b']).done;
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--site must be letters, digits/);
    const b = await run(['sync', '--db', '/nonexistent/x.db']).done;
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--url is required \(or set mqtt.url in the config\)/);
  }, 30_000);
});
