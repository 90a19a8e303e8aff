// The Wi-Fi stage: frames from every configured sensor (live monitor-mode capture or a capture
// file replayed) go through the zero-copy parser and the keyed MAC hasher into presence
// tracking, which writes `wifi.visit` and per-minute `wifi.count` events to the sink.
// Raw MACs never leave the capture buffer; only hashes reach presence, events and logs.
import { isAbsolute, resolve } from 'node:path';
import type { WifiConfig } from '../config/sections/wifi.ts';
import { errorMessage, FootfallError } from '../shared/errors.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { EventSink, NewEvent, Stage, StageHealth } from '../shared/types.ts';
import { readCalibrationFile, writeSensorCalibration, type CalibrationFile } from './calibration-file.ts';
import type { CaptureSource } from './capture-source.ts';
import { CaptureTimeFilter, TimeVerdict } from './capture-time.ts';
import { HashKeyStore } from './key-store.ts';
import { LiveCaptureSource } from './live-source.ts';
import { MacHasher } from './mac-hasher.ts';
import { ouiMatches, parseOuiList } from './oui-filter.ts';
import { PresenceTracker } from './presence.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { PcapReplaySource } from './replay-source.ts';
import { learnFloorFromModes } from './rssi-floor.ts';

export interface WifiStageOptions {
  config: WifiConfig;
  /** Where the hash key file lives (relative keyFile paths are under it). */
  dataDir: string;
  sink: EventSink;
  logger: Logger;
  /** Base for relative pcap paths; defaults to the process working directory. */
  cwd?: string;
  /** Wall clock, for tests. */
  now?: () => number;
  /** First retry delay of a sensor that cannot start (ms; doubles up to 5 minutes). */
  sensorRetryMs?: number;
}

const TICK_MS = 5_000;
/** A sensor whose source cannot start is retried after this, doubling up to the maximum. */
const RETRY_FIRST_MS = 10_000;
const RETRY_MAX_MS = 300_000;

/** One configured sensor: its source once started, or why it is not running. */
interface SensorSlot {
  source: CaptureSource | null;
  error: string | null;
  retryMs: number;
  retryTimer: NodeJS.Timeout | null;
  failures: number;
}

export class WifiStage implements Stage {
  readonly name = 'wifi';
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly parser = new ProbeRequestParser();
  private readonly hasher = new MacHasher();
  private sensors: SensorSlot[] = [];
  /** Per sensor: its frame times, so one far-off record cannot move presence (#27). */
  private timeFilters: CaptureTimeFilter[] = [];
  /** Per sensor: frames its filter held at the last tick (held through a tick unchanged: settle them). */
  private heldAtTick: number[] = [];
  private presence: PresenceTracker | null = null;
  private keys: HashKeyStore | null = null;
  private ouis: ReadonlySet<number> = new Set();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private allFinishedFlushed = false;
  private ignored = 0;
  private sinkErrors = 0;
  private events = 0;
  private calibrationPath = '';
  /** Per sensor: floor first in use (drift is against it) and the last re-learning's outcome. */
  private initialFloors: number[] = [];
  private relearnNote: string[] = [];
  private lastRelearnMs = NaN;
  private relearnEveryMs = 0;

