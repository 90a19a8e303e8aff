// The capture file reader on hand-built files: classic pcap in both byte orders and both
// resolutions, pcapng with big-endian sections, several interfaces, if_tsresol, simple and
// obsolete packet blocks; corrupt lengths are counted, never thrown.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFileReader } from './capture-file.ts';

type W = (b: Buffer, v: number, at: number) => void;
const u32 = (le: boolean): W => (b, v, at) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
const u16 = (le: boolean): W => (b, v, at) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));

function classic(le: boolean, nanos: boolean, linkType: number, records: Array<[number, number, Buffer]>): Buffer {
  const h = Buffer.alloc(24);
  u32(le)(h, nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(le)(h, 2, 4);
  u16(le)(h, 4, 6);
  u32(le)(h, 65535, 16);
  u32(le)(h, linkType, 20);
  const parts: Buffer[] = [h];
  for (const [sec, frac, data] of records) {
    const r = Buffer.alloc(16);
    u32(le)(r, sec, 0);
    u32(le)(r, frac, 4);
    u32(le)(r, data.length, 8);
    u32(le)(r, data.length, 12);
    parts.push(r, data);
  }
  return Buffer.concat(parts);
}

function block(le: boolean, type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const total = 12 + padded.length;
  const b = Buffer.alloc(total);
  u32(le)(b, type, 0);
  u32(le)(b, total, 4);
  padded.copy(b, 8);
  u32(le)(b, total, total - 4);
  return b;
}

function shb(le: boolean): Buffer {
  const body = Buffer.alloc(16);
  u32(le)(body, 0x1a2b3c4d, 0);
  u16(le)(body, 1, 4);
  body.writeBigInt64LE(-1n, 8);
  return block(le, 0x0a0d0d0a, body);
}

function idb(le: boolean, linkType: number, tsresol?: number): Buffer {
  const opts = tsresol === undefined ? Buffer.alloc(0) : Buffer.from([0, 0, 0, 0, tsresol, 0, 0, 0, 0, 0, 0, 0]);
  if (tsresol !== undefined) {
    u16(le)(opts, 9, 0);
    u16(le)(opts, 1, 2);
  }
  const body = Buffer.alloc(8);
  u16(le)(body, linkType, 0);
  u32(le)(body, 65535, 4);
  return block(le, 1, Buffer.concat([body, opts]));
}

function epb(le: boolean, iface: number, ts: bigint, data: Buffer): Buffer {
  const body = Buffer.alloc(20);
  u32(le)(body, iface, 0);
  u32(le)(body, Number(ts >> 32n), 4);
  u32(le)(body, Number(ts & 0xffffffffn), 8);
  u32(le)(body, data.length, 12);
  u32(le)(body, data.length, 16);
  return block(le, 6, Buffer.concat([body, data]));
}

function readAll(buf: Buffer) {
  const r = new CaptureFileReader(buf);
  const out: Array<{ linkType: number; tsMs: number; data: string }> = [];
  while (r.next()) out.push({ linkType: r.linkType, tsMs: r.tsMs, data: r.buffer.subarray(r.dataOffset, r.dataOffset + r.capturedLength).toString('hex') });
  return { r, out };
}

describe('CaptureFileReader', () => {
  it('reads classic pcap in both byte orders, micro- and nanoseconds', () => {
    for (const le of [true, false]) {
      const us = readAll(classic(le, false, 127, [[1_700_000_000, 250_000, Buffer.from('aabb', 'hex')], [1_700_000_001, 1, Buffer.from('cc', 'hex')]]));
      expect(us.r.format).toBe('pcap');
      expect(us.out).toEqual([
        { linkType: 127, tsMs: 1_700_000_000_250, data: 'aabb' },
        { linkType: 127, tsMs: 1_700_000_001_000.001, data: 'cc' },
      ]);
      const ns = readAll(classic(le, true, 105, [[1_700_000_000, 250_000_000, Buffer.from('dd', 'hex')]]));
      expect(ns.r.format).toBe('pcap-ns');
      expect(ns.out).toEqual([{ linkType: 105, tsMs: 1_700_000_000_250, data: 'dd' }]);
    }
  });

  it('reads pcapng: two sections of different byte order, two interfaces, tsresol, simple packet blocks', () => {
    const f = Buffer.concat([
      shb(true),
      idb(true, 127),
      idb(true, 105, 9), // nanoseconds
      epb(true, 0, 1_700_000_000_123_456n, Buffer.from('01', 'hex')),
      epb(true, 1, 1_700_000_000_500_000_000n, Buffer.from('0203', 'hex')),
      block(true, 5, Buffer.alloc(8)), // statistics block: skipped
      shb(false),
      idb(false, 119, 0x80 | 10), // 2^-10 s
      epb(false, 0, 1_700_000_000n * 1024n + 512n, Buffer.from('040506', 'hex')),
      block(false, 3, Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('07', 'hex')])), // simple packet block
    ]);
    const { r, out } = readAll(f);
    expect(r.format).toBe('pcapng');
    expect(r.badRecords).toBe(0);
    expect(out).toEqual([
      { linkType: 127, tsMs: 1_700_000_000_123.456, data: '01' },
      { linkType: 105, tsMs: 1_700_000_000_500, data: '0203' },
      { linkType: 119, tsMs: 1_700_000_000_500, data: '040506' },
      { linkType: 119, tsMs: 0, data: '07' },
    ]);
  });

  it('counts corrupt records instead of throwing', () => {
    // classic: the second record claims more bytes than the file has -> one bad record, reading stops
    const good = classic(true, false, 127, [[1, 0, Buffer.from('aa', 'hex')], [2, 0, Buffer.from('bbbb', 'hex')]]);
    good.writeUInt32LE(1_000_000, 24 + 17 + 8);
    const a = readAll(good);
    expect(a.out.length).toBe(1);
    expect(a.r.badRecords).toBe(1);
    // pcapng: a packet on an undeclared interface and a block whose trailing length disagrees
    const bad = epb(true, 0, 0n, Buffer.from('cc', 'hex'));
    bad.writeUInt32LE(999, bad.length - 4);
    const f = Buffer.concat([shb(true), idb(true, 127), epb(true, 5, 0n, Buffer.from('aa', 'hex')), bad, epb(true, 0, 1000n, Buffer.from('dd', 'hex'))]);
    const b = readAll(f);
    expect(b.out.map((o) => o.data)).toEqual(['dd']);
    expect(b.r.badRecords).toBe(2);
  });

  it('rejects what is not a capture file with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-cap-'));
    try {
      const p = join(dir, 'x.pcap');
      writeFileSync(p, 'this is not a capture file at all');
      expect(() => CaptureFileReader.open(p)).toThrow(/not a pcap or pcapng file/);
      expect(() => CaptureFileReader.open(join(dir, 'missing.pcap'))).toThrow(/capture file not found/);
      writeFileSync(p, 'short');
      expect(() => CaptureFileReader.open(p)).toThrow(/not a capture file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a record with a bad time field (#27)', () => {
  it('is skipped and counted; the 47 good records after it are read', () => {
    const data = Buffer.alloc(20, 0xab);
    const records: Array<[number, number, Buffer]> = [];
    for (let i = 0; i < 3; i++) records.push([1_700_000_000 + i, 1000, data]);
    records.push([1_700_000_003, 1_500_000, data]); // microseconds >= 1e6
    for (let i = 0; i < 47; i++) records.push([1_700_000_004 + i, 2000, data]);
    const r = new CaptureFileReader(classic(true, false, 127, records));
    let n = 0;
    let lastMs = 0;
    while (r.next()) {
      n++;
      lastMs = r.tsMs;
    }
    expect(n).toBe(50);
    expect(r.badRecords).toBe(1);
    expect(r.truncatedAt).toBe(-1);
    expect(lastMs).toBe((1_700_000_004 + 46) * 1000 + 2);
  });
});
