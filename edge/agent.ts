// The composition root: the only module that knows every stage. It builds the stages
// from the validated config, starts them in data-flow order, and stops them in reverse
// on SIGINT/SIGTERM within the shutdown budget, so the store is flushed and closed last.
import { dirname, isAbsolute, resolve } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { SyncStage, type SnapshotImage } from '../cloud-sync/edge/index.ts';
import { SitePathsStage, sitePathsEnabled } from './site-paths/index.ts';
import { AnalyticsStage, analyticsConfigOf, DEMO_CAMERA_NAME, DEMO_GEOMETRY } from './analytics/index.ts';
import { CameraStage, defaultDemoCamera } from './camera/index.ts';
import { findManifestEntry } from '../models/index.ts';
import { floorCalibrationOf, loadConfig, requireStreamUrls, siteZoneOf, withModelThresholds, type CameraConfig, type FootfallConfig } from './config/index.ts';
import type { FloorCalibration } from './shared/floor-calibration.ts';
import { MonotonicClock } from './shared/clock.ts';
import { LocalZone } from './shared/local-time.ts';
import { DetectorStage, frameGeometryFor } from './detect/index.ts';
import { EventBus } from './shared/event-bus.ts';
import { errorMessage, FootfallError } from './shared/errors.ts';
import type { Logger } from './shared/log.ts';
import type { EventSink, NewEvent, Stage, StageHealth } from './shared/types.ts';
import { StatusStage, type StatusCamera } from './status/index.ts';
import { EventStore } from './store/index.ts';
import { TrackerStage } from './track/index.ts';
import { WifiStage } from './wifi/index.ts';

export interface AgentOptions {
  config: FootfallConfig;
  logger: Logger;
  cwd: string;
  /** The config file the agent was started with (null: embedded defaults). */
  configFile?: string | null;
  version?: string;
  /** The clock model (tests and soaks inject a simulated one). */
  clock?: MonotonicClock;
}

/** Absolute data directory from the config (relative paths are under the working directory). */
export function dataDirOf(config: FootfallConfig, cwd: string): string {
  return isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
}

/**
 * The floor mapping of each calibrated camera (validated with the config: cannot throw here),
 * with its fit logged once so the installer sees how well the points agree.
 */
function floorCalibrations(cameras: readonly CameraConfig[], log: Logger): Map<string, FloorCalibration> {
  const byCamera = new Map<string, FloorCalibration>();
  for (const c of cameras) {
    const cal = floorCalibrationOf(c);
    if (!cal) continue;
    byCamera.set(c.name, cal);
    const r = cal.reprojection;
    log.info(
      r
        ? { camera: c.name, points: c.calibration?.points?.length, reprojectionMeanPx: +r.meanPx.toFixed(2), reprojectionMaxPx: +r.maxPx.toFixed(2), worstPoint: r.worstPoint + 1, floorErrorMaxM: +r.maxM.toFixed(3) }
        : { camera: c.name, model: 'K, R, T' },
      'camera calibrated to the floor: tracking in metres',
    );
  }
  return byCamera;
}

/** The cameras the agent runs: the configured ones, else the demo camera when it is on and present. */
export function effectiveCameras(config: FootfallConfig, log?: Logger, source = 'config'): CameraConfig[] {
  if (config.cameras.length > 0 || !config.demoCamera) return requireStreamUrls(config.cameras, source);
  const demo = defaultDemoCamera();
  if (!demo.camera) {
    log?.warn({ reason: demo.reason }, 'no camera configured and no demo camera');
    return [];
  }
  return [demo.camera];
}

/** Appends to the store and tells the bus, so live views and silence rules see every event. */
class StoreSink implements EventSink {
  constructor(
    private readonly store: EventStore,
    private readonly bus: EventBus,
  ) {}

  append(event: NewEvent): string {
    const id = this.store.append(event);
    this.bus.emit('event.emitted', event);
    return id;
  }
}

