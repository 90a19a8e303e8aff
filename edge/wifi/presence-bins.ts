// Devices present per N-minute bin with a low-high range. A device is present in a bin when
// the median RSSI of its frames there reaches the sensor's near-field floor; fixed devices
// (learned or classed staff) are left out and counted apart. Point estimate: globally unique
// addresses plus randomized-address chains (RandomizedDeviceEstimator); low: unique addresses
// plus distinct fingerprints among the randomized ones (one phone model may hide several
// phones, never fewer); high: every address a device (no de-randomisation).

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
}

const MAX_FRAMES = 32;

interface BinDevice {
  binStartMs: number;
  seen: boolean;
  n: number;
  values: Int16Array;
  randomized: boolean;
  fingerprint: number;
  chain: number;
  fixed: boolean;
}

/** How randomized addresses of a bin become devices. */
export type RandomizedGrouping =
  /** RandomizedDeviceEstimator chains (links over time by sequence numbers, timing, signal). */
  | 'chains'
  /** Per IE fingerprint, addresses whose levels lie within `levelGapDb` of each other are one device. */
  | 'fingerprint-level'
  /** Every address is a device (no de-randomisation): for ablation. */
  | 'none';

export class PresenceBinCounter {
  grouping: RandomizedGrouping = 'fingerprint-level';
  levelGapDb = 15;
  private readonly devices = new Map<number, BinDevice>();
  private readonly byFingerprint = new Map<number, number[]>();
  private binStartMs = NaN;
  private readonly fingerprints = new Set<number>();
  private readonly chains = new Set<number>();

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
      d = { binStartMs: this.binStartMs, seen: false, n: 0, values: new Int16Array(MAX_FRAMES), randomized, fingerprint, chain, fixed };
      this.devices.set(key, d);
    } else if (d.binStartMs !== this.binStartMs) {
      d.binStartMs = this.binStartMs;
      d.seen = false;
      d.n = 0;
    }
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
        this.fingerprints.add(d.fingerprint);
        this.chains.add(d.chain >= 0 ? d.chain : -1 - key);
        let levels = this.byFingerprint.get(d.fingerprint);
        if (levels === undefined) {
          levels = [];
          this.byFingerprint.set(d.fingerprint, levels);
        }
        levels.push(Number.isNaN(level) ? 0 : level);
      } else unique++;
    }
    const high = unique + randomized;
    const low = unique + Math.min(this.fingerprints.size, this.chains.size);
    let behindRandomized = randomized;
    if (this.grouping === 'chains') behindRandomized = this.chains.size;
    else if (this.grouping === 'fingerprint-level') {
      behindRandomized = 0;
      for (const levels of this.byFingerprint.values()) behindRandomized += levelGroups(levels, this.levelGapDb);
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
    });
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
