// Zero-copy parser of captured 802.11 frames down to probe requests: link types radiotap (127),
// bare 802.11 (105), Prism/AVS (119, 163) and PPI (192). It reads straight from the capture buffer,
// fills preallocated fields on itself and returns a status; the raw MAC stays in the buffer
// (only its offset is kept). Nothing here allocates or throws per frame.

export const LinkType = {
  Ieee80211: 105,
  Prism: 119,
  Radiotap: 127,
  Avs: 163,
  Ppi: 192,
} as const;

/** What `parse` found. */
export const ParseStatus = {
  /** A well-formed probe request; fields are filled. */
  Probe: 1,
  /** A readable frame of another type (beacon, data, ...). */
  Other: 2,
  /** Truncated or inconsistent headers: counted and skipped. */
  Malformed: 3,
  /** A link type we do not decode. */
  UnsupportedLink: 4,
} as const;
export type ParseStatusCode = (typeof ParseStatus)[keyof typeof ParseStatus];

/** Bits of `ieFlags`: which capability elements the probe carries. */
export const IeFlag = {
  Rates: 1,
  ExtRates: 2,
  Ht: 4,
  Vht: 8,
  He: 16,
  ExtCap: 32,
  Vendor: 64,
  Ssid: 128,
} as const;

// Radiotap default-namespace fields 0..27: alignment and size in bytes (0 = unknown, stop there).
const RT_ALIGN = new Uint8Array([8, 1, 1, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 4, 1, 4, 2, 8, 2, 2, 2, 1, 2]);
const RT_SIZE = new Uint8Array([8, 1, 1, 4, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 8, 3, 8, 12, 12, 12, 12, 6, 1, 4]);
const RT_TSFT = 0;
const RT_FLAGS = 1;
const RT_CHANNEL = 3;
const RT_DBM_SIGNAL = 5;
const RT_XCHANNEL = 18;
const RT_FLAG_FCS = 0x10;
const RT_FLAG_BAD_FCS = 0x40;
const MAX_PRESENT_WORDS = 32;
export const MAX_SIGNALS = 16;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function channelToMhz(ch: number): number {
  if (ch <= 0) return 0;
  if (ch === 14) return 2484;
  if (ch < 14) return 2407 + 5 * ch;
  return 5000 + 5 * ch;
}

export interface ParserCounters {
  frames: number;
  probes: number;
  other: number;
  malformed: number;
  unsupportedLink: number;
  badFcs: number;
  ieErrors: number;
}

export class ProbeRequestParser {
  // Results of the last parse (valid when it returned Probe).
  status: ParseStatusCode = ParseStatus.Other;
  /** Combined dBm signal (the first radiotap value), NaN when the capture has none. */
  rssiDbm = NaN;
  /** Every dBm signal value in header order: combined first, then per antenna. */
  readonly signals = new Int8Array(MAX_SIGNALS);
  signalCount = 0;
  /** Channel centre frequency, 0 when the capture has none. */
  channelMhz = 0;
  /** Radiotap TSFT (the radio's microsecond clock), NaN when absent. */
  tsftUs = NaN;
  fcsPresent = false;
  badFcs = false;
  /** Offset of the 802.11 header in the buffer and its length (FCS excluded). */
  frameOffset = 0;
  frameLength = 0;
  /** Offset of the source address (6 bytes) in the buffer: hash it, never copy it. */
  macOffset = 0;
  /** Locally administered bit of the source address: a randomized MAC. */
  randomized = false;
  /** Group bit of the source address (invalid for a transmitter, seen in anonymised captures). */
  groupAddress = false;
  seq = 0;
  fragment = 0;
  /** SSID element: offset and length in the buffer; length 0 = wildcard, -1 = no SSID element. */
  ssidOffset = 0;
  ssidLength = -1;
  ieFlags = 0;
  ieCount = 0;
  /** Elements did not fill the body exactly (cut off or trailing bytes). */
  ieError = false;
  /** 32-bit FNV-1a of the element layout and capability contents: the same for one device model/OS. */
  fingerprint = 0;

  readonly counters: ParserCounters = { frames: 0, probes: 0, other: 0, malformed: 0, unsupportedLink: 0, badFcs: 0, ieErrors: 0 };

