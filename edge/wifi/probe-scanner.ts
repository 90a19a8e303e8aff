// Runs a capture file through the parser and the MAC hasher and hands each probe request
// to a visitor (used by the capture summary and offline reports). The visitor gets the
// parser (fields of the current probe) and the hasher (its hash), valid during the call.
import { CaptureFileReader } from './capture-file.ts';
import { MacHasher } from './mac-hasher.ts';
import { ouiMatches } from './oui-filter.ts';
import { ParseStatus, ProbeRequestParser, type ParserCounters } from './probe-parser.ts';

export type ProbeVisitor = (probe: ProbeRequestParser, tsMs: number, hash: MacHasher) => void;

export interface ScanResult {
  format: string;
  records: number;
  badRecords: number;
  ignored: number;
  counters: ParserCounters;
  firstMs: number;
  lastMs: number;
}

export interface ScanOptions {
  ignoreOuis?: ReadonlySet<number>;
  parser?: ProbeRequestParser;
}

export function scanCaptureFile(path: string, key: Uint8Array, visit: ProbeVisitor, options: ScanOptions = {}): ScanResult {
  return scanCapture(CaptureFileReader.open(path), new MacHasher(key), visit, options);
}

export function scanCapture(reader: CaptureFileReader, hasher: MacHasher, visit: ProbeVisitor, options: ScanOptions = {}): ScanResult {
  const parser = options.parser ?? new ProbeRequestParser();
  const ouis = options.ignoreOuis ?? new Set<number>();
  const buf = reader.buffer;
  let ignored = 0;
  let firstMs = NaN;
  let lastMs = NaN;
  while (reader.next()) {
    if (parser.parse(buf, reader.dataOffset, reader.capturedLength, reader.linkType) !== ParseStatus.Probe) continue;
    if (ouiMatches(ouis, buf, parser.macOffset)) {
      ignored++;
      continue;
    }
    const ts = reader.tsMs;
    if (Number.isNaN(firstMs)) firstMs = ts;
    lastMs = ts;
    hasher.hashAt(buf, parser.macOffset);
    visit(parser, ts, hasher);
  }
  return {
    format: reader.format,
    records: reader.records,
    badRecords: reader.badRecords,
    ignored,
    counters: { ...parser.counters },
    firstMs,
    lastMs,
  };
}
