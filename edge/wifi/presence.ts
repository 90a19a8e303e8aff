// Presence from hashed probe requests: per device, sessions closed after a silence gap, dwell,
// smoothed RSSI, passerby/visitor/staff class, repeat visits within the key period and the
// strongest-sensor path; per minute, device counts (all, visitors, randomized share and the
// randomized-MAC estimate). Emits `wifi.visit` and `wifi.count` events; time is event time.
import { FootfallError } from '../shared/errors.ts';
import type { NewEvent } from '../shared/types.ts';
import { RandomizedDeviceEstimator, type DeviceEstimatorOptions } from './device-estimator.ts';
import { hashHex } from './mac-hasher.ts';
import { PresenceBinCounter, type PresenceBinResult, type RandomizedGrouping } from './presence-bins.ts';
import { DeviceLevelCollector } from './rssi-floor.ts';
import { MINUTE_MS } from '../shared/time-units.ts';

const MAX_PATH = 64;

export interface PresenceOptions {
  sensors: readonly string[];
  sessionGapMs: number;
  visitorMinDwellMs: number;
  visitorMinRssiDbm: number;
  minRssiDbm: number;
  staffMinHoursPerDay: number;
  rssiSmoothing: number;
  estimator?: DeviceEstimatorOptions;
  /** Near-field floor per sensor (dBm), in sensor order; missing = -128. Change with setFloor. */
  floorsDbm?: readonly number[];
  /** Presence window of `wifi.count`'s `presence` field (ms, default 10 minutes). */
  presenceWindowMs?: number;
  /** How randomized addresses become devices in presence (default auto). */
  grouping?: RandomizedGrouping;
  levelGapDb?: number;
  denseAddressesPerMinute?: number;
}

/** The `presence` field of a `wifi.count` event: devices near the sensors over the window that just ended. */
export interface WifiPresenceData {
  startMs: number;
  windowMs: number;
  devices: number;
  low: number;
  high: number;
  fixedExcluded: number;
  /** Floor in use per sensor name (dBm). */
  floorsDbm: Record<string, number>;
}

export type VisitClass = 'passerby' | 'visitor' | 'staff';

/** One hashed device within the current key period. */
interface DeviceState {
  macHash: string;
  randomized: boolean;
  chain: number;
  // current session
  firstMs: number;
  lastMs: number;
  frames: number;
  rssiEwma: number;
  rssiMax: number;
  strongFirstMs: number;
  strongLastMs: number;
  sensorMask: number;
  sensorRssi: Float64Array;
  strongest: number;
  path: number[];
  // period totals
  visits: number;
  seenMsBefore: number;
  lastMinute: number;
}

export interface PresenceCounters {
  frames: number;
  weak: number;
  sessions: number;
  minutes: number;
}

export class PresenceTracker {
  readonly counters: PresenceCounters = { frames: 0, weak: 0, sessions: 0, minutes: 0 };
  private readonly devices = new Map<number, DeviceState>();
  private estimator: RandomizedDeviceEstimator;
  private currentMinute = NaN;
  private readonly seenThisMinute: DeviceState[] = [];
  private readonly chainsThisMinute = new Set<number>();
  private framesThisMinute = 0;
  private lastSweepMs = -Infinity;
  private latestMs = -Infinity;
  private chainBase = 0;
  private readonly floors: Float64Array;
  private readonly bins: PresenceBinCounter;
  private readonly pendingBins: PresenceBinResult[] = [];
  /** Per sensor: device levels per window of the devices that are not fixed, for re-learning the floor. */
  readonly levels: DeviceLevelCollector[];

  constructor(
    private readonly options: PresenceOptions,
    private readonly emit: (event: NewEvent) => void,
  ) {
    // Sensors are bits of a 32-bit mask per device (the config allows at most 30).
    if (options.sensors.length > 30) throw new FootfallError('CONFIG_INVALID', 'wifi.sensors: at most 30 Wi-Fi sensors per box');
    this.estimator = new RandomizedDeviceEstimator(options.estimator);
    this.floors = new Float64Array(options.sensors.length).fill(-128);
    options.floorsDbm?.forEach((f, i) => this.setFloor(i, f));
    // Frames reach the bins relative to their sensor's floor, so the bins' own floor is 0 dB.
    this.bins = new PresenceBinCounter(options.presenceWindowMs ?? 600_000, () => 0, (b) => this.pendingBins.push(b));
    if (options.grouping) this.bins.grouping = options.grouping;
    if (options.levelGapDb !== undefined) this.bins.levelGapDb = options.levelGapDb;
    if (options.denseAddressesPerMinute !== undefined) this.bins.denseAddressesPerMinute = options.denseAddressesPerMinute;
    this.levels = options.sensors.map(() => new DeviceLevelCollector(undefined, 144));
  }

  /** Sets a sensor's near-field floor (a re-learned calibration); bins closing from now on use it. */
  setFloor(sensor: number, floorDbm: number): void {
    if (sensor >= 0 && sensor < this.floors.length && Number.isFinite(floorDbm)) this.floors[sensor] = floorDbm;
  }

  floorOf(sensor: number): number {
    return this.floors[sensor] ?? -128;
  }

