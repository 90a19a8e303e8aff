// Summarises a capture file: frame and probe counts, distinct hashed addresses, the share
// of randomized ones, the estimated device count, and (optionally) devices present per time
// bin. Used by `footfall wifi --summary` and the estimator/presence reports.
import { RandomizedDeviceEstimator, type DeviceEstimatorOptions } from './device-estimator.ts';
import type { ParserCounters } from './probe-parser.ts';
import { FixedDeviceLearner } from './fixed-devices.ts';
import { PresenceBinCounter, type PresenceBinResult, type RandomizedGrouping } from './presence-bins.ts';
import { scanCaptureFile } from './probe-scanner.ts';
import { DEFAULT_FLOOR_DBM, DeviceLevelCollector, learnFloorFromEmptyWindows, learnFloorFromModes, type FloorCalibration } from './rssi-floor.ts';

export type PresenceBin = PresenceBinResult;

/** How the near-field floor of a summary was set. */
export interface SummaryFloor {
  floorDbm: number;
  /** option: given by the caller; learned: from this capture; default: learning failed, the fallback applies. */
  source: 'option' | 'learned' | 'default';
  calibration: FloorCalibration | null;
  /** Why learning failed (source default). */
  failure: string | null;
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
  /** Records earlier than the record just before them in the file; all were counted in time order (#27). */
  outOfOrder: number;
  /** Records skipped as clock faults: fewer than 8 together, more than an hour from all others (#27). */
  timeSkipped: number;
  /** Distinct hashed source addresses (the naive device count). */
  addresses: number;
  randomizedAddresses: number;
  randomizedFrames: number;
  /** Fixed (globally unique) addresses + estimated devices behind randomized ones. */
  estimatedDevices: number;
  estimatedRandomizedDevices: number;
  floor: SummaryFloor;
  /** Addresses learned as fixed (PCs, printers, APs, staff phones) and left out of presence. */
  fixedDevices: number;
  presence: PresenceBin[];
}

export interface SummaryOptions {
  presenceBinMs?: number;
  /** A fixed near-field floor (dBm); without it the floor is -128 unless `calibrate` is set. */
  minRssiDbm?: number;
  /** Learn the floor from this capture (ignored when minRssiDbm is given). */
  calibrate?: boolean;
  /** With `calibrate`: learn only from this [from, to) period, which the installer says was empty. */
  emptyRangeMs?: readonly [number, number];
  /** The floor used when learning fails (default DEFAULT_FLOOR_DBM). */
  fallbackFloorDbm?: number;
  /** Learn fixed devices from the capture and leave them out of presence, with this many hours (staffMinHoursPerDay). */
  fixedMinHours?: number;
  /** How randomized addresses become devices per bin (default auto); none = naive, for ablation. */
  grouping?: RandomizedGrouping;
  /** fingerprint-level: addresses of one fingerprint within this many dB are one device (default 15, chosen on the polimi one-phone files). */
  levelGapDb?: number;
  /** auto: a fingerprint with this many near addresses per minute in a bin counts by chains (default 32). */
  denseAddressesPerMinute?: number;
  ignoreOuis?: ReadonlySet<number>;
  estimator?: DeviceEstimatorOptions;
  /** Treat every address as randomized (captures whose LA bits were scrambled by anonymisation). */
  allRandomized?: boolean;
}