  constructor(private readonly options: WifiStageOptions) {
    this.log = options.logger.child({ module: 'wifi' });
    this.warnings = new RateLimitedLog(this.log);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, dataDir } = this.options;
    this.stopped = false;
    if (config.sensors.length === 0) {
      this.log.info('no Wi-Fi sensor configured; Wi-Fi stage idle');
      this.running = true;
      return;
    }
    this.ouis = parseOuiList(config.ignoreOuis, (m) => new FootfallError('CONFIG_INVALID', `wifi.ignoreOuis: ${m}`));
    const keyPath = isAbsolute(config.keyFile) ? config.keyFile : resolve(dataDir, config.keyFile);
    this.keys = new HashKeyStore(keyPath, config.keyRotation);
    const floorsDbm = this.loadFloors();
    this.relearnEveryMs = config.presence.floor === 'auto' ? config.presence.relearnHours * 3_600_000 : 0;
    this.presence = new PresenceTracker(
      {
        floorsDbm,
        presenceWindowMs: config.presence.windowMinutes * 60_000,
        grouping: config.presence.grouping,
        levelGapDb: config.presence.levelGapDb,
        denseAddressesPerMinute: config.presence.denseAddressesPerMinute,
        sensors: config.sensors.map((s) => s.name),
        sessionGapMs: config.sessionGapMs,
        visitorMinDwellMs: config.visitorMinDwellMs,
        visitorMinRssiDbm: config.visitorMinRssiDbm,
        minRssiDbm: config.minRssiDbm,
        staffMinHoursPerDay: config.staffMinHoursPerDay,
        rssiSmoothing: config.rssiSmoothing,
        estimator: config.estimator,
      },
      (e) => this.emit(e),
    );
    // A sensor that cannot start (a missing or corrupt capture, an absent interface) fails
    // alone: it is reported in health with its name and source and retried; the other
    // sensors and the rest of the agent keep running.
    const firstRetryMs = this.options.sensorRetryMs ?? RETRY_FIRST_MS;
    this.timeFilters = config.sensors.map(() => new CaptureTimeFilter());
    this.heldAtTick = config.sensors.map(() => 0);
    this.sensors = config.sensors.map(() => ({ source: null, error: null, retryMs: firstRetryMs, retryTimer: null, failures: 0 }));
    for (let i = 0; i < config.sensors.length; i++) await this.startSensor(i);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
    this.running = true;
  }

  /**
   * Each sensor's near-field floor: from the calibration file (auto) or the config. A file that
   * cannot be read is logged and the config floor used, so a bad file never stops the agent.
   */
  private loadFloors(): number[] {
    const { config, dataDir } = this.options;
    const p = config.presence;
    this.calibrationPath = isAbsolute(p.calibrationFile) ? p.calibrationFile : resolve(dataDir, p.calibrationFile);
    let file: CalibrationFile = { version: 1, sensors: {} };
    if (p.floor === 'auto') {
      try {
        file = readCalibrationFile(this.calibrationPath);
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'Wi-Fi calibration file unreadable; using wifi.presence.floorDbm');
      }
    }
    const floors = config.sensors.map((s) => file.sensors[s.name]?.floorDbm ?? p.floorDbm);
    this.initialFloors = config.sensors.map((s, i) => file.sensors[s.name]?.initialFloorDbm ?? floors[i]!);
    this.relearnNote = config.sensors.map((s) => (file.sensors[s.name] ? `from ${p.calibrationFile}` : p.floor === 'auto' ? 'default, not learned yet' : 'fixed'));
    this.log.info({ floorsDbm: Object.fromEntries(config.sensors.map((s, i) => [s.name, floors[i]])), mode: p.floor }, 'Wi-Fi presence floors');
    return floors;
  }

  /**
   * Re-learns each sensor's floor from the last day of its own signal and moves the floor in use
   * towards it by at most maxStepDb (drift is slow and reported); a failed learning keeps the floor.
   */
  relearnFloors(nowMs: number): void {
    const presence = this.presence;
    if (!presence) return;
    const { config } = this.options;
    this.lastRelearnMs = nowMs;
    config.sensors.forEach((s, i) => {
      const result = learnFloorFromModes(presence.levels[i]!.closed());
      if (!result.ok) {
        this.relearnNote[i] = `kept: ${result.reason}`;
        this.log.info({ sensor: s.name, reason: result.reason, floorDbm: presence.floorOf(i) }, 'Wi-Fi floor not re-learned; keeping the previous one');
        return;
      }
      const current = presence.floorOf(i);
      const step = Math.max(-config.presence.maxStepDb, Math.min(config.presence.maxStepDb, result.calibration.floorDbm - current));
      const floorDbm = Math.round((current + step) * 10) / 10;
      presence.setFloor(i, floorDbm);
      const driftDb = Math.round((floorDbm - this.initialFloors[i]!) * 10) / 10;
      this.relearnNote[i] = `learned ${result.calibration.floorDbm} dBm`;
      const c = result.calibration;
      try {
        writeSensorCalibration(this.calibrationPath, s.name, { floorDbm, method: c.method, learnedAtMs: Math.round(nowMs), fromMs: c.fromMs, toMs: c.toMs, farLevelDbm: c.farLevelDbm, nearLevelDbm: c.nearLevelDbm, initialFloorDbm: this.initialFloors[i]! });
      } catch (err) {
        this.warnings.warn({ sensor: s.name, err: errorMessage(err) }, 'could not write the Wi-Fi calibration file');
      }
      const log = Math.abs(driftDb) >= 6 ? this.log.warn.bind(this.log) : this.log.info.bind(this.log);
      log({ sensor: s.name, learnedDbm: c.floorDbm, floorDbm, driftDb }, 'Wi-Fi floor re-learned');
    });
  }

  /** Where a sensor's frames come from, for messages: its capture file or interface. */
  private sourceOf(i: number): string {
    const s = this.options.config.sensors[i]!;
    return s.pcap ? `capture file ${isAbsolute(s.pcap) ? s.pcap : resolve(this.options.cwd ?? process.cwd(), s.pcap)}` : `interface ${s.interface}`;
  }

  private async startSensor(i: number): Promise<void> {
    const slot = this.sensors[i]!;
    slot.retryTimer = null;
    if (this.stopped) return;
    const s = this.options.config.sensors[i]!;
    const cwd = this.options.cwd ?? process.cwd();
    const source: CaptureSource = s.pcap
      ? new PcapReplaySource({
          path: isAbsolute(s.pcap) ? s.pcap : resolve(cwd, s.pcap),
          speed: s.replaySpeed,
          loop: s.replayLoop,
          restamp: s.replayRestamp,
          now: this.options.now,
        })
      : new LiveCaptureSource({
          iface: s.interface!,
          filter: s.filter,
          monitor: s.monitor,
          channels: s.channels,
          hopIntervalMs: s.hopIntervalMs,
          logger: this.log.child({ sensor: s.name }),
        });
    try {
      await source.start((buf, off, len, linkType, tsMs) => this.onFrame(i, buf, off, len, linkType, tsMs));
    } catch (err) {
      await source.stop().catch(() => undefined);
      slot.failures++;
      const error = `sensor "${s.name}" (${this.sourceOf(i)}): ${errorMessage(err)}`;
      if (error !== slot.error) this.log.error({ sensor: s.name, source: this.sourceOf(i), err: errorMessage(err), retryInMs: slot.retryMs }, 'Wi-Fi sensor could not start; retrying');
      slot.error = error;
      if (!this.stopped) {
        slot.retryTimer = setTimeout(() => void this.startSensor(i), slot.retryMs);
        slot.retryTimer.unref?.();
        slot.retryMs = Math.min(RETRY_MAX_MS, slot.retryMs * 2);
      }
      return;
    }
    if (this.stopped) {
      await source.stop().catch(() => undefined);
      return;
    }
    slot.source = source;
    slot.error = null;
    slot.retryMs = this.options.sensorRetryMs ?? RETRY_FIRST_MS;
    this.allFinishedFlushed = false;
    this.log.info({ sensor: s.name, source: s.pcap ? 'replay' : 'live', speed: s.pcap ? s.replaySpeed : undefined }, 'Wi-Fi sensor started');
  }

  /** The sensors' running sources. */
  private get sources(): CaptureSource[] {
    const out: CaptureSource[] = [];
    for (const slot of this.sensors) if (slot.source) out.push(slot.source);
    return out;
  }

  /**
   * One captured frame of sensor `sensor`; never throws (a bad frame is counted). Its time goes
   * through the sensor's time filter first: a far-off frame waits for others to agree with it.
   */
  private onFrame(sensor: number, buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number): void {
    const filter = this.timeFilters[sensor]!;
    const before = filter.timeMs;
    const verdict = filter.offer(buf, off, len, linkType, tsMs);
    if (verdict === TimeVerdict.Accept) return this.onTimedFrame(sensor, buf, off, len, linkType, tsMs);
    if (verdict === TimeVerdict.Held) return;
    const s = this.options.config.sensors[sensor]?.name;
    this.log.warn({ sensor: s, fromMs: before, toMs: filter.timeMs, steps: filter.counters.steps }, 'Wi-Fi capture time stepped (several frames agreed); following it');
    // Presence only moves forward: after a backward step it starts over at the new time.
    if (filter.timeMs < before) this.presence!.restartTime();
    filter.drainHeld((b, o, l, lt, ts) => this.onTimedFrame(sensor, b, o, l, lt, ts));
  }

  private onTimedFrame(sensor: number, buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number): void {
    const p = this.parser;
    const status = p.parse(buf, off, len, linkType);
    if (status !== ParseStatus.Probe) {
      if (status === ParseStatus.Malformed || status === ParseStatus.UnsupportedLink) {
        this.warnings.warn({ sensor: this.options.config.sensors[sensor]?.name, linkType, len, status }, 'skipped a malformed or unsupported frame');
      }
      return;
    }
    if (ouiMatches(this.ouis, buf, p.macOffset)) {
      this.ignored++;
      return;
    }
    const keys = this.keys!;
    const presence = this.presence!;
    if (keys.isStale(tsMs)) {
      // A new key period: old hashes cannot be linked to new ones, so presence starts over.
      if (!Number.isNaN(keys.currentPeriodStartMs)) presence.resetPeriod();
      this.hasher.setKey(keys.keyFor(tsMs));
    }
    this.hasher.hashAt(buf, p.macOffset);
    const h = this.hasher;
    presence.observe(sensor, tsMs, h.hi, h.lo, h.key53(), p.randomized, p.rssiDbm, p.fingerprint, p.seq);
    // Re-learning runs on event time, so a replayed capture re-learns where a live one would.
    if (this.relearnEveryMs > 0) {
      if (Number.isNaN(this.lastRelearnMs)) this.lastRelearnMs = tsMs;
      else if (tsMs - this.lastRelearnMs >= this.relearnEveryMs) this.relearnFloors(tsMs);
    }
  }

  private emit(event: NewEvent): void {
    try {
      this.options.sink.append(event);
      this.events++;
    } catch (err) {
      this.sinkErrors++;
      this.warnings.warn({ type: event.type, err: errorMessage(err) }, 'could not store a Wi-Fi event');
    }
  }

  /**
   * Held frames that nothing else will confirm: a sensor's first frames when it sent fewer than
   * the filter wants (a short capture, a quiet interface) are accepted; at the end of a replay,
   * frames held against its agreed time are rejected. `end`: the stage stops.
   */
  private settleTimes(end: boolean): void {
    this.timeFilters.forEach((f, i) => {
      const finished = end || this.sensors[i]?.source?.finished === true;
      const heldThroughTick = f.pending > 0 && f.pending === this.heldAtTick[i];
      this.heldAtTick[i] = f.pending;
      if (f.pending === 0) return;
      // Before any agreed time, frames held through a tick are all the sensor has: take them.
      // Held against an agreed time, only the end settles them (rejected).
      if (finished || (heldThroughTick && Number.isNaN(f.timeMs))) {
        if (f.settle()) f.drainHeld((b, o, l, lt, ts) => this.onTimedFrame(i, b, o, l, lt, ts));
      }
    });
  }

  /** Advances event time with the sources' clocks so sessions and minutes close without frames. */
  private tick(): void {
    if (!this.presence) return;
    this.settleTimes(false);
    let clock = Infinity;
    let open = 0;
    for (const s of this.sources) {
      if (s.finished) continue;
      open++;
      clock = Math.min(clock, s.clockMs());
      // A replay's clock may stand on a far-off pending record: no further than its sensor's accepted time.
      const i = this.sensors.findIndex((slot) => slot.source === s);
      const t = this.timeFilters[i]?.timeMs ?? NaN;
      // Before its sensor agreed on a time, a replay does not move presence at all.
      if (s.kind === 'replay') clock = Number.isNaN(t) ? -Infinity : Math.min(clock, t);
    }
    if (open > 0 && Number.isFinite(clock)) this.presence.advance(clock);
    else if (open === 0 && !this.allFinishedFlushed && this.sources.length > 0) {
      // Every replay reached its end: close what is open so the visits are stored.
      this.allFinishedFlushed = true;
      this.presence.flushAll();
      this.log.info({ events: this.events }, 'all Wi-Fi replays finished');
    }
  }

  private async stopSources(): Promise<void> {
    for (const s of this.sources) {
      try {
        await s.stop();
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'Wi-Fi source did not stop cleanly');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const slot of this.sensors) if (slot.retryTimer) clearTimeout(slot.retryTimer);
    await this.stopSources();
    if (this.presence) this.settleTimes(true);
    if (!this.allFinishedFlushed) this.presence?.flushAll();
    this.allFinishedFlushed = true;
    this.running = false;
    this.log.info({ events: this.events, ...this.parser.counters }, 'Wi-Fi stage stopped');
  }

  /** Runs the tick now (tests and the CLI use it instead of waiting for the timer). */
  tickNow(): void {
    this.tick();
  }

  health(): StageHealth {
    const c = this.parser.counters;
    const sourceErrors = this.sources.reduce((a, s) => a + s.errors, 0);
    const hopErrors = this.sources.map((s) => (s instanceof LiveCaptureSource ? s.hopError : null)).filter((e): e is string => e !== null);
    const metrics = {
      frames: c.frames,
      probes: c.probes,
      otherFrames: c.other,
      malformed: c.malformed,
      unsupportedLink: c.unsupportedLink,
      badRecords: sourceErrors,
      ignoredByOui: this.ignored,
      weakFrames: this.presence?.counters.weak ?? 0,
      activeDevices: this.presence?.activeDevices ?? 0,
      events: this.events,
      sinkErrors: this.sinkErrors,
      keyRotations: this.keys?.rotations ?? 0,
      // Capture time (#27): far-off frames dropped, steps followed, frames a little late.
      timeRejected: this.timeFilters.reduce((a, f) => a + f.counters.rejected, 0),
      timeSteps: this.timeFilters.reduce((a, f) => a + f.counters.steps, 0),
      timeLate: this.timeFilters.reduce((a, f) => a + f.counters.late, 0),
      floorsDbm: this.options.config.sensors.map((s, i) => `${s.name}: ${this.presence?.floorOf(i) ?? '-'} (${this.relearnNote[i] ?? '-'})`).join('; ') || null,
      floorDriftDb: this.presence ? Math.max(0, ...this.options.config.sensors.map((_, i) => Math.abs(this.presence!.floorOf(i) - (this.initialFloors[i] ?? this.presence!.floorOf(i))))) : null,
    };
    if (this.stopped) return { status: 'stopped', metrics };
    if (!this.running) return { status: 'stopped', detail: 'not started', metrics };
    if (this.sensors.length === 0) return { status: 'ok', detail: 'no sensor configured', metrics };
    const failed = this.sensors.filter((slot) => slot.error !== null).map((slot) => slot.error!);
    const problems = [...failed.map((e) => `${e} (retrying)`), ...hopErrors];
    if (this.sinkErrors > 0) problems.push(`${this.sinkErrors} events could not be stored`);
    const sensorNames = this.options.config.sensors;
    const detail = this.sensors.map((slot, i) => (slot.source ? `${sensorNames[i]!.name}: ${slot.source.detail || slot.source.kind}` : null)).filter((d) => d !== null).join('; ');
    if (failed.length === this.sensors.length) return { status: 'failed', detail: problems.join('; '), metrics: { ...metrics, failedSensors: failed.length } };
    return problems.length > 0 ? { status: 'degraded', detail: `${problems.join('; ')}${detail ? `; ${detail}` : ''}`, metrics: { ...metrics, failedSensors: failed.length } } : { status: 'ok', detail, metrics };
  }
}
