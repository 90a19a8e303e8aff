// Devices present per N-minute bin with a low-high range. A device is present in a bin when
// the median RSSI of its frames there reaches the sensor's near-field floor; fixed devices
// (learned or classed staff) are left out and counted apart. Point estimate: globally unique
// addresses plus the devices behind the randomized ones by `grouping` (default auto: per IE
// fingerprint, level groups where the fingerprint is sparse, estimator chains where it is
// dense, never fewer than its addresses active at once); low: unique addresses plus distinct
// fingerprints among the randomized ones (one phone model may hide several phones, never
// fewer); high: every address a device (no de-randomisation).

export interface PresenceBinResult {
  startMs: number;
  binMs: number;
  /** Point estimate of devices near the sensor. */
  devices: number;
  low: number;
  high: number;
  /** Near addresses (naive count, = high). */
  addresses: number;
  /** Near devices left out as fixed (PCs, printers, APs, staff phones). */
  fixedExcluded: number;
  floorDbm: number;
  /** Near randomized addresses (part of `addresses`). */
  randomizedAddresses: number;
  /** auto: fingerprints counted as dense (chains) in this bin. */
  denseFingerprints: number;
}

const MAX_FRAMES = 32;
/**
 * auto's density threshold (near addresses per minute of one fingerprint in a bin): the smallest
 * that keeps the polimi one-phone files (one phone emits up to 16 a minute over 10 minutes, 54 in
 * its busiest minute) at 1-2 devices in >= 95% of both their 10- and 1-minute bins; the simulated
 * mall (seed 2) prefers lower values (tuning set and sweep: BENCHMARKS.md #19).
 */
export const DEFAULT_DENSE_ADDRESSES_PER_MINUTE = 32;

interface BinDevice {
  binStartMs: number;
  seen: boolean;
  n: number;
  values: Int16Array;
  randomized: boolean;
  fingerprint: number;
  chain: number;
  fixed: boolean;
  firstMs: number;
  lastMs: number;
  level: number;
  chainKey: number;
}

/** How randomized addresses of a bin become devices. */
export type RandomizedGrouping =
  /** RandomizedDeviceEstimator chains (links over time by sequence numbers, timing, signal). */
  | 'chains'
  /** Per IE fingerprint, addresses whose levels lie within `levelGapDb` of each other are one device. */
  | 'fingerprint-level'
  /**
   * Per IE fingerprint: chains when the fingerprint's near addresses per minute reach
   * `denseAddressesPerMinute` (more than one phone emits: several phones of one model, which
   * level groups would merge), else level groups; either way at least the fingerprint's peak
   * number of addresses active at once (a device uses one address at a time).
   */
  | 'auto'
  /** Every address is a device (no de-randomisation): for ablation. */
  | 'none';

export class PresenceBinCounter {
  grouping: RandomizedGrouping = 'auto';
  levelGapDb = 15;
  /** auto: a fingerprint with this many near addresses per minute in a bin is dense (BENCHMARKS.md #19). */
  denseAddressesPerMinute = DEFAULT_DENSE_ADDRESSES_PER_MINUTE;
  private readonly devices = new Map<number, BinDevice>();
  private readonly byFingerprint = new Map<number, BinDevice[]>();
  private binStartMs = NaN;
  private readonly fingerprints = new Set<number>();
  private readonly chains = new Set<number>();
  private readonly levels: number[] = [];
  private scratchA = new Float64Array(64);
  private scratchB = new Float64Array(64);

  /**
   * `floorDbm` is read at each bin close (the stage may re-learn it); `onBin` gets every bin,
   * empty ones included, in order.
   */
  constructor(
    readonly binMs: number,
    private readonly floorDbm: () => number,
    private readonly onBin: (bin: PresenceBinResult) => void,
  ) {}

  /** One frame: `chain` = estimator chain of a randomized address (-1 otherwise), `fixed` = a learned fixed device. */
  observe(key: number, tsMs: number, rssiDbm: number, randomized: boolean, fingerprint: number, chain: number, fixed: boolean): void {
    this.advance(tsMs);
    if (tsMs < this.binStartMs) return;
    let d = this.devices.get(key);
    if (d === undefined) {
      d = { binStartMs: this.binStartMs, seen: false, n: 0, values: new Int16Array(MAX_FRAMES), randomized, fingerprint, chain, fixed, firstMs: tsMs, lastMs: tsMs, level: 0, chainKey: 0 };
      this.devices.set(key, d);
    } else if (d.binStartMs !== this.binStartMs) {
      d.binStartMs = this.binStartMs;
      d.seen = false;
      d.n = 0;
    }
    // Active span of the address in this bin (frames of several sensors may arrive slightly out of order).
    if (!d.seen) {
      d.firstMs = tsMs;
      d.lastMs = tsMs;
    } else if (tsMs < d.firstMs) d.firstMs = tsMs;
    else if (tsMs > d.lastMs) d.lastMs = tsMs;
    d.seen = true;
    d.fixed = fixed;
    if (chain >= 0) d.chain = chain;
    if (!Number.isNaN(rssiDbm) && d.n < MAX_FRAMES) d.values[d.n++] = Math.round(rssiDbm);
  }

