// The Wi-Fi stage: frames from every configured sensor (live monitor-mode capture or a capture
// file replayed) go through the zero-copy parser and the keyed MAC hasher into presence
// tracking, which writes `wifi.visit` and per-minute `wifi.count` events to the sink.
// Raw MACs never leave the capture buffer; only hashes reach presence, events and logs.
import { isAbsolute, resolve } from 'node:path';
import type { WifiConfig } from '../config/sections/wifi.ts';
import { errorMessage, FootfallError } from '../shared/errors.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { EventSink, NewEvent, Stage, StageHealth } from '../shared/types.ts';
import type { CaptureSource } from './capture-source.ts';
import { HashKeyStore } from './key-store.ts';
import { LiveCaptureSource } from './live-source.ts';
import { MacHasher } from './mac-hasher.ts';
import { ouiMatches, parseOuiList } from './oui-filter.ts';
import { PresenceTracker } from './presence.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { PcapReplaySource } from './replay-source.ts';

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
}

const TICK_MS = 5_000;

export class WifiStage implements Stage {
  readonly name = 'wifi';
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly parser = new ProbeRequestParser();
  private readonly hasher = new MacHasher();
  private sources: CaptureSource[] = [];
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
  private startError: string | null = null;

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
    this.presence = new PresenceTracker(
      {
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
    const cwd = this.options.cwd ?? process.cwd();
    try {
      for (let i = 0; i < config.sensors.length; i++) {
        const s = config.sensors[i]!;
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
        const sensor = i;
        await source.start((buf, off, len, linkType, tsMs) => this.onFrame(sensor, buf, off, len, linkType, tsMs));
        this.sources.push(source);
        this.log.info({ sensor: s.name, source: s.pcap ? 'replay' : 'live', speed: s.pcap ? s.replaySpeed : undefined }, 'Wi-Fi sensor started');
      }
    } catch (err) {
      this.startError = errorMessage(err);
      await this.stopSources();
      throw err;
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
    this.running = true;
  }

  /** One captured frame of sensor `sensor`; never throws (a bad frame is counted). */
  private onFrame(sensor: number, buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number): void {
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

  /** Advances event time with the sources' clocks so sessions and minutes close without frames. */
  private tick(): void {
    if (!this.presence) return;
    let clock = Infinity;
    let open = 0;
    for (const s of this.sources) {
      if (s.finished) continue;
      open++;
      clock = Math.min(clock, s.clockMs());
    }
    if (open > 0 && Number.isFinite(clock)) this.presence.advance(clock);
    else if (open === 0 && !this.allFinishedFlushed) {
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
    await this.stopSources();
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
    };
    if (this.stopped) return { status: 'stopped', metrics };
    if (this.startError) return { status: 'failed', detail: this.startError, metrics };
    if (!this.running) return { status: 'stopped', detail: 'not started', metrics };
    if (this.sources.length === 0) return { status: 'ok', detail: 'no sensor configured', metrics };
    const problems = [...hopErrors];
    if (this.sinkErrors > 0) problems.push(`${this.sinkErrors} events could not be stored`);
    const detail = this.sources.map((s, i) => `${this.options.config.sensors[i]!.name}: ${s.detail || s.kind}`).join('; ');
    return problems.length > 0 ? { status: 'degraded', detail: `${problems.join('; ')}; ${detail}`, metrics } : { status: 'ok', detail, metrics };
  }
}
