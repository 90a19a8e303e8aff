// Estimates how many devices are behind a set of randomized (locally administered) MAC
// hashes. Phones rotate random addresses, so counting addresses inflates the count. A new
// address is linked to an earlier "device chain" with the same IE fingerprint that went
// quiet recently, preferring sequence-number continuity, then similar signal, then recency.

export interface DeviceEstimatorOptions {
  /** A new address may continue a chain silent for at most this long. */
  linkWindowMs?: number;
  /** Sequence numbers continue when the new address starts at most this far after the chain's last. */
  maxSeqGap?: number;
  /** Without sequence continuity, link only when the signal differs by at most this (dB). */
  rssiToleranceDb?: number;
  /**
   * Without sequence continuity, a chain takes a new address only after this much silence:
   * about a phone's scan interval, so two phones of one model bursting in turn stay two.
   */
  minRelinkGapMs?: number;
  /**
   * A new address this soon after a chain's last frame belongs to the same scan: some phones
   * (iOS) use a fresh address per channel within one burst.
   */
  sameScanMs?: number;
  /** Same-scan links also need the signal within this many dB (one phone, one moment). */
  sameScanRssiDb?: number;
  /** Addresses unseen for this long are forgotten (memory bound). */
  forgetAfterMs?: number;
}

interface AddressState {
  chain: number;
  lastMs: number;
}

/** Device chains live in parallel growable arrays indexed by chain id. */
export class RandomizedDeviceEstimator {
  readonly linkWindowMs: number;
  readonly maxSeqGap: number;
  readonly rssiToleranceDb: number;
  readonly forgetAfterMs: number;
  readonly minRelinkGapMs: number;
  readonly sameScanMs: number;
  readonly sameScanRssiDb: number;
  /** Distinct addresses observed (the naive count). */
  addresses = 0;
  /** Links made by sequence continuity and by timing/signal alone. */
  seqLinks = 0;
  timingLinks = 0;

  private readonly byAddress = new Map<number, AddressState>();
  private readonly chainsByFingerprint = new Map<number, number[]>();
  private chainCount = 0;
  private chainLastMs = new Float64Array(1024);
  private chainLastSeq = new Int32Array(1024);
  private chainRssi = new Float64Array(1024);

  constructor(options: DeviceEstimatorOptions = {}) {
    this.linkWindowMs = options.linkWindowMs ?? 5 * 60_000;
    this.maxSeqGap = options.maxSeqGap ?? 16;
    this.rssiToleranceDb = options.rssiToleranceDb ?? 12;
    this.forgetAfterMs = options.forgetAfterMs ?? 24 * 3_600_000;
    this.minRelinkGapMs = options.minRelinkGapMs ?? 60_000;
    this.sameScanMs = options.sameScanMs ?? 1_000;
    this.sameScanRssiDb = options.sameScanRssiDb ?? 3;
  }

  /** Estimated devices (chains) so far. */
  get devices(): number {
    return this.chainCount;
  }

  /**
   * Observes one frame of a randomized address (`addressKey` = its hash as a number) and
   * returns the id of the device chain it belongs to.
   */
  observe(addressKey: number, tsMs: number, fingerprint: number, seq: number, rssiDbm: number): number {
    const known = this.byAddress.get(addressKey);
    if (known !== undefined) {
      this.touch(known.chain, tsMs, seq, rssiDbm);
      known.lastMs = tsMs;
      return known.chain;
    }
    this.addresses++;
    const chain = this.pickChain(tsMs, fingerprint, seq, rssiDbm);
    this.byAddress.set(addressKey, { chain, lastMs: tsMs });
    return chain;
  }

  /** Chain id of an address seen before, or -1. */
  chainOf(addressKey: number): number {
    return this.byAddress.get(addressKey)?.chain ?? -1;
  }

  private pickChain(tsMs: number, fingerprint: number, seq: number, rssiDbm: number): number {
    let list = this.chainsByFingerprint.get(fingerprint);
    if (list === undefined) {
      list = [];
      this.chainsByFingerprint.set(fingerprint, list);
    }
    let bestSeq = -1;
    let bestSeqDelta = Infinity;
    let bestTiming = -1;
    let bestTimingScore = Infinity;
    let write = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      // Frames from several sniffers may arrive slightly out of order: treat as simultaneous.
      const silentMs = Math.max(0, tsMs - this.chainLastMs[c]!);
      if (silentMs > this.linkWindowMs) continue; // expired: drop from the candidate list
      list[write++] = c;
      const rssiDiff = Number.isNaN(rssiDbm) || Number.isNaN(this.chainRssi[c]!) ? 0 : Math.abs(rssiDbm - this.chainRssi[c]!);
      if (rssiDiff > this.rssiToleranceDb) continue;
      const seqDelta = (seq - this.chainLastSeq[c]! + 4096) & 4095;
      if (seqDelta >= 1 && seqDelta <= this.maxSeqGap) {
        if (seqDelta < bestSeqDelta) {
          bestSeqDelta = seqDelta;
          bestSeq = c;
        }
        continue;
      }
      if (silentMs > this.sameScanMs && silentMs < this.minRelinkGapMs) continue;
      if (silentMs <= this.sameScanMs && rssiDiff > this.sameScanRssiDb) continue;
      // Closer signal and shorter silence both make the link likelier.
      const score = rssiDiff / this.rssiToleranceDb + silentMs / this.linkWindowMs;
      if (score < bestTimingScore) {
        bestTimingScore = score;
        bestTiming = c;
      }
    }
    list.length = write;
    let chain: number;
    if (bestSeq >= 0) {
      chain = bestSeq;
      this.seqLinks++;
    } else if (bestTiming >= 0) {
      chain = bestTiming;
      this.timingLinks++;
    } else {
      chain = this.newChain(rssiDbm);
      list.push(chain);
    }
    this.touch(chain, tsMs, seq, rssiDbm);
    return chain;
  }

  private newChain(rssiDbm: number): number {
    const id = this.chainCount++;
    if (id >= this.chainLastMs.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.chainLastMs = grow(this.chainLastMs, (n) => new Float64Array(n));
      this.chainLastSeq = grow(this.chainLastSeq, (n) => new Int32Array(n));
      this.chainRssi = grow(this.chainRssi, (n) => new Float64Array(n));
    }
    this.chainRssi[id] = rssiDbm;
    return id;
  }

  private touch(chain: number, tsMs: number, seq: number, rssiDbm: number): void {
    if (tsMs >= this.chainLastMs[chain]!) {
      this.chainLastMs[chain] = tsMs;
      this.chainLastSeq[chain] = seq;
    }
    if (!Number.isNaN(rssiDbm)) {
      const prev = this.chainRssi[chain]!;
      this.chainRssi[chain] = Number.isNaN(prev) ? rssiDbm : prev + 0.3 * (rssiDbm - prev);
    }
  }

  /** Forgets addresses not seen since `nowMs - forgetAfterMs` (chains stay counted). */
  prune(nowMs: number): void {
    const limit = nowMs - this.forgetAfterMs;
    for (const [k, a] of this.byAddress) if (a.lastMs < limit) this.byAddress.delete(k);
  }
}