  /** Closes every bin that ended before `nowMs` (quiet bins included, at most a day of them). */
  advance(nowMs: number): void {
    const start = nowMs - (nowMs % this.binMs);
    if (Number.isNaN(this.binStartMs)) {
      this.binStartMs = start;
      return;
    }
    let quiet = 0;
    while (start > this.binStartMs) {
      this.closeBin();
      this.binStartMs = quiet++ < 1440 ? this.binStartMs + this.binMs : start;
    }
  }

  /** Closes the open bin (end of a capture). */
  finish(): void {
    if (!Number.isNaN(this.binStartMs)) this.closeBin();
    this.binStartMs = NaN;
  }

  private closeBin(): void {
    const floor = this.floorDbm();
    let unique = 0;
    let randomized = 0;
    let fixed = 0;
    this.fingerprints.clear();
    this.chains.clear();
    this.byFingerprint.clear();
    for (const [key, d] of this.devices) {
      if (d.binStartMs !== this.binStartMs) {
        this.devices.delete(key);
        continue;
      }
      if (!d.seen) continue;
      const level = d.n > 0 ? medianOf(d.values, d.n) : NaN;
      d.seen = false;
      d.n = 0;
      // No signal reading at all (some captures): present, the floor cannot apply.
      if (level < floor) continue;
      if (d.fixed) {
        fixed++;
        continue;
      }
      if (d.randomized) {
        randomized++;
        d.level = Number.isNaN(level) ? 0 : level;
        d.chainKey = d.chain >= 0 ? d.chain : -1 - key;
        this.fingerprints.add(d.fingerprint);
        this.chains.add(d.chainKey);
        let list = this.byFingerprint.get(d.fingerprint);
        if (list === undefined) {
          list = [];
          this.byFingerprint.set(d.fingerprint, list);
        }
        list.push(d);
      } else unique++;
    }
    const high = unique + randomized;
    const low = unique + Math.min(this.fingerprints.size, this.chains.size);
    let behindRandomized = randomized;
    let denseFingerprints = 0;
    if (this.grouping === 'chains') behindRandomized = this.chains.size;
    else if (this.grouping === 'fingerprint-level' || this.grouping === 'auto') {
      behindRandomized = 0;
      const minutes = this.binMs / 60_000;
      for (const list of this.byFingerprint.values()) {
        if (this.grouping === 'auto' && list.length / minutes >= this.denseAddressesPerMinute) {
          denseFingerprints++;
          behindRandomized += Math.max(this.distinctChains(list), this.peakActive(list));
          continue;
        }
        const levels = this.levels;
        levels.length = 0;
        for (let i = 0; i < list.length; i++) levels.push(list[i]!.level);
        const groups = levelGroups(levels, this.levelGapDb);
        behindRandomized += this.grouping === 'auto' ? Math.max(groups, this.peakActive(list)) : groups;
      }
    }
    this.onBin({
      startMs: this.binStartMs,
      binMs: this.binMs,
      devices: Math.max(low, Math.min(high, unique + behindRandomized)),
      low,
      high,
      addresses: high,
      fixedExcluded: fixed,
      floorDbm: floor,
      randomizedAddresses: randomized,
      denseFingerprints,
    });
  }

  private scratch(n: number): void {
    if (this.scratchA.length < n) {
      this.scratchA = new Float64Array(n * 2);
      this.scratchB = new Float64Array(n * 2);
    }
  }

  /** Distinct estimator chains among one fingerprint's addresses. */
  private distinctChains(list: BinDevice[]): number {
    this.scratch(list.length);
    const keys = this.scratchA.subarray(0, list.length);
    for (let i = 0; i < list.length; i++) keys[i] = list[i]!.chainKey;
    keys.sort();
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) n++;
    return n;
  }

  /**
   * Most of one fingerprint's addresses active at once, an address being active from its first
   * to its last frame in the bin: a device uses one address at a time, so that many devices at least.
   */
  private peakActive(list: BinDevice[]): number {
    this.scratch(list.length);
    const starts = this.scratchA.subarray(0, list.length);
    const ends = this.scratchB.subarray(0, list.length);
    for (let i = 0; i < list.length; i++) {
      starts[i] = list[i]!.firstMs;
      ends[i] = list[i]!.lastMs;
    }
    starts.sort();
    ends.sort();
    let active = 0;
    let peak = 0;
    for (let i = 0, j = 0; i < starts.length; ) {
      // An address starting at the very moment another one ends overlaps it (two frames at once).
      if (starts[i]! <= ends[j]!) {
        active++;
        i++;
        if (active > peak) peak = active;
      } else {
        active--;
        j++;
      }
    }
    return peak;
  }
}

function medianOf(values: Int16Array, n: number): number {
  const v = Array.from(values.subarray(0, n)).sort((a, b) => a - b);
  return v[(n - 1) >> 1]!;
}

/** Groups of levels where neighbours (sorted) are at most `gapDb` apart: phones at different places. */
function levelGroups(levels: number[], gapDb: number): number {
  levels.sort((a, b) => a - b);
  let groups = 1;
  for (let i = 1; i < levels.length; i++) if (levels[i]! - levels[i - 1]! > gapDb) groups++;
  return groups;
}
