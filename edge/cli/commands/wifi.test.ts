// `footfall wifi` as a user runs it: JSON lines with hashed MACs only, the summary, and
// one-line usage errors.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/footfall.js', import.meta.url));
const PCAP = fileURLToPath(new URL('../../../../shared/fixtures/pcap/', import.meta.url));

async function footfall(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024, cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('footfall wifi', () => {
  it('--jsonl prints one object per probe request with the documented fields and hashed MACs', async () => {
    const key = '00112233445566778899';
    const r = await footfall(['wifi', '--pcap', `${PCAP}test1.pcap`, '--jsonl', '--hash-key', key]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(5);
    expect(Object.keys(lines[0]!)).toEqual(['tsMs', 'macHash', 'randomized', 'rssiDbm', 'ssid', 'seq', 'channelMhz', 'fingerprint']);
    // Known from tshark: first probe 4c:5e:0c:b0:4f:f7, seq 3620, -86 dBm, 2437 MHz, SSID "tmpAP".
    const expected = createHmac('sha256', Buffer.from(key, 'hex')).update(Buffer.from('4c5e0cb04ff7', 'hex')).digest('hex').slice(0, 16);
    expect(lines[0]).toMatchObject({ tsMs: 1537621372193.623, macHash: expected, randomized: false, rssiDbm: -86, ssid: 'tmpAP', seq: 3620, channelMhz: 2437 });
    expect(lines[4]).toMatchObject({ randomized: true, seq: 744 });
    expect(r.stdout).not.toMatch(/4c:5e:0c|4c5e0c/i);
  });

  it('--jsonl prints null for absent signal, channel and wildcard SSID', async () => {
    const r = await footfall(['wifi', '--pcap', `${PCAP}n-02.cap`, '--jsonl', '--hash-key', 'ab']);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ rssiDbm: null, channelMhz: null, ssid: null, seq: 697, randomized: true });
  });

  it('--summary with presence bins and ignored vendor prefixes', async () => {
    const r = await footfall([
      'wifi', '--pcap', `${PCAP}brno-sc6-61_2024-03-15_pos1.pcap`, '--summary', '--presence-minutes', '60', '--ignore-oui', 'dc:fb:48', '--ignore-oui', '40-EC-99',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('probe requests 4926');
    expect(r.stdout).toContain('ignored by vendor prefix 923');
    expect(r.stdout).toMatch(/addresses: \d+ \(\d+ randomized/);
    expect(r.stdout).toContain('2024-03-15T14:00:00.000Z');
  });

  it('--all-randomized estimates devices behind every address (one-phone polimi capture)', async () => {
    const r = await footfall(['wifi', '--pcap', `${PCAP}polimi-probing-patterns/iPhone11-B_anonymized.pcap`, '--all-randomized']);
    expect(r.stdout).toContain('addresses: 465 (465 randomized');
    const est = Number(/estimated devices: (\d+)/.exec(r.stdout)![1]);
    expect(est).toBeGreaterThanOrEqual(1);
    expect(est).toBeLessThan(60);
  });

  it('rejects bad input with one clear line', async () => {
    const a = await footfall(['wifi', '--pcap', `${PCAP}test1.pcap`, '--hash-key', 'xyz']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--hash-key must be 2 to 128 hex digits/);
    const b = await footfall(['wifi', '--pcap', '/nonexistent.pcap']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/capture file not found/);
    const c = await footfall(['wifi']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--pcap is required/);
  });

  it('--summary --json: presence with a low-high range, the learned floor and the fixed devices excluded', async () => {
    const r = await footfall(['wifi', '--pcap', `${PCAP}brno-sc6-61_2024-03-15_pos1.pcap`, '--summary', '--json', '--presence-minutes', '10']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { floor: { source: string; floorDbm: number }; fixedDevices: number; presence: Array<Record<string, number>> };
    expect(s.floor.source).toBe('learned');
    expect(s.fixedDevices).toBeGreaterThan(0);
    expect(s.presence.length).toBe(69);
    expect(Object.keys(s.presence[0]!)).toEqual(['startMs', 'binMs', 'devices', 'low', 'high', 'addresses', 'fixedExcluded', 'floorDbm', 'randomizedAddresses', 'denseFingerprints']);
    for (const b of s.presence) expect(b.low! <= b.devices! && b.devices! <= b.high!).toBe(true);
    const text = await footfall(['wifi', '--pcap', `${PCAP}brno-sc6-61_2024-03-16_pos1.pcap`, '--summary', '--presence-minutes', '10']);
    expect(text.stdout).toMatch(/signal floor: -78 dBm, default: could not learn \(one signal group only/);
    expect(text.stdout).toMatch(/fixed devices excluded: 3/);
  });

  it('takes a negative floor as an option value (--min-rssi -70)', async () => {
    const r = await footfall(['wifi', '--pcap', `${PCAP}brno-sc6-61_2024-03-15_pos1.pcap`, '--summary', '--json', '--presence-minutes', '10', '--min-rssi', '-70']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).floor).toMatchObject({ floorDbm: -70, source: 'option' });
    const bad = await footfall(['wifi', '--pcap', `${PCAP}test1.pcap`, '--summary', '--min-rssi', '-300']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-rssi must be a number between -128 and 0, got "-300"/);
  });

  it('calibrate writes the sensor floor into the data dir; a capture it cannot learn from keeps it and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-cal-'));
    try {
      writeFileSync(join(dir, 'f.yaml'), `dataDir: ${dir}/data\nwifi:\n  sensors:\n    - name: lab\n      pcap: x.pcap\n`);
      const a = await footfall(['wifi', 'calibrate', '--pcap', `${PCAP}brno-sc6-61_2024-03-15_pos1.pcap`, '--config', 'f.yaml'], dir);
      expect(a.code, a.stderr).toBe(0);
      expect(a.stdout).toMatch(/^sensor lab: floor -\d+ dBm, learned by modes/);
      const file = join(dir, 'data', 'wifi-calibration.json');
      const first = JSON.parse(readFileSync(file, 'utf8'));
      expect(first.sensors.lab).toMatchObject({ method: 'modes' });
      const b = await footfall(['wifi', 'calibrate', '--pcap', `${PCAP}brno-sc6-61_2024-03-16_pos1.pcap`, '--config', 'f.yaml'], dir);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain(`could not learn a floor for sensor "lab": one signal group only`);
      expect(b.stderr).toContain(`keeping ${first.sensors.lab.floorDbm} dBm`);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
      // The installer's empty period: the whole Saturday.
      const c = await footfall(['wifi', 'calibrate', '--pcap', `${PCAP}brno-sc6-61_2024-03-16_pos1.pcap`, '--config', 'f.yaml', '--empty', '2024-03-15T23:00Z..2024-03-17T00:00Z'], dir);
      expect(c.code, c.stderr).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8')).sensors.lab).toMatchObject({ method: 'empty-window', initialFloorDbm: first.sensors.lab.floorDbm });
      const d = await footfall(['wifi', 'calibrate', '--pcap', `${PCAP}test1.pcap`, '--config', 'f.yaml', '--sensor', 'door'], dir);
      expect(d.code).toBe(2);
      expect(d.stderr).toMatch(/--sensor "door" is not a configured Wi-Fi sensor \(lab\)/);
      const e = await footfall(['wifi', 'calibrate', '--config', 'f.yaml'], dir);
      expect(e.code).toBe(2);
      expect(e.stderr).toMatch(/exactly one of --pcap FILE or --interface IF/);
      const f = await footfall(['wifi', 'calibrate', '--pcap', `${PCAP}test1.pcap`, '--empty', 'noon..later', '--config', 'f.yaml'], dir);
      expect(f.code).toBe(2);
      expect(f.stderr).toMatch(/--empty: expected FROM\.\.TO/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