export class Agent {
  readonly bus = new EventBus();
  readonly startedAtMs = Date.now();
  /** Event time and retention time (#27): the places that stamp events or age them read this, not Date.now. */
  readonly clock: MonotonicClock;
  readonly metricsRegistry = new Registry();
  private readonly stages: Stage[] = [];
  private readonly started: Stage[] = [];
  private readonly log: Logger;
  private config: FootfallConfig;
  private cameras: CameraConfig[] = [];
  private sink: EventSink | null = null;
  private analytics: AnalyticsStage | null = null;
  /** Mall-wide paths (floor fragments, the site stitcher), when the site has a floor plan. */
  sitePaths: SitePathsStage | null = null;
  private stopping: Promise<void> | null = null;
  store: EventStore | null = null;

  /** The site's local time (days, hours, closing time), resolved from the config at build. */
  private zone: LocalZone = LocalZone.fixed(0);

  constructor(private readonly options: AgentOptions) {
    this.log = options.logger.child({ module: 'agent' });
    this.config = options.config;
    this.clock = options.clock ?? new MonotonicClock({ logger: options.logger.child({ module: 'clock' }) });
  }

  get dataDir(): string {
    return dataDirOf(this.config, this.options.cwd);
  }

  /** Builds every configured stage, in data-flow order; nothing is started yet. */
  build(): void {
    const config = this.config;
    const { logger, cwd } = this.options;
    const site = siteZoneOf(config);
    this.zone = site.zone;
    for (const w of site.warnings) this.log.warn(w);
    this.log.info({ timeZone: site.zone.name }, 'site local time');
    const bus = this.bus;
    const dbPath = isAbsolute(config.store.path) ? config.store.path : resolve(this.dataDir, config.store.path);
    const store = EventStore.open({
      path: dbPath,
      synchronous: config.store.synchronous,
      flushIntervalMs: config.store.flushIntervalMs,
      flushMaxEvents: config.store.flushMaxEvents,
      retention: config.store.retention,
      clock: this.clock,
      ...(config.store.hardLimitMb !== undefined ? { hardLimitMb: config.store.hardLimitMb } : {}),
      logger,
    });
    this.store = store;
    this.sink = new StoreSink(store, bus);
    this.cameras = effectiveCameras(config, this.log, this.options.configFile ?? 'config');
    collectDefaultMetrics({ register: this.metricsRegistry });

    // Start order follows the data backwards: sinks before sources, so nothing produced
    // is dropped; stop order (the reverse) stops sources first and flushes the store last.
    this.stages.push(store);
    // Mall-wide paths across boxes (#24): the site's broker carries fragments to the stitcher.
    const paths = this.cameras.length > 0 && sitePathsEnabled(config) ? config.sitePaths : null;
    const sync = new SyncStage({
      store,
      config: { site: config.site, device: config.device, mqtt: config.mqtt },
      logger,
      version: this.options.version ?? '0.0.0',
      healthOf: () => this.health(),
      baseDir: this.options.configFile ? dirname(this.options.configFile) : cwd,
      startedAtMs: this.startedAtMs,
      commands: { reloadConfig: () => this.reloadConfigFile(), snapshot: (camera) => this.snapshot(camera) },
      ...(paths?.role === 'broker' ? { fragments: { publish: { expiryS: paths.maxClockSkewS } } } : {}),
      ...(paths?.role === 'local' && paths.boxes.length > 0 ? { fragments: { onBatch: (batch) => void this.sitePaths?.acceptRemote(batch) } } : {}),
    });
    this.stages.push(sync);
    if (config.wifi.sensors.length > 0) {
      this.stages.push(new WifiStage({ config: config.wifi, dataDir: this.dataDir, sink: this.sink, logger, cwd }));
    }
    if (this.cameras.length > 0) {
      this.analytics = this.createAnalytics(config);
      this.stages.push(this.analytics);
      // Tracker thresholds the config leaves unset come from the detection model's manifest entry.
      const trackerConfig = withModelThresholds(config.tracker, findManifestEntry(config.detector.model)?.trackerThresholds);
      if (sitePathsEnabled(config)) {
        this.sitePaths = new SitePathsStage({ bus, config: { ...config, cameras: this.cameras }, sink: this.sink, logger, state: store, now: () => this.clock.now() });
        if (config.sitePaths.role === 'broker') this.sitePaths.publish = (batch) => sync.publishFragments(batch);
        this.stages.push(this.sitePaths);
      }
      this.stages.push(new TrackerStage({ bus, config: trackerConfig, logger, calibrations: floorCalibrations(this.cameras, this.log) }));
      this.stages.push(new DetectorStage({ bus, config, logger, cwd }));
      this.stages.push(new CameraStage({ bus, cameras: this.cameras, geometry: frameGeometryFor(config.detector), logger, clock: this.clock }));
    }
    if (config.status.enabled) {
      this.stages.push(
        new StatusStage({
          config: config.status,
          zone: this.zone,
          dataDir: this.dataDir,
          logger,
          bus,
          store,
          health: () => this.health(),
          cameras: () => this.statusCameras(),
          configFile: this.options.configFile ?? null,
          onConfigSaved: (next) => this.applyConfig(next, 'saved in the status page editor'),
          metricsRegistry: this.metricsRegistry,
          heatmap: (camera) => this.analytics?.heatmapPng(camera) ?? Promise.resolve(null),
          sitePaths: () => this.sitePaths?.view() ?? null,
          // Daily reports are stored as `report.daily` events, so the outbox publishes them upstream.
          sink: this.sink,
        }),
      );
    }
  }

