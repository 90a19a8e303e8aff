// Writes one JSON object per probe request (the `footfall wifi --jsonl` format), hashed
// MACs only, with backpressure so a large capture streams instead of piling up in memory.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { CaptureFileReader } from './capture-file.ts';
import { MacHasher } from './mac-hasher.ts';
import { ouiMatches } from './oui-filter.ts';
import { fingerprintHex, ParseStatus, ProbeRequestParser } from './probe-parser.ts';

const decoder = new TextDecoder('utf-8');

/** The JSON line of the parser's current probe (allocates: CLI and tests only). */
export function probeJson(p: ProbeRequestParser, tsMs: number, macHash: string, buf: Uint8Array): string {
  const ssid = p.ssidLength > 0 ? decoder.decode(buf.subarray(p.ssidOffset, p.ssidOffset + p.ssidLength)) : null;
  return JSON.stringify({
    tsMs: Math.round(tsMs * 1000) / 1000,
    macHash,
    randomized: p.randomized,
    rssiDbm: Number.isNaN(p.rssiDbm) ? null : p.rssiDbm,
    ssid,
    seq: p.seq,
    channelMhz: p.channelMhz === 0 ? null : p.channelMhz,
    fingerprint: fingerprintHex(p.fingerprint),
  });
}

export async function writeProbeJsonLines(path: string, key: Uint8Array, out: Writable, ignoreOuis: ReadonlySet<number> = new Set()): Promise<void> {
  const reader = CaptureFileReader.open(path);
  const parser = new ProbeRequestParser();
  const hasher = new MacHasher(key);
  const buf = reader.buffer;
  let chunk = '';
  while (reader.next()) {
    if (parser.parse(buf, reader.dataOffset, reader.capturedLength, reader.linkType) !== ParseStatus.Probe) continue;
    if (ouiMatches(ignoreOuis, buf, parser.macOffset)) continue;
    hasher.hashAt(buf, parser.macOffset);
    chunk += probeJson(parser, reader.tsMs, hasher.hex(), buf) + '\n';
    if (chunk.length > 65_536) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (chunk) out.write(chunk);
}
