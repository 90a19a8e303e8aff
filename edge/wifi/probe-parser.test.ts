// Parser unit tests on hand-built frames for the link types and radiotap layouts the shared
// captures do not cover: Prism, AVS, PPI, vendor namespaces, XChannel, +HTC, FCS, truncation.
import { describe, expect, it } from 'vitest';
import { buildRadiotapProbe } from './pcap-writer.ts';
import { fingerprintHex, IeFlag, LinkType, ParseStatus, ProbeRequestParser } from './probe-parser.ts';

const MAC = Uint8Array.from([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
const IES = Uint8Array.from([1, 4, 0x02, 0x04, 0x0b, 0x16, 45, 2, 0xef, 0x01, 127, 1, 0x04, 221, 5, 0x00, 0x17, 0xf2, 0x0a, 0x99]);

/** An 802.11 probe request (no link header): fc, dur, DA, SA, BSSID, seq, SSID, IES. */
function dot11(seq = 1234, ssid = 'shop', order = false): Buffer {
  const h = Buffer.alloc(order ? 28 : 24);
  h[0] = 0x40;
  h[1] = order ? 0x80 : 0;
  h.fill(0xff, 4, 10);
  Buffer.from(MAC).copy(h, 10);
  h.fill(0xff, 16, 22);
  h.writeUInt16LE(seq << 4, 22);
  return Buffer.concat([h, Buffer.from([0, ssid.length]), Buffer.from(ssid), Buffer.from(IES)]);
}

function expectProbe(p: ProbeRequestParser, buf: Uint8Array, macAt: number): void {
  expect(p.status).toBe(ParseStatus.Probe);
  expect(Buffer.from(buf.subarray(p.macOffset, p.macOffset + 6))).toEqual(Buffer.from(MAC));
  expect(p.macOffset).toBe(macAt);
  expect(p.randomized).toBe(true);
  expect(p.seq).toBe(1234);
  expect(Buffer.from(buf.subarray(p.ssidOffset, p.ssidOffset + p.ssidLength)).toString()).toBe('shop');
  expect(p.ieFlags & (IeFlag.Rates | IeFlag.Ht | IeFlag.ExtCap | IeFlag.Vendor | IeFlag.Ssid)).toBe(IeFlag.Rates | IeFlag.Ht | IeFlag.ExtCap | IeFlag.Vendor | IeFlag.Ssid);
  expect(p.ieError).toBe(false);
}

describe('ProbeRequestParser', () => {
  it('reads bare 802.11 (105) and the +HTC variant', () => {
    const p = new ProbeRequestParser();
    const f = dot11();
    p.parse(f, 0, f.length, LinkType.Ieee80211);
    expectProbe(p, f, 10);
    expect(Number.isNaN(p.rssiDbm)).toBe(true);
    const fp = p.fingerprint;
    const g = dot11(1234, 'shop', true);
    p.parse(g, 0, g.length, LinkType.Ieee80211);
    expectProbe(p, g, 10);
    expect(p.fingerprint).toBe(fp);
  });

  it('fingerprints the element layout, not the SSID or sequence number', () => {
    const p = new ProbeRequestParser();
    const a = dot11(1, 'a');
    const b = dot11(4000, 'completely different');
    p.parse(a, 0, a.length, LinkType.Ieee80211);
    const fa = p.fingerprint;
    p.parse(b, 0, b.length, LinkType.Ieee80211);
    expect(p.fingerprint).toBe(fa);
    expect(fingerprintHex(fa)).toMatch(/^[0-9a-f]{8}$/);
    const c = Buffer.concat([dot11(1, 'a'), Buffer.from([50, 1, 0x0c])]);
    p.parse(c, 0, c.length, LinkType.Ieee80211);
    expect(p.fingerprint).not.toBe(fa);
  });

  it('reads radiotap with FCS flag, vendor namespace, per-antenna signals and XChannel', () => {
    // present words: w0 = Flags|Channel|dBm|ext|vendorNS, w1 (vendor ns) = ext|radiotapNS, w2 = dBm|Antenna
    const words = [0x0000002a | 0x80000000 | 0x40000000, 0x80000000 | 0x20000000, 0x00000820];
    const fields: number[] = [];
    // offset 16 after 3 words: Flags(1) @16, pad @17, Channel(4) @18, dBm @22, vendor ns hdr align 2 @24: OUI,sub,skip=3, data 3 @30..32,
    // then radiotap ns: dBm @33, antenna @34
    fields.push(0x10, 0, 0x6c, 0x09, 0xa0, 0x00, 0xd3 /* -45 */, 0 /* pad */, 0x00, 0x11, 0x22, 0x01, 3, 0, 0xaa, 0xbb, 0xcc, 0xd0 /* -48 */, 1);
    const rtLen = 4 + 4 * words.length + fields.length;
    const rt = Buffer.alloc(rtLen);
    rt.writeUInt16LE(rtLen, 2);
    words.forEach((w, i) => rt.writeUInt32LE(w >>> 0, 4 + 4 * i));
    Buffer.from(fields).copy(rt, 16);
    const frame = Buffer.concat([rt, dot11(), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
    const p = new ProbeRequestParser();
    p.parse(frame, 0, frame.length, LinkType.Radiotap);
    expectProbe(p, frame, rtLen + 10);
    expect(p.fcsPresent).toBe(true);
    expect(p.channelMhz).toBe(2412);
    expect(p.rssiDbm).toBe(-45);
    expect(Array.from(p.signals.subarray(0, p.signalCount))).toEqual([-45, -48]);
  });

  it('reads TSFT (8-aligned, first field)', () => {
    // present: TSFT | Flags | dBm: TSFT @8..16, flags @16, dBm @17
    const rt = Buffer.alloc(18);
    rt.writeUInt16LE(18, 2);
    rt.writeUInt32LE(0x23, 4);
    rt.writeBigUInt64LE(0x1_0000_0005n, 8);
    rt[17] = 0xc4;
    const frame = Buffer.concat([rt, dot11()]);
    const p = new ProbeRequestParser();
    p.parse(frame, 0, frame.length, LinkType.Radiotap);
    expectProbe(p, frame, 28);
    expect(p.tsftUs).toBe(4294967301);
    expect(p.rssiDbm).toBe(-60);
  });

  it('reads the channel from XChannel when there is no Channel field', () => {
    // present: XChannel (bit 18) | dBm (5): dBm @8, XChannel align 4 @12 (flags u32, freq u16, ch, maxpower)
    const rt = Buffer.alloc(20);
    rt.writeUInt16LE(20, 2);
    rt.writeUInt32LE((1 << 18) | (1 << 5), 4);
    rt[8] = 0xc4; // -60
    rt.writeUInt16LE(5180, 16);
    const frame = Buffer.concat([rt, dot11()]);
    const p = new ProbeRequestParser();
    p.parse(frame, 0, frame.length, LinkType.Radiotap);
    expectProbe(p, frame, 30);
    expect(p.channelMhz).toBe(5180);
    expect(p.rssiDbm).toBe(-60);
  });

  it('reads Prism (119) signal and channel DIDs', () => {
    const hdr = Buffer.alloc(144);
    hdr.writeUInt32LE(0x41, 0);
    hdr.writeUInt32LE(144, 4);
    hdr.write('wlan0', 8);
    const dids: Array<[number, number]> = [[0x3041, 6], [0x6041, -67]];
    dids.forEach(([did, v], i) => {
      const at = 24 + 12 * i;
      hdr.writeUInt32LE(did, at);
      hdr.writeUInt16LE(0, at + 4);
      hdr.writeUInt16LE(4, at + 6);
      hdr.writeInt32LE(v, at + 8);
    });
    for (let i = 2; i < 10; i++) hdr.writeUInt16LE(1, 24 + 12 * i + 4); // "not supplied"
    const frame = Buffer.concat([hdr, dot11()]);
    const p = new ProbeRequestParser();
    p.parse(frame, 0, frame.length, LinkType.Prism);
    expectProbe(p, frame, 154);
    expect(p.rssiDbm).toBe(-67);
    expect(p.channelMhz).toBe(2437);
  });

  it('reads an AVS header and a PPI header', () => {
    const avs = Buffer.alloc(64);
    avs.writeUInt32BE(0x80211001, 0);
    avs.writeUInt32BE(64, 4);
    avs.writeUInt32BE(11, 28);
    avs.writeUInt32BE(2, 44); // ssi_type dBm
    avs.writeInt32BE(-71, 48);
    const a = Buffer.concat([avs, dot11()]);
    const p = new ProbeRequestParser();
    p.parse(a, 0, a.length, LinkType.Avs);
    expectProbe(p, a, 74);
    expect(p.rssiDbm).toBe(-71);
    expect(p.channelMhz).toBe(2462);

    const ppi = Buffer.alloc(8 + 4 + 20);
    ppi.writeUInt16LE(ppi.length, 2);
    ppi.writeUInt32LE(105, 4);
    ppi.writeUInt16LE(2, 8);
    ppi.writeUInt16LE(20, 10);
    ppi.writeUInt16LE(5745, 12 + 12);
    ppi.writeInt8(-52, 12 + 18);
    const b = Buffer.concat([ppi, dot11()]);
    p.parse(b, 0, b.length, LinkType.Ppi);
    expectProbe(p, b, ppi.length + 10);
    expect(p.rssiDbm).toBe(-52);
    expect(p.channelMhz).toBe(5745);
  });

  it('counts truncated, bogus and foreign frames without throwing', () => {
    const p = new ProbeRequestParser();
    const out = new Uint8Array(256);
    const len = buildRadiotapProbe(out, MAC, 7, -50, 2412, null, IES);
    expect(p.parse(out, 0, len, LinkType.Radiotap)).toBe(ParseStatus.Probe);
    expect(p.ssidLength).toBe(0); // wildcard
    expect(p.parse(out, 0, 20, LinkType.Radiotap)).toBe(ParseStatus.Malformed); // cut inside the 802.11 header
    expect(p.parse(out, 0, 5, LinkType.Radiotap)).toBe(ParseStatus.Malformed);
    const bogus = Uint8Array.from(out.subarray(0, len));
    bogus[2] = 0xff; // radiotap length beyond the frame
    expect(p.parse(bogus, 0, len, LinkType.Radiotap)).toBe(ParseStatus.Malformed);
    expect(p.parse(out, 0, len, 1 /* Ethernet */)).toBe(ParseStatus.UnsupportedLink);
    expect(p.parse(out, 250, 100, LinkType.Radiotap)).toBe(ParseStatus.Malformed); // range outside the buffer
    const beacon = Uint8Array.from(out.subarray(0, len));
    beacon[15] = 0x80;
    expect(p.parse(beacon, 0, len, LinkType.Radiotap)).toBe(ParseStatus.Other);
    // A cut-off element: still a probe (tshark counts it too), flagged.
    expect(p.parse(out, 0, len - 2, LinkType.Radiotap)).toBe(ParseStatus.Probe);
    expect(p.ieError).toBe(true);
    expect(p.counters).toMatchObject({ frames: 8, probes: 2, other: 1, malformed: 4, unsupportedLink: 1, ieErrors: 1 });
  });
});
