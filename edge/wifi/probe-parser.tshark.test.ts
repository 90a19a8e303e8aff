// Our parser against tshark on every shared capture: same probe requests (frame numbers),
// timestamps, source MACs (compared as HMAC hashes), sequence numbers, every dBm value and
// channel. Needs the Debian package tshark (CI installs it).
import { createHmac } from 'node:crypto';
import { relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureFileReader } from './capture-file.ts';
import { MacHasher } from './mac-hasher.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { allCaptures, PCAP_DIR } from './testing/fixtures.ts';
import { tsharkAvailable, tsharkProbes } from './testing/tshark.ts';

const KEY = Buffer.from('footfall-test-key');

function referenceHash(sa: string): string {
  return createHmac('sha256', KEY).update(Buffer.from(sa.replace(/:/g, ''), 'hex')).digest('hex').slice(0, 16);
}

interface OurProbe {
  frame: number;
  epochMs: number;
  macHash: string;
  seq: number;
  signals: number[];
  channelMhz: number | null;
}

function ourProbes(file: string): { probes: OurProbe[]; badRecords: number; malformed: number } {
  const reader = CaptureFileReader.open(file);
  const parser = new ProbeRequestParser();
  const hasher = new MacHasher(KEY);
  const probes: OurProbe[] = [];
  while (reader.next()) {
    if (parser.parse(reader.buffer, reader.dataOffset, reader.capturedLength, reader.linkType) !== ParseStatus.Probe) continue;
    hasher.hashAt(reader.buffer, parser.macOffset);
    probes.push({
      frame: reader.records,
      epochMs: reader.tsMs,
      macHash: hasher.hex(),
      seq: parser.seq,
      signals: Array.from(parser.signals.subarray(0, parser.signalCount)),
      channelMhz: parser.channelMhz === 0 ? null : parser.channelMhz,
    });
  }
  return { probes, badRecords: reader.badRecords, malformed: parser.counters.malformed };
}

const files = allCaptures();

describe('probe requests of every shared capture equal tshark -T fields', () => {
  beforeAll(async () => {
    if (!(await tsharkAvailable())) throw new Error('tshark is not installed: apt-get install -y tshark');
  });

  it('finds the shared captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files.map((f) => [relative(PCAP_DIR, f), f]))('%s', async (_name, file) => {
    const ref = await tsharkProbes(file);
    const ours = ourProbes(file);
    expect(ours.probes.length).toBe(ref.probes.length);
    // A file cut off mid-packet (tshark says so) is exactly one bad record for us.
    expect(ours.badRecords).toBe(ref.cutShort ? 1 : 0);
    expect(ours.malformed).toBe(0);
    const expected = ref.probes.map((t) => ({
      frame: t.frame,
      macHash: referenceHash(t.sa),
      seq: t.seq,
      signals: t.signals,
      channelMhz: t.channelMhz,
    }));
    const actual = ours.probes.map(({ epochMs: _e, ...rest }) => rest);
    expect(actual).toEqual(expected);
    for (let i = 0; i < ref.probes.length; i++) {
      expect(Math.abs(ours.probes[i]!.epochMs - ref.probes[i]!.epochMs)).toBeLessThan(0.001);
    }
  });
});
