import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freePort } from '../shared/test-support/net.ts';
import { joinNegativeValues } from './main.ts';

const BIN = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));
const COMMANDS = fileURLToPath(new URL('./commands/', import.meta.url));

function footfall(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FOOTFALL_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'footfall-cli-'));
}

describe('footfall CLI', () => {
  it('lists every command in --help', () => {
    const r = footfall(['--help']);
    expect(r.code).toBe(0);
    const names = readdirSync(COMMANDS).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const n of names) expect(r.stdout).toContain(`  ${n} `);
  });

  it('prints --help for every command', () => {
    const names = readdirSync(COMMANDS).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3));
    for (const n of names) {
      const r = footfall([n, '--help']);
      expect(r.code, `${n} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`usage: footfall ${n}`);
      expect(r.stdout).toContain('--help');
    }
  });

  it('rejects an unknown command and an unknown flag with one clear line', () => {
    const a = footfall(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('unknown command "frobnicate"');
    const b = footfall(['doctor', '--frob']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("Unknown option '--frob'");
    expect(b.stderr).not.toMatch(/\n\s+at /);
    const c = footfall(['doctor', '--log-format', 'xml']);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe('footfall doctor: --log-format must be one of auto, pretty, json, got "xml"\n');
  });

  it('takes negative numbers as option values in every command', () => {
    expect(joinNegativeValues(['--min-rssi', '-70', '--json', '-c', '-1.5', 'x', '--', '--min-rssi', '-3'], { 'min-rssi': { type: 'string', description: '' }, json: { type: 'boolean', description: '' }, config: { type: 'string', short: 'c', description: '' } })).toEqual([
      '--min-rssi=-70', '--json', '-c-1.5', 'x', '--', '--min-rssi', '-3',
    ]);
    const pcap = fileURLToPath(new URL('../../../shared/fixtures/pcap/test1.pcap', import.meta.url));
    const r = footfall(['wifi', '--pcap', pcap, '--summary', '--presence-minutes', '10', '--min-rssi', '-80']);
    expect(r.stderr).not.toContain('ambiguous');
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses to run a camera without a url, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'nourl.yaml'), 'cameras:\n  - name: door\n    lines:\n      - name: door\n        points: [[0, 100], [300, 100]]\n');
    const r = footfall(['run', '--config', 'nourl.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`footfall run: ${join(dir, 'nourl.yaml')}: cameras[0].url: camera "door" needs a stream URL, file path or V4L2 device to run (offline commands such as footfall count do without)`);
  });

  it('reports a missing config file without a stack trace', () => {
    const r = footfall(['run', '--config', '/nonexistent/footfall.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('footfall run: config file not found: /nonexistent/footfall.yaml');
  });

  it('stops on an invalid config, naming the field', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'cameras:\n  - name: a\n    url: x.mp4\n  - name: b\n    url: y.mp4\n    fps: ten\n');
    const r = footfall(['run', '--config', 'bad.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cameras[1].fps: must be a number between 0.1 and 60, got "ten"');
  });

  it('writes synthetic events and refuses bad arguments', () => {
    const dir = tempDir();
    const ok = footfall(['synth-events', '--db', 'syn.db', '--count', '5000', '--seed', '4'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    const db = new Database(join(dir, 'syn.db'), { readonly: true });
    expect((db.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBe(5000);
    expect((db.prepare('SELECT count(DISTINCT type) n FROM events').get() as { n: number }).n).toBeGreaterThanOrEqual(6);
    db.close();
    const bad = footfall(['synth-events', '--db', 'syn.db', '--count', 'many'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--count must be a whole number');
    const missing = footfall(['synth-events', '--count', '5'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--db is required');
  });

  it('refuses a corrupt database with a one-line error and leaves it alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.db'), Buffer.alloc(8192, 0x5a));
    const r = footfall(['synth-events', '--db', 'broken.db', '--count', '5'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.db is corrupt or not a footfall database/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('emits the config JSON Schema', () => {
    const r = footfall(['config-schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('cameras');
  });

  it('doctor reports each check and exits 1 when one fails', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'footfall.yaml'), 'detector:\n  model: no-such-model\nmqtt:\n  url: mqtt://127.0.0.1:1\n');
    const r = footfall(['doctor', '--json'], dir);
    expect(r.code).toBe(1);
    const { results } = JSON.parse(r.stdout) as { results: Array<{ name: string; status: string; detail: string }> };
    const byName = Object.fromEntries(results.map((x) => [x.name, x]));
    expect(byName.ffmpeg!.status).toBe('ok');
    expect(byName.model!.status).toBe('fail');
    expect(byName.model!.detail).toContain('no-such-model');
    expect(byName.broker!.status).toBe('fail');
    expect(byName.database!.status).toBe('ok');
  });
});

describe('footfall run lifecycle', () => {
  it('starts on the embedded defaults, says where its data is, and stops cleanly on SIGINT', async () => {
    const dir = tempDir();
    // Every default but the two listening ports, moved to free ones so the test collides with
    // nothing on 1883 and 8080; the file sits outside the working directory, where data goes.
    const portsFile = join(tempDir(), 'ports.yaml');
    const statusPort = await freePort();
    writeFileSync(portsFile, `mqtt:\n  embedded:\n    port: ${await freePort()}\nstatus:\n  host: 127.0.0.1\n  port: ${statusPort}\n`);
    // The console a person at a terminal reads (a pipe here, so the format is asked for).
    const child = spawn(process.execPath, [BIN, 'run', '--config', portsFile, '--log-format', 'pretty'], {
      cwd: dir,
      env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 45_000;
    while (!log.includes('footfall agent running') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(log).toContain('footfall agent running');
    expect(log).toContain(join(dir, 'data'));
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(log).toContain('footfall agent stopped');
    expect(existsSync(join(dir, 'data', 'footfall.db'))).toBe(true);
    // One readable line per entry, no JSON; the URL and the first-start password said plainly, once.
    const lines = log.split('\n').filter((l) => l.trim() !== '');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    expect(lines.every((l) => /^\[\d\d:\d\d:\d\d\] (INFO|WARN|ERROR|DEBUG)/.test(l)), log).toBe(true);
    const said = new RegExp(`status page http://127\\.0\\.0\\.1:${statusPort}/ - first start, operator password: ([A-Za-z0-9_-]{20}) `).exec(log);
    expect(said, log).not.toBeNull();
    expect(log.split(said![1]!).length - 1).toBe(1);
  });

  it('stops cleanly on SIGTERM during start-up with a large valid config (64 cameras)', async () => {
    const dir = tempDir();
    const cameras = Array.from({ length: 64 }, (_, i) => `  - name: cam-${i}\n    url: rtsp://127.0.0.1:9/cam-${i}\n    lines:\n      - name: door\n        points: [[0, 100], [640, 100]]\n`).join('');
    writeFileSync(join(dir, 'big.yaml'), `cameras:\n${cameras}mqtt:\n  embedded:\n    port: ${await freePort()}\nstatus:\n  port: ${await freePort()}\n`);
    const child = spawn(process.execPath, [BIN, 'run', '--config', 'big.yaml'], { cwd: dir, env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!log.includes('starting footfall') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(log).toContain('starting footfall');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code, log.slice(-2000)).toBe(0);
    expect(log).toContain('footfall agent stopped');
    // Not a terminal and no --log-format: JSON lines, every one.
    for (const line of log.split('\n').filter((l) => l.trim() !== '')) expect(() => JSON.parse(line), line).not.toThrow();
    // Start-up was cut short: the remaining stages never started.
    expect(log).not.toContain('footfall agent running');
  });
});
