// Fuzzing the parser and the file reader with mutated real captures (bit flips, truncations,
// bogus length fields, garbage): over 100,000 frames, no exception escapes, every frame lands
// in exactly one counter, and every frame that is bad by construction is counted as malformed.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { CaptureFileReader } from './capture-file.ts';
import { MacHasher } from './mac-hasher.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { capture } from './testing/fixtures.ts';

const SOURCES = [
  'brno-sc6-61_2024-03-16_pos1.pcap',
  'test1.pcap',
  'n-02.cap',
  'wpa.cap',
  'tcpdump/ieee802.11_exthdr.pcap',
  'tcpdump/ieee802.11_meshid.pcap',
  'polimi-probing-patterns/iPhoneXR-A_anonymized.pcap',
  'probes-2013-03-17.pcap',
  'zn2i.pcap',
  'floatingpoint_exception.pcap',
];

interface Frame {
  data: Uint8Array;
  linkType: number;
}

function loadFrames(): Frame[] {
  const out: Frame[] = [];
  for (const name of SOURCES) {
    const r = CaptureFileReader.open(capture(name));
    while (r.next()) out.push({ data: Uint8Array.from(r.buffer.subarray(r.dataOffset, r.dataOffset + r.capturedLength)), linkType: r.linkType });
  }
  return out;
}

/** Length of the link-layer header for frames where we know it (radiotap), else 0. */
function linkHeaderLength(f: Frame): number {
  return f.linkType === 127 && f.data.length >= 4 ? f.data[2]! | (f.data[3]! << 8) : 0;
}

describe('parser fuzz', () => {
  it('survives 120,000 mutated frames and counts every bad one', () => {
    const frames = loadFrames();
    expect(frames.length).toBeGreaterThan(2_600);
    const rnd = new SeededRandom(20261123);
    const parser = new ProbeRequestParser();
    const hasher = new MacHasher(Buffer.from('fuzz'));
    const scratch = new Uint8Array(70_000);
    const N = 120_000;
    let mustBeBad = 0;
    let badSeen = 0;
    let outOfFrame = 0;
    for (let i = 0; i < N; i++) {
      const f = frames[rnd.int(0, frames.length - 1)]!;
      let len = f.data.length;
      scratch.set(f.data);
      const kind = rnd.int(0, 5);
      let knownBad = false;
      if (kind === 0) {
        // bit flips
        const flips = rnd.int(1, 8);
        for (let k = 0; k < flips && len > 0; k++) scratch[rnd.int(0, len - 1)]! ^= 1 << rnd.int(0, 7);
      } else if (kind === 1) {
        // truncation; cutting a radiotap probe inside its header or 802.11 header is bad for sure
        const hdr = linkHeaderLength(f);
        len = rnd.int(0, len);
        const wasProbe = f.linkType === 127 && f.data.length > hdr && f.data[hdr] === 0x40;
        if (f.linkType === 127 && (len < 8 || (wasProbe && len < hdr + 24))) knownBad = true;
      } else if (kind === 2 && f.linkType === 127 && len >= 4) {
        // bogus radiotap length: beyond the captured bytes
        const bogus = rnd.int(len + 1, 65_535);
        scratch[2] = bogus & 0xff;
        scratch[3] = bogus >> 8;
        knownBad = true;
      } else if (kind === 3 && len > 2) {
        // bogus element lengths somewhere in the body
        for (let k = 0; k < 4; k++) scratch[rnd.int(Math.min(len - 1, linkHeaderLength(f) + 24), len - 1)] = rnd.int(0, 255);
      } else if (kind === 4) {
        // garbage of a random length
        len = rnd.int(0, 600);
        for (let k = 0; k < len; k++) scratch[k] = rnd.int(0, 255);
      } else {
        // present-bitmap chaos: set extension and namespace bits
        if (len >= 8) scratch[7]! |= rnd.pick([0x80, 0x40, 0x20, 0xe0]);
      }
      const status = parser.parse(scratch, 0, len, f.linkType);
      if (status === ParseStatus.Probe) {
        // Whatever the parser accepted is safe to hash and inside the frame.
        if (parser.macOffset + 6 > len || (parser.ssidLength >= 0 && parser.ssidOffset + parser.ssidLength > len)) outOfFrame++;
        hasher.hashAt(scratch, parser.macOffset);
      }
      if (knownBad) {
        mustBeBad++;
        if (status === ParseStatus.Malformed) badSeen++;
      }
    }
    const c = parser.counters;
    expect(c.frames).toBe(N);
    expect(outOfFrame).toBe(0); // whatever the parser accepted lies inside the frame
    expect(c.probes + c.other + c.malformed + c.unsupportedLink).toBe(N);
    expect(mustBeBad).toBeGreaterThan(10_000);
    expect(badSeen).toBe(mustBeBad);
    expect(c.malformed).toBeGreaterThanOrEqual(mustBeBad);
  });

  it('reads mutated capture files without throwing and counts the bad records', () => {
    const rnd = new SeededRandom(7);
    const parser = new ProbeRequestParser();
    const originals = ['brno-sc6-61_2024-03-16_pos1.pcap', 'brno-sc6-61_2024-03-16_pos1.pcapng', 'test1.pcap'].map((n) => CaptureFileReader.open(capture(n)).buffer);
    let files = 0;
    let bad = 0;
    let outside = 0;
    for (let i = 0; i < 300; i++) {
      const src = originals[i % originals.length]!;
      const buf = Buffer.from(src);
      // Corrupt a few bytes after the file header (record/block lengths included), or cut the file.
      if (i % 3 === 0) {
        const cut = rnd.int(25, buf.length);
        const r = new CaptureFileReader(buf.subarray(0, cut));
        while (r.next()) parser.parse(r.buffer, r.dataOffset, r.capturedLength, r.linkType);
        files++;
        bad += r.badRecords;
        continue;
      }
      for (let k = 0; k < 6; k++) buf[rnd.int(24, buf.length - 1)] = rnd.int(0, 255);
      const r = new CaptureFileReader(buf);
      let records = 0;
      while (r.next()) {
        records++;
        if (r.dataOffset + r.capturedLength > buf.length) outside++;
        parser.parse(r.buffer, r.dataOffset, r.capturedLength, r.linkType);
      }
      expect(records).toBe(r.records);
      files++;
      bad += r.badRecords;
    }
    expect(files).toBe(300);
    expect(outside).toBe(0);
    expect(bad).toBeGreaterThan(0);
    expect(parser.counters.frames).toBe(parser.counters.probes + parser.counters.other + parser.counters.malformed + parser.counters.unsupportedLink);
  });
});
