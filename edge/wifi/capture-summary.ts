// Summarises a capture file: frame and probe counts, distinct hashed addresses, the share
// of randomized ones, the estimated device count, and (optionally) devices present per time
// bin. Used by `footfall wifi --summary` and the estimator/presence reports.
import { RandomizedDeviceEstimator, type DeviceEstimatorOptions } from './device-estimator.ts';
import type { ParserCounters } from './probe-parser.ts';
import { scanCaptureFile } from './probe-scanner.ts';

export interface PresenceBin {
  startMs: number;
  /** Distinct hashed addresses in the bin. */
  addresses: number;
  /** Estimated devices: fixed addresses plus randomized-address chains. */
  devices: number;
}

export interface CaptureSummary {
  file: string;
  format: string;
  records: number;
  badRecords: number;
  counters: ParserCounters;
  ignored: number;
  firstMs: number;
  lastMs: number;
  /** Distinct hashed source addresses (the naive device count). */
  addresses: number;
  randomizedAddresses: number;
  randomizedFrames: number;
  /** Fixed (globally unique) addresses + estimated devices behind randomized ones. */
  estimatedDevices: number;
  estimatedRandomizedDevices: number;
  presence: PresenceBin[];
}

export interface SummaryOptions {
  presenceBinMs?: number;
  minRssiDbm?: number;
  ignoreOuis?: ReadonlySet<number>;
  estimator?: DeviceEstimatorOptions;
  /** Treat every address as randomized (captures whose LA bits were scrambled by anonymisation). */
  allRandomized?: boolean;
}

export function summarizeCapture(file: string, key: Uint8Array, options: SummaryOptions = {}): CaptureSummary {
  const binMs = options.presenceBinMs ?? 0;
  const minRssi = options.minRssiDbm ?? -128;
  const estimator = new RandomizedDeviceEstimator(options.estimator);
  const fixed = new Set<number>();
  const randomized = new Set<number>();
  let randomizedFrames = 0;
  const bins = new Map<number, Set<string>>();
  const binAddresses = new Map<number, Set<number>>();
  const scan = scanCaptureFile(
    file,
    key,
    (p, tsMs, hash) => {
      const k = hash.key53();
      let device: string;
      if (p.randomized || options.allRandomized) {
        randomized.add(k);
        randomizedFrames++;
        device = `c${estimator.observe(k, tsMs, p.fingerprint, p.seq, p.rssiDbm)}`;
      } else {
        fixed.add(k);
        device = `a${k}`;
      }
      if (binMs > 0 && !(p.rssiDbm < minRssi)) {
        const b = Math.floor(tsMs / binMs) * binMs;
        let set = bins.get(b);
        let addrs = binAddresses.get(b);
        if (!set || !addrs) {
          set = new Set();
          addrs = new Set();
          bins.set(b, set);
          binAddresses.set(b, addrs);
        }
        set.add(device);
        addrs.add(k);
      }
    },
    { ignoreOuis: options.ignoreOuis },
  );
  const presence: PresenceBin[] = [];
  if (binMs > 0 && !Number.isNaN(scan.firstMs)) {
    for (let b = Math.floor(scan.firstMs / binMs) * binMs; b <= scan.lastMs; b += binMs) {
      presence.push({ startMs: b, addresses: binAddresses.get(b)?.size ?? 0, devices: bins.get(b)?.size ?? 0 });
    }
  }
  return {
    file,
    format: scan.format,
    records: scan.records,
    badRecords: scan.badRecords,
    counters: scan.counters,
    ignored: scan.ignored,
    firstMs: scan.firstMs,
    lastMs: scan.lastMs,
    addresses: fixed.size + randomized.size,
    randomizedAddresses: randomized.size,
    randomizedFrames,
    estimatedDevices: fixed.size + estimator.devices,
    estimatedRandomizedDevices: estimator.devices,
    presence,
  };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}

export function formatSummary(s: CaptureSummary): string {
  const c = s.counters;
  const lines = [
    `file: ${s.file} (${s.format})`,
    `records: ${s.records}${s.badRecords ? ` (+${s.badRecords} bad)` : ''}; probe requests ${c.probes}, other frames ${c.other}, malformed ${c.malformed}, unsupported link ${c.unsupportedLink}, bad FCS ${c.badFcs}${s.ignored ? `, ignored by vendor prefix ${s.ignored}` : ''}`,
    `span: ${iso(s.firstMs)} .. ${iso(s.lastMs)}`,
    `addresses: ${s.addresses} (${s.randomizedAddresses} randomized, ${s.randomizedFrames} randomized frames)`,
    `estimated devices: ${s.estimatedDevices} (${s.estimatedRandomizedDevices} behind randomized addresses)`,
  ];
  if (s.presence.length > 0) {
    lines.push('presence (bin start UTC, addresses, estimated devices):');
    for (const b of s.presence) lines.push(`  ${iso(b.startMs)}  ${String(b.addresses).padStart(4)}  ${String(b.devices).padStart(4)}`);
  }
  return `${lines.join('\n')}\n`;
}