export function summarizeCapture(file: string, key: Uint8Array, options: SummaryOptions = {}): CaptureSummary {
  const binMs = options.presenceBinMs ?? 0;
  const scanOptions = { ignoreOuis: options.ignoreOuis };
  const estimator = new RandomizedDeviceEstimator(options.estimator);
  const fixedLearner = new FixedDeviceLearner({ minHours: options.fixedMinHours ?? 6 });
  const unique = new Set<number>();
  const randomized = new Set<number>();
  let randomizedFrames = 0;
  // Pass 1: addresses, randomized-address chains, fixed devices.
  const scan = scanCaptureFile(
    file,
    key,
    (p, tsMs, hash) => {
      const k = hash.key53();
      if (p.randomized || options.allRandomized) {
        randomized.add(k);
        randomizedFrames++;
        estimator.observe(k, tsMs, p.fingerprint, p.seq, p.rssiDbm);
      } else {
        unique.add(k);
        fixedLearner.observe(k, tsMs, p.rssiDbm);
      }
    },
    scanOptions,
  );
  const fixed = options.fixedMinHours === undefined ? new Set<number>() : fixedLearner.learn();
  // Pass 2 (only when calibrating): device levels per window of the devices that are not fixed.
  let floor: SummaryFloor;
  if (options.minRssiDbm !== undefined || !options.calibrate) {
    floor = { floorDbm: options.minRssiDbm ?? -128, source: 'option', calibration: null, failure: null };
  } else {
    const levels = new DeviceLevelCollector();
    const range = options.emptyRangeMs;
    scanCaptureFile(
      file,
      key,
      (p, tsMs, hash) => {
        const k = hash.key53();
        if (fixed.has(k)) return;
        if (range && (tsMs < range[0] || tsMs >= range[1])) return;
        levels.observe(k, tsMs, p.rssiDbm);
      },
      scanOptions,
    );
    const windows = levels.finish();
    const learned = range ? learnFloorFromEmptyWindows(windows) : learnFloorFromModes(windows, { stayingDevicesShiftDb: fixedLearner.levelShiftDb() });
    floor = learned.ok
      ? { floorDbm: learned.calibration.floorDbm, source: 'learned', calibration: learned.calibration, failure: null }
      : { floorDbm: options.fallbackFloorDbm ?? DEFAULT_FLOOR_DBM, source: 'default', calibration: null, failure: learned.reason };
  }
  // Pass 3: presence per bin at that floor.
  const presence: PresenceBin[] = [];
  if (binMs > 0 && !Number.isNaN(scan.firstMs)) {
    const counter = new PresenceBinCounter(binMs, () => floor.floorDbm, (b) => presence.push(b));
    if (options.grouping) counter.grouping = options.grouping;
    if (options.levelGapDb !== undefined) counter.levelGapDb = options.levelGapDb;
    if (options.denseAddressesPerMinute !== undefined) counter.denseAddressesPerMinute = options.denseAddressesPerMinute;
    counter.advance(scan.firstMs);
    scanCaptureFile(
      file,
      key,
      (p, tsMs, hash) => {
        const k = hash.key53();
        const rnd = p.randomized || options.allRandomized === true;
        counter.observe(k, tsMs, p.rssiDbm, rnd, p.fingerprint, rnd ? estimator.chainOf(k) : -1, fixed.has(k));
      },
      scanOptions,
    );
    counter.finish();
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
    outOfOrder: scan.outOfOrder,
    timeSkipped: scan.timeSkipped,
    addresses: unique.size + randomized.size,
    randomizedAddresses: randomized.size,
    randomizedFrames,
    estimatedDevices: unique.size + estimator.devices,
    estimatedRandomizedDevices: estimator.devices,
    floor,
    fixedDevices: fixed.size,
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
    ...(s.outOfOrder || s.timeSkipped ? [`capture time: ${s.outOfOrder} steps back in the file (counted in time order), ${s.timeSkipped} far-off records skipped (fewer than 8 together, over an hour from the rest)`] : []),
    `addresses: ${s.addresses} (${s.randomizedAddresses} randomized, ${s.randomizedFrames} randomized frames)`,
    `estimated devices: ${s.estimatedDevices} (${s.estimatedRandomizedDevices} behind randomized addresses)`,
  ];
  if (s.presence.length > 0) {
    const f = s.floor;
    const how = f.source === 'learned' ? `learned from this capture (${f.calibration!.method}: far ${f.calibration!.farLevelDbm} dBm, ${f.calibration!.emptyWindows} far-only and ${f.calibration!.nearWindows} near windows)` : f.source === 'default' ? `default: could not learn (${f.failure})` : 'given';
    lines.push(`signal floor: ${f.floorDbm} dBm, ${how}`);
    lines.push(`fixed devices excluded: ${s.fixedDevices}`);
    lines.push('presence (bin start UTC, near addresses, estimated devices, low-high, fixed excluded):');
    for (const b of s.presence) {
      lines.push(`  ${iso(b.startMs)}  ${String(b.addresses).padStart(4)}  ${String(b.devices).padStart(4)}  ${`${b.low}-${b.high}`.padStart(7)}  ${String(b.fixedExcluded).padStart(3)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
