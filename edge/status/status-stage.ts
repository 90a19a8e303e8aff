// The status page as a stage: on start it loads (or creates, printing the password once)
// the operator password hash, subscribes to the live bus events, registers its metrics
// and listens; on stop it closes live streams and the server and unsubscribes. Given a
// sink, it also makes the daily report at closing time (DailyReportScheduler).
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { FootfallConfig } from '../config/schema.ts';
import type { StatusConfig } from '../config/sections/status.ts';
import { FootfallError } from '../shared/errors.ts';
import type { EventBus } from '../shared/event-bus.ts';
import type { Logger } from '../shared/log.ts';
import type { SitePathsView } from '../site-paths/index.ts';
import type { EventSink, Stage, StageHealth } from '../shared/types.ts';
import { DailyReportScheduler } from './daily-report-scheduler.ts';
import { GeometryEditor } from './geometry-editor.ts';
import { LiveHub } from './live-hub.ts';
import { LiveView } from './live-view.ts';
import { loadOrCreatePasswordHash } from './password-file.ts';
import { buildStatusServer } from './server.ts';
import type { StatusCamera } from './server-deps.ts';
import { SessionStore } from './session-store.ts';
import { StatusMetrics } from './status-metrics.ts';
import type { StatusStoreReader } from './store-reader.ts';
import type { LocalZone } from '../shared/local-time.ts';

export interface StatusStageOptions {
  config: StatusConfig;
  /** The site's local time (today, the daily report and its closing time). */
  zone: LocalZone;
  /** Absolute data directory (the password hash file is resolved against it). */
  dataDir: string;
  logger: Logger;
  bus: EventBus;
  store: StatusStoreReader;
  /** Every stage's health, for the health page, /api/health and /metrics. */
  health: () => Record<string, StageHealth>;
  /** The cameras as configured now (name, source, lines, zones); called per request. */
  cameras: () => StatusCamera[];
  /** The YAML file edits are written to; null when running on embedded defaults (editor read-only). */
  configFile: string | null;
  /** Applies a saved, validated config without a restart. */
  onConfigSaved: (config: FootfallConfig) => Promise<void>;
  metricsRegistry: Registry;
  /** This hour's heatmap of a camera as PNG over its snapshot (analytics renders it), or null. */
  heatmap?: (camera: string) => Promise<Buffer | null>;
  /** The site-paths stage's view (hours in progress, role, k); null or absent: site paths are off. */
  sitePaths?: () => SitePathsView | null;
  /** Where the daily report event is stored (and so published); without it no report is made. */
  sink?: EventSink;
  now?: () => number;
}

const BUS_OWNER = 'status';

