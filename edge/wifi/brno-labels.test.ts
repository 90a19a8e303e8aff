// The brno captures against their per-frame label files: for every frame the randomized
// flag, RSSI, sequence number and channel our parser reads equal the CSV row of that frame.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureFileReader } from './capture-file.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { capture } from './testing/fixtures.ts';

interface Label {
  randomized: boolean;
  rssi: number;
  idx: number;
  seq: number;
  chFreq: number;
}

function readLabels(file: string): Label[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0]!.split(';');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const [cr, crssi, cidx, cseq, cch] = [col('randomized'), col('rssi'), col('idx'), col('seq_num'), col('ch_freq')];
  return lines.slice(1).map((l) => {
    const f = l.split(';');
    return { randomized: f[cr] === '1', rssi: Number(f[crssi]), idx: Number(f[cidx]), seq: Number(f[cseq]), chFreq: Number(f[cch]) };
  });
}

const CASES: Array<[string, string]> = [
  ['brno-sc6-61_2024-03-15_pos1.pcap', 'brno-sc6-61_2024-03-15_pos1.csv'],
  ['brno-sc6-61_2024-03-16_pos1.pcap', 'brno-sc6-61_2024-03-16_pos1.csv'],
  ['brno-sc6-61_2024-03-16_pos1.pcapng', 'brno-sc6-61_2024-03-16_pos1.csv'],
  ['brno-sc6-61_2024-03-16_pos1.nsec.pcap', 'brno-sc6-61_2024-03-16_pos1.csv'],
];

describe('brno captures equal their label files frame by frame', () => {
  it.each(CASES)('%s', (pcap, csv) => {
    const labels = readLabels(capture(csv));
    const reader = CaptureFileReader.open(capture(pcap));
    const parser = new ProbeRequestParser();
    const got: Label[] = [];
    while (reader.next()) {
      const status = parser.parse(reader.buffer, reader.dataOffset, reader.capturedLength, reader.linkType);
      expect(status).toBe(ParseStatus.Probe);
      got.push({ randomized: parser.randomized, rssi: parser.rssiDbm, idx: reader.records - 1, seq: parser.seq, chFreq: parser.channelMhz });
    }
    expect(got.length).toBe(labels.length);
    expect(got).toEqual(labels);
    expect(got.filter((l) => l.randomized).length).toBe(pcap.includes('03-15') ? 2422 : 614);
  });

  it('reads the same frames with the same timestamps from pcap, nanosecond pcap and pcapng', () => {
    const read = (name: string) => {
      const r = CaptureFileReader.open(capture(name));
      const out: Array<[number, string]> = [];
      while (r.next()) out.push([r.tsMs, r.buffer.subarray(r.dataOffset, r.dataOffset + r.capturedLength).toString('hex')]);
      return { format: r.format, out };
    };
    const a = read('brno-sc6-61_2024-03-16_pos1.pcap');
    const b = read('brno-sc6-61_2024-03-16_pos1.nsec.pcap');
    const c = read('brno-sc6-61_2024-03-16_pos1.pcapng');
    expect([a.format, b.format, c.format]).toEqual(['pcap', 'pcap-ns', 'pcapng']);
    expect(a.out.length).toBe(2507);
    expect(b.out).toEqual(a.out);
    expect(c.out).toEqual(a.out);
  });
});
