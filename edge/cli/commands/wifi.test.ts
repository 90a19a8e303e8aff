// `footfall wifi` as a user runs it: JSON lines with hashed MACs only, the summary, and
// one-line usage errors.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/footfall.js', import.meta.url));
const PCAP = fileURLToPath(new URL('../../../../shared/fixtures/pcap/', import.meta.url));

async function footfall(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 });
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
});