  /** Devices with an open session. */
  get activeDevices(): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.frames > 0) n++;
    return n;
  }

  /**
   * One probe request: `hi`/`lo` are the hash words (MacHasher), `key` its 53-bit map key.
   * Allocates only when a device is seen for the first time in the key period.
   */
  observe(sensor: number, tsMs: number, hi: number, lo: number, key: number, randomized: boolean, rssiDbm: number, fingerprint: number, seq: number): void {
    this.advance(tsMs);
    const o = this.options;
    this.counters.frames++;
    if (rssiDbm < o.minRssiDbm) {
      this.counters.weak++;
      return;
    }
    let d = this.devices.get(key);
    if (d === undefined) {
      d = {
        macHash: hashHex(hi, lo),
        randomized,
        chain: -1,
        firstMs: tsMs,
        lastMs: tsMs,
        frames: 0,
        rssiEwma: NaN,
        rssiMax: -Infinity,
        strongFirstMs: NaN,
        strongLastMs: NaN,
        sensorMask: 0,
        sensorRssi: new Float64Array(o.sensors.length).fill(NaN),
        strongest: -1,
        path: [],
        visits: 0,
        seenMsBefore: 0,
        lastMinute: NaN,
      };
      this.devices.set(key, d);
    } else if (d.frames > 0 && tsMs - d.lastMs > o.sessionGapMs) {
      this.closeSession(d);
    }
    if (d.frames === 0) {
      d.firstMs = tsMs;
      d.lastMs = tsMs;
      d.rssiEwma = NaN;
      d.rssiMax = -Infinity;
      d.strongFirstMs = NaN;
      d.strongLastMs = NaN;
      d.sensorMask = 0;
      d.sensorRssi.fill(NaN);
      d.strongest = -1;
      d.path.length = 0;
      d.visits++;
    }
    d.frames++;
    if (tsMs > d.lastMs) d.lastMs = tsMs;
    if (randomized) d.chain = this.estimator.observe(key, tsMs, fingerprint, seq, rssiDbm);
    if (!Number.isNaN(rssiDbm)) {
      const a = o.rssiSmoothing;
      d.rssiEwma = Number.isNaN(d.rssiEwma) ? rssiDbm : d.rssiEwma + a * (rssiDbm - d.rssiEwma);
      if (rssiDbm > d.rssiMax) d.rssiMax = rssiDbm;
      const s = d.sensorRssi;
      s[sensor] = Number.isNaN(s[sensor]!) ? rssiDbm : s[sensor]! + a * (rssiDbm - s[sensor]!);
      let best = -1;
      for (let i = 0; i < s.length; i++) if (!Number.isNaN(s[i]!) && (best < 0 || s[i]! > s[best]!)) best = i;
      if (best !== d.strongest) {
        d.strongest = best;
        if (d.path.length < MAX_PATH && d.path[d.path.length - 1] !== best) d.path.push(best);
      }
    } else if (d.strongest < 0) {
      d.strongest = sensor;
      d.path.push(sensor);
    }
    d.sensorMask |= 1 << sensor;
    // Visitor dwell counts only time with a signal strong enough to be inside.
    if (!(d.rssiEwma < o.visitorMinRssiDbm)) {
      if (Number.isNaN(d.strongFirstMs)) d.strongFirstMs = tsMs;
      d.strongLastMs = tsMs;
    }
    if (d.lastMinute !== this.currentMinute) {
      d.lastMinute = this.currentMinute;
      this.seenThisMinute.push(d);
    }
    if (d.chain >= 0) this.chainsThisMinute.add(this.chainBase + d.chain);
    this.framesThisMinute++;
    const fixed = d.seenMsBefore + (d.lastMs - d.firstMs) > o.staffMinHoursPerDay * 3_600_000;
    if (!fixed) this.levels[sensor]!.observe(key, tsMs, rssiDbm);
    this.bins.observe(key, tsMs, rssiDbm - this.floors[sensor]!, randomized, fingerprint, d.chain >= 0 ? this.chainBase + d.chain : -1, fixed);
  }

  /** Moves event time forward: closes finished minutes (wifi.count) and silent sessions (wifi.visit). */
  advance(nowMs: number): void {
    if (!(nowMs > this.latestMs)) return;
    this.latestMs = nowMs;
    const minute = nowMs - (nowMs % MINUTE_MS);
    this.bins.advance(nowMs);
    if (Number.isNaN(this.currentMinute)) this.currentMinute = minute;
    else if (minute > this.currentMinute) {
      this.flushMinute();
      // Quiet minutes count too (zeros), up to a day of them after a long silence.
      const quiet = Math.min((minute - this.currentMinute) / MINUTE_MS - 1, 1440);
      for (let i = 1; i <= quiet; i++) {
        this.currentMinute += MINUTE_MS;
        this.flushMinute();
      }
      this.currentMinute = minute;
    }
    if (nowMs - this.lastSweepMs >= 10_000) {
      this.lastSweepMs = nowMs;
      this.sweep(nowMs);
    }
  }

  /** Closes every open session and the current minute (stop, key rotation). */
  flushAll(): void {
    this.bins.finish();
    if (!Number.isNaN(this.currentMinute)) this.flushMinute();
    for (const d of this.devices.values()) if (d.frames > 0) this.closeSession(d);
  }

  /**
   * The capture clock stepped back (agreed by several frames, capture-time.ts): close what is
   * open and let time start again from the next frame, so frames are not dropped as "old".
   */
  restartTime(): void {
    this.flushAll();
    this.currentMinute = NaN;
    this.latestMs = -Infinity;
    this.lastSweepMs = -Infinity;
  }

  /** A new key period: hashes change, so nothing carries over (sessions are closed first). */
  resetPeriod(): void {
    for (const d of this.devices.values()) if (d.frames > 0) this.closeSession(d);
    this.devices.clear();
    // Chain ids of the new estimator start at 0 again: offset them so this minute's set stays distinct.
    this.chainBase += this.estimator.devices;
    this.estimator = new RandomizedDeviceEstimator(this.options.estimator);
  }

  private sweep(nowMs: number): void {
    const gap = this.options.sessionGapMs;
    for (const d of this.devices.values()) if (d.frames > 0 && nowMs - d.lastMs > gap) this.closeSession(d);
    this.estimator.prune(nowMs);
  }

  private classOf(d: DeviceState): VisitClass {
    const o = this.options;
    const seenMs = d.seenMsBefore + (d.frames > 0 ? d.lastMs - d.firstMs : 0);
    if (seenMs > o.staffMinHoursPerDay * 3_600_000) return 'staff';
    const strongMs = Number.isNaN(d.strongFirstMs) ? 0 : d.strongLastMs - d.strongFirstMs;
    return strongMs >= o.visitorMinDwellMs && d.rssiMax >= o.visitorMinRssiDbm ? 'visitor' : 'passerby';
  }

  private closeSession(d: DeviceState): void {
    const cls = this.classOf(d);
    const sensors: string[] = [];
    for (let i = 0; i < this.options.sensors.length; i++) if (d.sensorMask & (1 << i)) sensors.push(this.options.sensors[i]!);
    const source = d.strongest >= 0 ? this.options.sensors[d.strongest]! : (sensors[0] ?? 'wifi');
    const dwellMs = d.lastMs - d.firstMs;
    this.emit({
      tsMs: d.lastMs,
      type: 'wifi.visit',
      source,
      data: {
        macHash: d.macHash,
        randomized: d.randomized,
        firstMs: d.firstMs,
        lastMs: d.lastMs,
        dwellMs,
        rssiMaxDbm: Number.isFinite(d.rssiMax) ? d.rssiMax : null,
        rssiMeanDbm: Number.isNaN(d.rssiEwma) ? null : Math.round(d.rssiEwma * 10) / 10,
        sensors,
        path: d.path.map((i) => this.options.sensors[i]!),
        class: cls,
        visit: d.visits,
        frames: d.frames,
      },
    });
    this.counters.sessions++;
    d.seenMsBefore += dwellMs;
    d.frames = 0;
  }

  /** The latest closed presence window that ended by `endMs` (older ones are dropped). */
  private presenceEndingBy(endMs: number): WifiPresenceData | null {
    let bin: PresenceBinResult | null = null;
    while (this.pendingBins.length > 0 && this.pendingBins[0]!.startMs + this.pendingBins[0]!.binMs <= endMs) bin = this.pendingBins.shift()!;
    // The capture's last, partial window (flushAll) ends later than this minute: attach it too.
    if (bin === null && this.pendingBins.length > 0 && this.pendingBins[0]!.startMs < endMs) bin = this.pendingBins.shift()!;
    if (bin === null) return null;
    const floorsDbm: Record<string, number> = {};
    this.options.sensors.forEach((name, i) => (floorsDbm[name] = this.floors[i]!));
    return { startMs: bin.startMs, windowMs: bin.binMs, devices: bin.devices, low: bin.low, high: bin.high, fixedExcluded: bin.fixedExcluded, floorsDbm };
  }

  private flushMinute(): void {
    const list = this.seenThisMinute;
    let all = 0;
    let visitors = 0;
    let randomized = 0;
    let staff = 0;
    for (let i = 0; i < list.length; i++) {
      const d = list[i]!;
      all++;
      if (d.randomized) randomized++;
      const cls = this.classOf(d);
      if (cls === 'visitor') visitors++;
      else if (cls === 'staff') staff++;
    }
    const fixed = all - randomized;
    const presence = this.presenceEndingBy(this.currentMinute + MINUTE_MS);
    this.emit({
      tsMs: this.currentMinute,
      type: 'wifi.count',
      source: 'wifi',
      data: {
        minuteMs: this.currentMinute,
        all,
        visitors,
        staff,
        randomized,
        randomizedShare: all > 0 ? Math.round((randomized / all) * 1000) / 1000 : 0,
        estimatedDevices: fixed + this.chainsThisMinute.size,
        frames: this.framesThisMinute,
        ...(presence ? { presence } : {}),
      },
    });
    this.counters.minutes++;
    list.length = 0;
    this.chainsThisMinute.clear();
    this.framesThisMinute = 0;
  }
}