  private createAnalytics(config: FootfallConfig): AnalyticsStage {
    return new AnalyticsStage({
      bus: this.bus,
      cameras: this.cameras,
      analyticsConfig: analyticsConfigOf(config),
      sink: this.sink!,
      logger: this.options.logger,
      dataDir: this.dataDir,
      history: this.store,
      zone: this.zone,
      // Site occupancy starts over when the mall closes (the daily report's closing time).
      closingTime: config.status.report.closingTime,
      now: () => this.clock.now(),
    });
  }

  /** Cameras with the geometry analytics uses (the demo camera's known scene included). */
  private statusCameras(): StatusCamera[] {
    return this.cameras.map((c) => {
      const demoScene = c.name === DEMO_CAMERA_NAME && c.lines.length === 0 && c.zones.length === 0;
      return {
        name: c.name,
        url: c.url,
        fps: c.fps,
        loop: c.loop,
        lines: demoScene ? DEMO_GEOMETRY.lines : c.lines,
        zones: demoScene ? DEMO_GEOMETRY.zones : c.zones,
        calibration: c.calibration,
      };
    });
  }

  /**
   * Applies a new, validated config without a restart: analytics geometry and rules are
   * swapped in (open visits of the old geometry are closed and stored). Changes that need
   * new sources (camera URLs, Wi-Fi sensors, broker, ports) take effect at the next start.
   */
  async applyConfig(next: FootfallConfig, reason: string): Promise<void> {
    const byName = new Map(next.cameras.map((c) => [c.name, c]));
    this.cameras = this.cameras.map((c) => {
      const updated = byName.get(c.name);
      return updated ? { ...c, lines: updated.lines, zones: updated.zones } : c;
    });
    this.config = { ...this.config, cameras: next.cameras.length > 0 ? next.cameras : this.config.cameras, analytics: next.analytics };
    if (this.analytics) {
      const old = this.analytics;
      const replacement = this.createAnalytics(this.config);
      await old.stop();
      await replacement.start();
      this.analytics = replacement;
      const i = this.stages.indexOf(old);
      if (i >= 0) this.stages[i] = replacement;
      const j = this.started.indexOf(old);
      if (j >= 0) this.started[j] = replacement;
    }
    this.bus.emit('config.reloaded', { reason });
    this.log.info({ reason, cameras: this.cameras.map((c) => c.name) }, 'config applied without restart');
  }