export class StatusStage implements Stage {
  readonly name = 'status';
  private app: FastifyInstance | null = null;
  private live: LiveView | null = null;
  private hub: LiveHub | null = null;
  private metrics: StatusMetrics | null = null;
  private sessions: SessionStore | null = null;
  private reports: DailyReportScheduler | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: StatusStageOptions) {}

  get passwordFile(): string {
    const f = this.options.config.passwordHashFile;
    return isAbsolute(f) ? f : resolve(this.options.dataDir, f);
  }

  async start(): Promise<void> {
    if (this.app) return;
    const o = this.options;
    const log = o.logger.child({ module: 'status' });
    const now = o.now ?? Date.now;
    const { hash, generatedPassword } = await loadOrCreatePasswordHash(this.passwordFile);
    const live = new LiveView(o.bus, { snapshotIntervalMs: o.config.snapshotIntervalMs, trailPoints: o.config.trailPoints, blurPersons: o.config.blurPersons, now }, o.logger);
    const hub = new LiveHub(live, o.store, o.cameras, { pushIntervalMs: o.config.livePushIntervalMs, trailPoints: o.config.trailPoints, zone: o.zone, now }, log);
    const sessions = new SessionStore(o.config.sessionTtlMinutes * 60_000, now);
    const metrics = new StatusMetrics(o.metricsRegistry, {
      health: o.health,
      sseClients: () => hub.clientCount,
      snapshotsEncoded: () => live.snapshotsEncoded,
      unsentEvents: () => o.store.outbox.unsentCount(),
      storeSizeBytes: () => o.store.sizeBytes(),
    });
    let app: FastifyInstance;
    try {
      app = await buildStatusServer({
        config: o.config,
        zone: o.zone,
        logger: o.logger,
        sessions,
        passwordHash: hash,
        live,
        hub,
        store: o.store,
        health: o.health,
        cameras: o.cameras,
        editor: o.configFile ? new GeometryEditor(o.configFile) : null,
        onConfigSaved: o.onConfigSaved,
        registry: o.metricsRegistry,
        heatmap: o.heatmap ?? (async () => null),
        sitePaths: o.sitePaths ?? (() => null),
        metrics,
        dataDir: o.dataDir,
        startedAtMs: now(),
        now,
      });
      await app.listen({ host: o.config.host, port: o.config.port });
    } catch (err) {
      metrics.unregister();
      // A password nobody saw would lock the operator out: the next start makes a new one.
      if (generatedPassword) rmSync(this.passwordFile, { force: true });
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE') throw new FootfallError('NETWORK', `status page: port ${o.config.port} on ${o.config.host} is in use; set status.port`);
      throw err;
    }
    live.start(BUS_OWNER);
    const report = o.config.report;
    if (o.sink && report?.enabled) {
      this.reports = new DailyReportScheduler({ store: o.store, sink: o.sink, closingTime: report.closingTime, zone: o.zone, logger: o.logger, now });
      this.reports.start();
    }
    this.app = app;
    this.live = live;
    this.hub = hub;
    this.metrics = metrics;
    this.sessions = sessions;
    const url = statusPageUrl(o.config.host, this.port);
    if (generatedPassword) {
      // The only time the password exists outside the operator's head: said plainly, with where to use it.
      log.warn(
        { url, password: generatedPassword, hashFile: this.passwordFile },
        `status page ${url} - first start, operator password: ${generatedPassword} (shown once; delete ${this.passwordFile} to reset)`,
      );
    } else {
      log.info({ url }, `status page ${url}`);
    }
  }

  /** The bound port (the real one when configured as 0). */
  get port(): number {
    const addr = this.app?.server.address() as AddressInfo | null | undefined;
    return addr ? addr.port : this.options.config.port;
  }

  async stop(): Promise<void> {
    if (!this.app) return;
    const app = this.app;
    this.app = null;
    this.options.bus.removeOwner(BUS_OWNER);
    this.reports?.stop();
    this.reports = null;
    this.hub?.close();
    try {
      await app.close();
    } catch (err) {
      this.lastError = (err as Error).message;
    }
    this.metrics?.unregister();
    this.metrics = null;
  }

  /** A fresh JPEG of a camera for the MQTT `snapshot` command (the live page's picture, blur included). */
  async snapshot(camera: string, timeoutMs?: number): Promise<{ camera: string; tsMs: number; jpeg: Buffer; width: number; height: number }> {
    if (!this.live) throw new FootfallError('SOURCE_FAILED', 'the status stage is not running');
    const s = await this.live.nextSnapshot(camera, timeoutMs);
    return { camera, tsMs: s.tsMs, jpeg: s.jpeg, width: s.width, height: s.height };
  }

  health(): StageHealth {
    if (!this.app) return { status: 'stopped' };
    const reportError = this.reports?.lastError ?? null;
    const problem = this.lastError ?? (reportError ? `daily report: ${reportError}` : null);
    return {
      status: problem ? 'degraded' : 'ok',
      ...(problem ? { detail: problem } : {}),
      metrics: {
        port: this.port,
        liveClients: this.hub?.clientCount ?? 0,
        sessions: this.sessions?.size ?? 0,
        snapshotsEncoded: this.live?.snapshotsEncoded ?? 0,
        snapshotErrors: this.live?.snapshotErrors ?? 0,
        liveMessagesSent: this.hub?.messagesSent ?? 0,
        liveSkippedSlow: this.hub?.skippedSlow ?? 0,
        dailyReportsMade: this.reports?.reportsMade ?? 0,
      },
    };
  }
}

/** The address an operator types: a wildcard bind is reached by this machine's name. */
function statusPageUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}/`;
}
