// Runs a capture file through the parser and the MAC hasher and hands each probe request
// to a visitor (used by the capture summary and offline reports). The visitor gets the
// parser (fields of the current probe) and the hasher (its hash), valid during the call.
// Records are visited in time order, far-off clock faults left out (capture-time.ts, #27).
import { CaptureFileReader } from './capture-file.ts';
import { planTimeOrder } from './capture-time.ts';
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
  /** Records earlier than the record just before them in the file; all were visited in time order (#27). */
  outOfOrder: number;
  /** Records left out as clock faults: a handful more than an hour from all the others (#27). */
  timeSkipped: number;
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
  // One pass over the record headers (no parsing), then the records in time order.
  let cap = 1024;
  let offsets = new Float64Array(cap * 4);
  let n = 0;
  while (reader.next()) {
    if (n === cap) {
      cap *= 2;
      const grown = new Float64Array(cap * 4);
      grown.set(offsets);
      offsets = grown;
    }
    const at = n * 4;
    offsets[at] = reader.tsMs;
    offsets[at + 1] = reader.dataOffset;
    offsets[at + 2] = reader.capturedLength;
    offsets[at + 3] = reader.linkType;
    n++;
  }
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = offsets[i * 4]!;
  const plan = planTimeOrder(times);
  let ignored = 0;
  let firstMs = NaN;
  let lastMs = NaN;
  for (let j = 0; j < plan.order.length; j++) {
    const at = plan.order[j]! * 4;
    if (parser.parse(buf, offsets[at + 1]!, offsets[at + 2]!, offsets[at + 3]!) !== ParseStatus.Probe) continue;
    if (ouiMatches(ouis, buf, parser.macOffset)) {
      ignored++;
      continue;
    }
    const ts = offsets[at]!;
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
    outOfOrder: plan.outOfOrder,
    timeSkipped: plan.skipped,
  };
}