  /** Parses one captured frame of the given link type at buf[off..off+len). */
  parse(buf: Uint8Array, off: number, len: number, linkType: number): ParseStatusCode {
    this.counters.frames++;
    this.rssiDbm = NaN;
    this.signalCount = 0;
    this.channelMhz = 0;
    this.tsftUs = NaN;
    this.fcsPresent = false;
    this.badFcs = false;
    if (off < 0 || len < 0 || off + len > buf.length) return this.finish(ParseStatus.Malformed);
    let status: ParseStatusCode;
    switch (linkType) {
      case LinkType.Radiotap:
        status = this.parseRadiotap(buf, off, len);
        break;
      case LinkType.Ieee80211:
        status = this.parse80211(buf, off, len);
        break;
      case LinkType.Prism:
      case LinkType.Avs:
        status = this.parsePrism(buf, off, len);
        break;
      case LinkType.Ppi:
        status = this.parsePpi(buf, off, len);
        break;
      default:
        status = ParseStatus.UnsupportedLink;
    }
    return this.finish(status);
  }

  private finish(status: ParseStatusCode): ParseStatusCode {
    this.status = status;
    const c = this.counters;
    if (status === ParseStatus.Probe) {
      c.probes++;
      if (this.badFcs) c.badFcs++;
      if (this.ieError) c.ieErrors++;
    } else if (status === ParseStatus.Other) c.other++;
    else if (status === ParseStatus.Malformed) c.malformed++;
    else c.unsupportedLink++;
    return status;
  }

  private addSignal(v: number): void {
    if (this.signalCount === 0) this.rssiDbm = v;
    if (this.signalCount < MAX_SIGNALS) this.signals[this.signalCount] = v;
    this.signalCount++;
  }

  private parseRadiotap(buf: Uint8Array, off: number, len: number): ParseStatusCode {
    if (len < 8 || buf[off] !== 0) return ParseStatus.Malformed;
    const hdrLen = buf[off + 2]! | (buf[off + 3]! << 8);
    if (hdrLen < 8 || hdrLen > len) return ParseStatus.Malformed;
    const hdrEnd = off + hdrLen;
    // Present words chain through bit 31.
    let words = 0;
    let at = off + 4;
    for (;;) {
      if (at + 4 > hdrEnd || words >= MAX_PRESENT_WORDS) return ParseStatus.Malformed;
      const w = buf[at + 3]!;
      words++;
      at += 4;
      if ((w & 0x80) === 0) break;
    }
    let pos = at;
    let inRadiotapNs = true;
    let bitBase = 0;
    let flagsSeen = false;
    let walking = true;
    for (let wi = 0; wi < words && walking; wi++) {
      const wp = off + 4 + 4 * wi;
      const present = (buf[wp]! | (buf[wp + 1]! << 8) | (buf[wp + 2]! << 16) | (buf[wp + 3]! << 24)) >>> 0;
      if (inRadiotapNs) {
        for (let bit = 0; bit < 29; bit++) {
          if ((present & (1 << bit)) === 0) continue;
          const field = bitBase + bit;
          if (field >= 28) {
            // TLVs (bit 28) or a field this parser does not know: sizes after it are unknowable,
            // but the header length still tells where the 802.11 frame starts.
            walking = false;
            break;
          }
          const align = RT_ALIGN[field]!;
          const rel = pos - off;
          pos = off + ((rel + align - 1) & ~(align - 1));
          const size = RT_SIZE[field]!;
          if (pos + size > hdrEnd) return ParseStatus.Malformed;
          if (field === RT_TSFT) {
            if (Number.isNaN(this.tsftUs)) {
              const lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
              const hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
              this.tsftUs = hi * 4294967296 + lo;
            }
          } else if (field === RT_FLAGS) {
            if (!flagsSeen) {
              flagsSeen = true;
              const f = buf[pos]!;
              this.fcsPresent = (f & RT_FLAG_FCS) !== 0;
              this.badFcs = (f & RT_FLAG_BAD_FCS) !== 0;
            }
          } else if (field === RT_CHANNEL) {
            if (this.channelMhz === 0) this.channelMhz = buf[pos]! | (buf[pos + 1]! << 8);
          } else if (field === RT_XCHANNEL) {
            if (this.channelMhz === 0) this.channelMhz = buf[pos + 4]! | (buf[pos + 5]! << 8);
          } else if (field === RT_DBM_SIGNAL) {
            this.addSignal((buf[pos]! << 24) >> 24);
          }
          pos += size;
        }
      }
      if (!walking) break;
      if (present & (1 << 29)) {
        inRadiotapNs = true;
        bitBase = 0;
      } else if (present & (1 << 30)) {
        // Vendor namespace: OUI(3) sub-namespace(1) skip_length(u16), 2-aligned; its data is skipped whole.
        const rel = pos - off;
        pos = off + ((rel + 1) & ~1);
        if (pos + 6 > hdrEnd) return ParseStatus.Malformed;
        const skip = buf[pos + 4]! | (buf[pos + 5]! << 8);
        pos += 6 + skip;
        if (pos > hdrEnd) return ParseStatus.Malformed;
        inRadiotapNs = false;
        bitBase = 0;
      } else {
        bitBase += 32;
      }
    }
    return this.parse80211(buf, hdrEnd, len - hdrLen);
  }

