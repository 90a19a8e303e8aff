// Writes classic pcap files (microseconds, little-endian) record by record into a growing
// buffer flushed to disk in chunks: used by the synthetic capture generator and by tests.
import { closeSync, openSync, writeSync } from 'node:fs';

export class PcapWriter {
  private readonly fd: number;
  private readonly chunk: Buffer;
  private used = 0;
  records = 0;

  constructor(path: string, linkType: number, snapLength = 65_535, chunkBytes = 4 * 1024 * 1024) {
    this.fd = openSync(path, 'w');
    this.chunk = Buffer.allocUnsafe(chunkBytes);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snapLength, 16);
    h.writeUInt32LE(linkType, 20);
    writeSync(this.fd, h);
  }

  /** Appends one record; `data[off..off+len)` is copied. */
  write(tsMs: number, data: Uint8Array, off = 0, len = data.length - off): void {
    if (this.used + 16 + len > this.chunk.length) this.flush();
    const sec = Math.floor(tsMs / 1000);
    const usec = Math.min(999_999, Math.round((tsMs - sec * 1000) * 1000));
    const c = this.chunk;
    let at = this.used;
    c.writeUInt32LE(sec >>> 0, at);
    c.writeUInt32LE(usec, at + 4);
    c.writeUInt32LE(len, at + 8);
    c.writeUInt32LE(len, at + 12);
    at += 16;
    c.set(data.subarray(off, off + len), at);
    this.used = at + len;
    this.records++;
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.chunk, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Builds a probe request with a radiotap header (Flags, Channel, dBm signal) into `out`
 * and returns its length. `elements` is the IE body after the SSID element.
 */
export function buildRadiotapProbe(
  out: Uint8Array,
  mac: Uint8Array,
  seq: number,
  rssiDbm: number,
  channelMhz: number,
  ssid: Uint8Array | null,
  elements: Uint8Array,
): number {
  // radiotap: version 0, pad, length 15, present = Flags | Channel | dBm antenna signal
  const rt = 15;
  out.fill(0, 0, rt + 24);
  out[2] = rt;
  out[4] = 0x2a;
  out[8] = 0; // flags: no FCS
  out[10] = channelMhz & 0xff;
  out[11] = channelMhz >> 8;
  out[12] = channelMhz < 3000 ? 0xa0 : 0x40; // 2 GHz CCK/OFDM or 5 GHz flags
  out[13] = 0x00;
  out[14] = rssiDbm & 0xff;
  let at = rt;
  out[at] = 0x40; // probe request
  for (let i = 0; i < 6; i++) {
    out[at + 4 + i] = 0xff;
    out[at + 10 + i] = mac[i]!;
    out[at + 16 + i] = 0xff;
  }
  const sc = (seq & 0xfff) << 4;
  out[at + 22] = sc & 0xff;
  out[at + 23] = sc >> 8;
  at += 24;
  out[at++] = 0;
  if (ssid) {
    out[at++] = ssid.length;
    out.set(ssid, at);
    at += ssid.length;
  } else out[at++] = 0;
  out.set(elements, at);
  return at + elements.length;
}
