// Reads capture files (classic pcap in micro- or nanoseconds, either byte order, and pcapng)
// record by record without copying: `next()` moves to the next record and exposes its link
// type, timestamp and the byte range of its data in `buffer`. Bad records are counted, not thrown.
import { readFileSync, statSync } from 'node:fs';
import { FootfallError } from '../shared/errors.ts';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const MAX_INTERFACES = 256;
/** libpcap's upper bound for one record; anything longer is corruption. */
const MAX_RECORD_BYTES = 262_144;
/** Largest file read into memory at once (a day of probes is a few MB; a bench file ~200 MB). */
const MAX_FILE_BYTES = 1_500_000_000;

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export class CaptureFileReader {
  readonly buffer: Buffer;
  readonly format: CaptureFormat;
  /** Link type of the current record. */
  linkType = -1;
  /** Timestamp of the current record, ms since the epoch (fractional). */
  tsMs = 0;
  /** Offset of the current record's data in `buffer`. */
  dataOffset = 0;
  /** Captured bytes of the current record. */
  capturedLength = 0;
  /** Length of the packet on the wire. */
  originalLength = 0;
  /** Records read so far (good ones). */
  records = 0;
  /** Records or blocks that were malformed (bogus lengths, unknown interface, cut off). */
  badRecords = 0;
  /** Set when a bad record made the rest of the file unreadable. */
  truncatedAt = -1;

  private pos: number;
  private readonly little: boolean;
  // classic pcap
  private readonly fileLinkType: number;
  private readonly nanos: boolean;
  readonly snapLength: number;
  // pcapng, per interface of the current section
  private ngLittle = true;
  private ifCount = 0;
  private readonly ifLinkType = new Int32Array(MAX_INTERFACES);
  private readonly ifUnitsPerSecond = new Float64Array(MAX_INTERFACES);

  constructor(buffer: Buffer) {
    this.buffer = buffer;
    if (buffer.length < 24 && !(buffer.length >= 12 && buffer.readUInt32LE(0) === PCAPNG_SHB)) {
      throw new FootfallError('INPUT_INVALID', `not a capture file: only ${buffer.length} bytes`);
    }
    const magicLe = buffer.readUInt32LE(0);
    const magicBe = buffer.readUInt32BE(0);
    if (magicLe === PCAPNG_SHB) {
      this.format = 'pcapng';
      this.little = true;
      this.fileLinkType = -1;
      this.nanos = false;
      this.snapLength = 0;
      this.pos = 0;
      return;
    }
    if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) this.little = true;
    else if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) this.little = false;
    else {
      throw new FootfallError('INPUT_INVALID', `not a pcap or pcapng file (magic 0x${magicBe.toString(16).padStart(8, '0')})`);
    }
    const magic = this.little ? magicLe : magicBe;
    this.nanos = magic === PCAP_MAGIC_NS;
    this.format = this.nanos ? 'pcap-ns' : 'pcap';
    this.snapLength = this.u32(16);
    // The upper 16 bits may carry FCS length info (LINKTYPE_ext); the link type is the low 16.
    this.fileLinkType = this.u32(20) & 0xffff;
    this.pos = 24;
  }

  static open(path: string): CaptureFileReader {
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw new FootfallError('FILE_NOT_FOUND', `capture file not found: ${path}`);
    }
    if (size > MAX_FILE_BYTES) throw new FootfallError('INPUT_INVALID', `capture file too large (${size} bytes): ${path}`);
    return new CaptureFileReader(readFileSync(path));
  }

  /** Link type of a classic pcap file (pcapng: of the first interface once read; -1 before). */
  get headerLinkType(): number {
    return this.format === 'pcapng' ? (this.ifCount > 0 ? this.ifLinkType[0]! : -1) : this.fileLinkType;
  }

  /** Moves to the next record; false at the end of the file (or when the rest is unreadable). */
  next(): boolean {
    return this.format === 'pcapng' ? this.nextNg() : this.nextPcap();
  }

  private u32(at: number): number {
    return this.little ? this.buffer.readUInt32LE(at) : this.buffer.readUInt32BE(at);
  }

  private ngU32(at: number): number {
    return this.ngLittle ? this.buffer.readUInt32LE(at) : this.buffer.readUInt32BE(at);
  }

  private ngU16(at: number): number {
    return this.ngLittle ? this.buffer.readUInt16LE(at) : this.buffer.readUInt16BE(at);
  }

  private nextPcap(): boolean {
    const buf = this.buffer;
    for (;;) {
      const pos = this.pos;
      if (pos >= buf.length) return false;
      if (pos + 16 > buf.length) return this.stop(pos);
      const sec = this.u32(pos);
      const frac = this.u32(pos + 4);
      const incl = this.u32(pos + 8);
      const orig = this.u32(pos + 12);
      // A record longer than the file or than any sane snap length means the file is corrupt here;
      // there is no marker to resynchronise on, so the rest is given up (as libpcap does).
      if (incl > MAX_RECORD_BYTES || pos + 16 + incl > buf.length) return this.stop(pos);
      // A bad sub-second field with sane lengths spoils only this record: skip it, count it,
      // and read on (its length still says where the next record starts) (#27).
      if (this.nanos ? frac >= 1e9 : frac >= 1e6) {
        this.badRecords++;
        this.pos = pos + 16 + incl;
        continue;
      }
      this.linkType = this.fileLinkType;
      this.tsMs = sec * 1000 + (this.nanos ? frac / 1e6 : frac / 1e3);
      this.dataOffset = pos + 16;
      this.capturedLength = incl;
      this.originalLength = orig;
      this.pos = pos + 16 + incl;
      this.records++;
      return true;
    }
  }

  private stop(at: number): boolean {
    this.badRecords++;
    this.truncatedAt = at;
    this.pos = this.buffer.length;
    return false;
  }

  private nextNg(): boolean {
    const buf = this.buffer;
    for (;;) {
      const pos = this.pos;
      if (pos >= buf.length) return false;
      if (pos + 12 > buf.length) return this.stop(pos);
      let type = this.ngU32(pos);
      if (buf.readUInt32LE(pos) === PCAPNG_SHB) {
        // A section header sets the byte order of everything up to the next one.
        type = PCAPNG_SHB;
        const bom = buf.readUInt32LE(pos + 8);
        if (bom === PCAPNG_BYTE_ORDER) this.ngLittle = true;
        else if (buf.readUInt32BE(pos + 8) === PCAPNG_BYTE_ORDER) this.ngLittle = false;
        else return this.stop(pos);
        this.ifCount = 0;
      }
      const total = this.ngU32(pos + 4);
      if (total < 12 || total % 4 !== 0 || pos + total > buf.length) return this.stop(pos);
      this.pos = pos + total;
      if (this.ngU32(pos + total - 4) !== total) {
        this.badRecords++;
        continue;
      }
      switch (type) {
        case 1: // Interface Description Block
          this.readInterface(pos, total);
          break;
        case 6: // Enhanced Packet Block
        case 2: {
          // Obsolete Packet Block: 16-bit interface id and drops count instead of a 32-bit id.
          if (total < 32) {
            this.badRecords++;
            break;
          }
          const iface = type === 6 ? this.ngU32(pos + 8) : this.ngU16(pos + 8);
          const caplen = this.ngU32(pos + 20);
          if (iface >= this.ifCount || 28 + caplen + 4 > total) {
            this.badRecords++;
            break;
          }
          this.linkType = this.ifLinkType[iface]!;
          this.tsMs = this.ngTimestampMs(this.ifUnitsPerSecond[iface]!, this.ngU32(pos + 12), this.ngU32(pos + 16));
          this.dataOffset = pos + 28;
          this.capturedLength = caplen;
          this.originalLength = this.ngU32(pos + 24);
          this.records++;
          return true;
        }
        case 3: {
          // Simple Packet Block: no timestamp, interface 0.
          if (this.ifCount === 0 || total < 16) {
            this.badRecords++;
            break;
          }
          const orig = this.ngU32(pos + 8);
          this.linkType = this.ifLinkType[0]!;
          this.tsMs = 0;
          this.dataOffset = pos + 12;
          this.capturedLength = Math.min(orig, total - 16);
          this.originalLength = orig;
          this.records++;
          return true;
        }
        default:
          break; // SHB, statistics, name resolution, custom blocks: nothing to deliver
      }
    }
  }

  /** Same arithmetic as the classic pcap path (seconds * 1000 + fraction), so formats agree to the bit. */
  private ngTimestampMs(unitsPerSecond: number, hi: number, lo: number): number {
    if (unitsPerSecond <= 1e6 && Number.isInteger(unitsPerSecond)) {
      const total = hi * 4294967296 + lo; // exact below 2^53
      const sec = Math.floor(total / unitsPerSecond);
      return sec * 1000 + (total - sec * unitsPerSecond) / (unitsPerSecond / 1000);
    }
    // Finer units (ns) overflow 2^53 since the epoch: split with BigInt (rare formats only).
    const total = (BigInt(hi) << 32n) | BigInt(lo);
    const ups = BigInt(Math.round(unitsPerSecond));
    const sec = total / ups;
    return Number(sec) * 1000 + Number(total - sec * ups) / (unitsPerSecond / 1000);
  }

  private readInterface(pos: number, total: number): void {
    if (total < 20 || this.ifCount >= MAX_INTERFACES) {
      this.badRecords++;
      return;
    }
    const i = this.ifCount++;
    this.ifLinkType[i] = this.ngU16(pos + 8);
    let unitsPerSecond = 1e6;
    // Options: code u16, length u16, value padded to 4; if_tsresol (9) changes the time unit.
    let at = pos + 16;
    const end = pos + total - 4;
    while (at + 4 <= end) {
      const code = this.ngU16(at);
      const len = this.ngU16(at + 2);
      if (code === 0 || at + 4 + len > end) break;
      if (code === 9 && len >= 1) {
        const v = this.buffer[at + 4]!;
        const exp = v & 0x7f;
        unitsPerSecond = v & 0x80 ? 2 ** exp : 10 ** exp;
      }
      at += 4 + ((len + 3) & ~3);
    }
    this.ifUnitsPerSecond[i] = unitsPerSecond;
  }
}