  private parsePrism(buf: Uint8Array, off: number, len: number): ParseStatusCode {
    if (len < 8) return ParseStatus.Malformed;
    // AVS header (magic 0x80211001/2, big-endian) is also used under link type 119.
    const magic = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
    if (magic === 0x80211001 || magic === 0x80211002) {
      const hdrLen = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
      if (hdrLen < 64 || hdrLen > len) return ParseStatus.Malformed;
      const ch = ((buf[off + 28]! << 24) | (buf[off + 29]! << 16) | (buf[off + 30]! << 8) | buf[off + 31]!) >>> 0;
      this.channelMhz = channelToMhz(ch);
      const ssiType = buf[off + 47]!;
      if (ssiType === 2) this.addSignal((buf[off + 51]! << 24) >> 24);
      return this.parse80211(buf, off + hdrLen, len - hdrLen);
    }
    // Prism: msgcode, msglen (host byte order), devname[16], then 12-byte DID items.
    const lenLe = (buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16) | (buf[off + 7]! << 24)) >>> 0;
    const lenBe = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
    const little = lenLe >= 24 && lenLe <= len;
    const msgLen = little ? lenLe : lenBe;
    if (msgLen < 24 || msgLen > len) return ParseStatus.Malformed;
    for (let at = off + 24; at + 12 <= off + msgLen; at += 12) {
      const did = little
        ? (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0
        : ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
      const status = little ? buf[at + 4]! | (buf[at + 5]! << 8) : (buf[at + 4]! << 8) | buf[at + 5]!;
      if (status !== 0) continue;
      const data = little
        ? buf[at + 8]! | (buf[at + 9]! << 8) | (buf[at + 10]! << 16) | (buf[at + 11]! << 24)
        : (buf[at + 8]! << 24) | (buf[at + 9]! << 16) | (buf[at + 10]! << 8) | buf[at + 11]!;
      if (did === 0x6041 || did === 0x60044) this.addSignal(data);
      else if (did === 0x3041 || did === 0x30044) this.channelMhz = channelToMhz(data);
    }
    return this.parse80211(buf, off + msgLen, len - msgLen);
  }