  /** The MQTT `reload-config` command: re-reads and validates the file, then applies it. */
  /**
   * The MQTT `snapshot` command: a fresh JPEG of a running camera (the first one when none is
   * named), encoded by the status stage's live view from the camera's next frame, so it is the
   * picture the status page shows (persons blurred when status.blurPersons). Also put on the bus
   * as `camera.snapshot` (analytics draws heatmaps on it).
   */
  async snapshot(camera: string | undefined): Promise<SnapshotImage> {
    const names = this.cameras.filter((c) => c.enabled).map((c) => c.name);
    if (names.length === 0) throw new FootfallError('SOURCE_FAILED', 'no camera in this process');
    const name = camera ?? names[0]!;
    if (!names.includes(name)) throw new FootfallError('INPUT_INVALID', `unknown camera "${name}"; cameras: ${names.join(', ')}`);
    const status = this.stages.find((s): s is StatusStage => s instanceof StatusStage);
    if (!status) throw new FootfallError('SOURCE_FAILED', 'snapshot needs the status stage (status.enabled: true), which encodes the camera pictures');
    const image = await status.snapshot(name);
    this.bus.emit('camera.snapshot', { camera: name, tsMs: image.tsMs, jpeg: image.jpeg });
    return { camera: name, tsMs: image.tsMs, jpeg: image.jpeg };
  }

  private async reloadConfigFile(): Promise<Record<string, unknown>> {
    if (!this.options.configFile) return { applied: false, reason: 'running on embedded defaults: no config file to reload' };
    const { config } = loadConfig({ file: this.options.configFile, cwd: this.options.cwd });
    await this.applyConfig(config, 'reload-config command');
    return { applied: true, file: this.options.configFile };
  }

  /**
   * Starts stages in order; on a failure stops what started and rethrows. A stop requested
   * meanwhile (SIGTERM during start-up) ends start-up: no further stage starts, and one
   * that was starting is stopped as soon as its start returns.
   */
  async start(): Promise<void> {
    if (this.stages.length === 0) this.build();
    for (const stage of this.stages) {
      if (this.stopping) return;
      try {
        await stage.start();
        if (this.stopping) {
          await stage.stop().catch((err: unknown) => this.log.error({ stage: stage.name, err: errorMessage(err) }, 'stage failed to stop cleanly'));
          return;
        }
        this.started.push(stage);
      } catch (err) {
        this.log.fatal({ stage: stage.name, err: errorMessage(err) }, 'stage failed to start');
        await this.stop();
        throw err;
      }
    }
    this.log.info({ dataDir: this.dataDir, stages: this.started.map((s) => s.name) }, 'footfall agent running');
  }

  /** Stops started stages in reverse order, each bounded by what is left of the budget. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const deadline = Date.now() + this.config.shutdownTimeoutMs;
    for (const stage of [...this.started].reverse()) {
      const left = Math.max(100, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), left);
      });
      try {
        const outcome = await Promise.race([stage.stop().then(() => 'stopped' as const), timeout]);
        if (outcome === 'timeout') this.log.warn({ stage: stage.name, budgetMs: left }, 'stage did not stop in time; abandoned');
      } catch (err) {
        this.log.error({ stage: stage.name, err: errorMessage(err) }, 'stage failed to stop cleanly');
      } finally {
        clearTimeout(timer);
      }
    }
    // The store is always closed last, even if it was never started.
    if (this.store && !this.store.isClosed) this.store.close();
    this.started.length = 0;
    this.log.info('footfall agent stopped');
  }

  health(): Record<string, StageHealth> {
    const out: Record<string, StageHealth> = {};
    for (const s of this.stages) out[s.name] = s.health();
    // Not a stage, but published with them (status page health, MQTT status `stages.clock`).
    const c = this.clock.health();
    const steps = c.forwardJumps + c.backwardJumps;
    out.clock = {
      status: 'ok',
      detail: steps === 0 ? 'no wall-clock step seen' : `${steps} wall-clock step(s); last ${c.lastJumpMs} ms at ${c.lastJumpAt}`,
      metrics: { ...c },
    };
    return out;
  }
}