  private parsePpi(buf: Uint8Array, off: number, len: number): ParseStatusCode {
    if (len < 8 || buf[off] !== 0) return ParseStatus.Malformed;
    const hdrLen = buf[off + 2]! | (buf[off + 3]! << 8);
    const dlt = (buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16) | (buf[off + 7]! << 24)) >>> 0;
    if (hdrLen < 8 || hdrLen > len) return ParseStatus.Malformed;
    if (dlt !== LinkType.Ieee80211) return ParseStatus.UnsupportedLink;
    let at = off + 8;
    const end = off + hdrLen;
    while (at + 4 <= end) {
      const type = buf[at]! | (buf[at + 1]! << 8);
      const flen = buf[at + 2]! | (buf[at + 3]! << 8);
      const data = at + 4;
      if (data + flen > end) return ParseStatus.Malformed;
      if (type === 2 && flen >= 20) {
        // 802.11-Common: tsft(8) flags(2) rate(2) freq(2) chanflags(2) fhss(2) dbm signal(1) noise(1)
        const flags = buf[data + 8]! | (buf[data + 9]! << 8);
        this.fcsPresent = (flags & 1) !== 0;
        this.badFcs = (flags & 4) !== 0;
        this.channelMhz = buf[data + 12]! | (buf[data + 13]! << 8);
        const sig = (buf[data + 18]! << 24) >> 24;
        if (sig !== -128 && sig !== 0) this.addSignal(sig);
      }
      at = data + flen;
    }
    return this.parse80211(buf, end, len - hdrLen);
  }

  private parse80211(buf: Uint8Array, off: number, len: number): ParseStatusCode {
    if (len < 2) return ParseStatus.Malformed;
    const fc0 = buf[off]!;
    // Version 0, type 0 (management), subtype 4 (probe request).
    if (fc0 !== 0x40) return (fc0 & 3) === 0 ? ParseStatus.Other : ParseStatus.Malformed;
    const fc1 = buf[off + 1]!;
    // Management frames with the Order bit carry a 4-byte HT Control field after the header.
    const bodyStart = off + ((fc1 & 0x80) !== 0 ? 28 : 24);
    const fcsLen = this.fcsPresent ? 4 : 0;
    const end = off + len - fcsLen;
    if (bodyStart > end) return ParseStatus.Malformed;
    this.frameOffset = off;
    this.frameLength = len - fcsLen;
    this.macOffset = off + 10;
    const sa0 = buf[off + 10]!;
    this.randomized = (sa0 & 2) !== 0;
    this.groupAddress = (sa0 & 1) !== 0;
    const sc = buf[off + 22]! | (buf[off + 23]! << 8);
    this.seq = sc >>> 4;
    this.fragment = sc & 15;
    this.parseElements(buf, bodyStart, end);
    return ParseStatus.Probe;
  }

  private parseElements(buf: Uint8Array, at: number, end: number): void {
    let h = FNV_OFFSET;
    let flags = 0;
    let count = 0;
    this.ssidOffset = 0;
    this.ssidLength = -1;
    while (at + 2 <= end) {
      const id = buf[at]!;
      const l = buf[at + 1]!;
      const body = at + 2;
      if (body + l > end) break;
      count++;
      h = Math.imul(h ^ id, FNV_PRIME);
      // Contents that identify the device model and OS go into the fingerprint; SSIDs,
      // channel numbers and per-frame values (WPS UUIDs, vendor payloads) do not.
      let fpBytes = 0;
      switch (id) {
        case 0:
          if (this.ssidLength < 0) {
            this.ssidOffset = body;
            this.ssidLength = l;
            flags |= IeFlag.Ssid;
          }
          break;
        case 1:
          flags |= IeFlag.Rates;
          fpBytes = l;
          break;
        case 50:
          flags |= IeFlag.ExtRates;
          fpBytes = l;
          break;
        case 45:
          flags |= IeFlag.Ht;
          fpBytes = l;
          break;
        case 191:
          flags |= IeFlag.Vht;
          fpBytes = l;
          break;
        case 127:
          flags |= IeFlag.ExtCap;
          fpBytes = l;
          break;
        case 70: // RM enabled capabilities
        case 107: // interworking
          fpBytes = l;
          break;
        case 221:
          flags |= IeFlag.Vendor;
          fpBytes = l < 4 ? l : 4; // OUI and type
          break;
        case 255: {
          // Element ID extension: capability elements (HE 35, HE 6 GHz 59, EHT 108) are stable;
          // others (e.g. FILS request parameters) change per frame, so only their id counts.
          const ext = l >= 1 ? buf[body]! : -1;
          if (ext === 35) flags |= IeFlag.He;
          fpBytes = ext === 35 || ext === 59 || ext === 108 ? l : l >= 1 ? 1 : 0;
          break;
        }
        default:
          break;
      }
      for (let i = 0; i < fpBytes; i++) h = Math.imul(h ^ buf[body + i]!, FNV_PRIME);
      at = body + l;
    }
    this.ieError = at !== end;
    this.ieFlags = flags;
    this.ieCount = count;
    this.fingerprint = h >>> 0;
  }
}

/** The fingerprint as 8 hex characters. */
export function fingerprintHex(fp: number): string {
  return (fp >>> 0).toString(16).padStart(8, '0');
}
