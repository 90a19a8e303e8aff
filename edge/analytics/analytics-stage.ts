// The analytics stage: consumes 'track.frame' from the bus, runs each camera's
// CameraAnalytics (lines, zones, paths, queues, heatmap), and on timers evaluates the
// alert rules and recomputes visitor forecasts from the stored history. Hourly heatmaps
// are written as PNG (over the latest camera snapshot) under dataDir/heatmaps/<camera>/.
import type { CountsReader } from './counts-reader.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsConfig, LineConfig, QueueConfig, ZoneConfig } from '../config/sections/analytics.ts';
import { type CalibrationConfig, floorCalibrationOf } from '../config/sections/calibration.ts';
import { errorMessage } from '../shared/errors.ts';
import type { EventBus } from '../shared/event-bus.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { EventSink, Stage, StageHealth, TrackFrame } from '../shared/types.ts';
import { CameraAnalytics } from './camera-analytics.ts';
import { LocalZone } from '../shared/local-time.ts';
import { SiteOccupancy, type SiteFigures } from './site-occupancy.ts';
// Imported eagerly: at shutdown (when the last hour's heatmap is written) the TypeScript
// loader may no longer compile modules on demand.
import { renderHeatmapPng } from './heatmap-render.ts';
import { DEMO_CAMERA_NAME, DEMO_GEOMETRY } from './demo-geometry.ts';
import { forecastSeries } from './forecast.ts';
import { HOUR_MS, MINUTE_MS } from '../shared/time-units.ts';
import type { HeatmapSnapshot } from './heatmap-grid.ts';
import { RuleEngine, type AlertEvent, type RuleInputs } from './rule-engine.ts';

/** The slice of the event store the forecasts read (EventStore.countsBetween fits). */
export interface AnalyticsCamera {
  name: string;
  enabled?: boolean;
  lines: readonly LineConfig[];
  zones: readonly ZoneConfig[];
  queues?: readonly QueueConfig[];
  /** Floor calibration (cameras[].calibration): lines count on the floor in metres. */
  calibration?: CalibrationConfig | undefined;
  width?: number | undefined;
  height?: number | undefined;
}

const UTC_ZONE = LocalZone.fixed(0);

export interface AnalyticsStageOptions {
  bus: EventBus;
  cameras: readonly AnalyticsCamera[];
  analyticsConfig: AnalyticsConfig;
  sink: EventSink;
  logger: Logger;
  dataDir: string;
  /** History for forecasts; without it forecasts are off. */
  history?: CountsReader | null;
  /** The site's local time (forecast seasons, "rest of day", closing time); default UTC. */
  zone?: LocalZone;
  /** Local "HH:MM" when site occupancy starts over (closing time); null or absent: never. */
  closingTime?: string | null;
  /** Wall clock (tests). */
  now?: () => number;
}

export interface ForecastFigure {
  camera: string;
  subject: string;
  kind: 'line' | 'zone';
  nextHourVisitors: number;
  restOfDayVisitors: number;
  method: string;
  atMs: number;
}

const OWNER = 'analytics';

export class AnalyticsStage implements Stage {
  readonly name = 'analytics';
  private readonly engines = new Map<string, CameraAnalytics>();
  private readonly snapshots = new Map<string, Buffer>();
  private readonly lastSeenMs = new Map<string, number>();
  private readonly forecasts = new Map<string, ForecastFigure>();
  private readonly log: Logger;
  private readonly frameErrors: RateLimitedLog;
  private readonly now: () => number;
  private rules: RuleEngine | null = null;
  private ruleTimer: NodeJS.Timeout | null = null;
  private forecastTimer: NodeJS.Timeout | null = null;
  private running = false;
  private errors = 0;
  private pendingWrites = new Set<Promise<void>>();
  /** Entries, exits and people inside over the entrance lines of every camera (null: no entrance line). */
  private site: SiteOccupancy | null = null;
  private siteTimer: NodeJS.Timeout | null = null;
  /** The engines' sink: the stage's, with entrance crossings also told to the site count. */
  private readonly engineSink: EventSink = {
    append: (e) => {
      const id = this.options.sink.append(e);
      if (this.site && e.type === 'line.cross' && (e.data?.site === 'in' || e.data?.site === 'out')) this.site.onCross(e.data.site, e.tsMs);
      return id;
    },
  };

  constructor(private readonly options: AnalyticsStageOptions) {
    this.log = options.logger.child({ module: 'analytics' });
    this.frameErrors = new RateLimitedLog(this.log);
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const cfg = this.options.analyticsConfig;
    for (const cam of this.options.cameras) {
      if (cam.enabled === false) continue;
      // The embedded demo camera comes without geometry: give it the scene's lines and zones.
      const bare = cam.lines.length === 0 && cam.zones.length === 0 && (cam.queues ?? []).length === 0;
      this.engineFor(cam.name, cam.name === DEMO_CAMERA_NAME && bare ? DEMO_GEOMETRY : cam);
    }
    const rules = [...cfg.rules];
    // Every zone with a capacity gets a crowding rule unless one is configured.
    for (const cam of this.options.cameras) {
      for (const z of cam.zones) {
        if (z.capacity === undefined || rules.some((r) => r.kind === 'occupancy-above' && r.subject === z.name)) continue;
        rules.push({ name: `crowding.${z.name}`, kind: 'occupancy-above', subject: z.name, threshold: z.capacity, minDurationS: 60 });
      }
    }
    const entrances = this.options.cameras.some((c) => c.enabled !== false && c.lines.some((l) => l.role === 'entrance')) ||
      [...this.engines.values()].some((e) => e.hasEntrance);
    if (entrances) {
      this.site = new SiteOccupancy({ sink: this.options.sink, zone: this.options.zone ?? UTC_ZONE, closingTime: this.options.closingTime ?? null });
      if (this.options.history) this.site.restore(this.options.history, this.now());
      this.siteTimer = setInterval(() => this.site?.advance(this.now()), 5_000);
      this.siteTimer.unref();
    }
    this.rules = new RuleEngine(rules, (ts, alert) => this.emitAlert(ts, alert), this.now());
    const bus = this.options.bus;
    bus.on(OWNER, 'track.frame', (frame) => this.onFrame(frame));
    bus.on(OWNER, 'camera.snapshot', (s) => this.snapshots.set(s.camera, s.jpeg));
    bus.on(OWNER, 'event.emitted', (e) => {
      if (e.type !== 'alert') this.lastSeenMs.set(e.source, this.now());
    });
    if (rules.length > 0) {
      this.ruleTimer = setInterval(() => this.evaluateRules(), cfg.ruleEveryMs);
      this.ruleTimer.unref();
    }
    if (cfg.forecast.enabled && this.options.history) {
      this.forecastTimer = setInterval(() => this.updateForecasts(), cfg.forecast.everyMinutes * MINUTE_MS);
      this.forecastTimer.unref();
      setImmediate(() => this.running && this.updateForecasts());
    }
    this.log.info({ cameras: [...this.engines.keys()], rules: rules.length }, 'analytics started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.options.bus.removeOwner(OWNER);
    if (this.ruleTimer) clearInterval(this.ruleTimer);
    if (this.forecastTimer) clearInterval(this.forecastTimer);
    if (this.siteTimer) clearInterval(this.siteTimer);
    this.siteTimer = null;
    this.site?.advance(this.now());
    this.ruleTimer = null;
    this.forecastTimer = null;
    // Close open visits and paths, last minute's occupancy and the hour's heatmap.
    for (const engine of this.engines.values()) {
      try {
        engine.flush();
      } catch (err) {
        this.log.error({ camera: engine.camera, err: errorMessage(err) }, 'flushing analytics failed');
      }
    }
    await Promise.allSettled([...this.pendingWrites]);
  }

  health(): StageHealth {
    let frames = 0;
    let updates = 0;
    let events = 0;
    let tracks = 0;
    let beyondHorizon = 0;
    for (const e of this.engines.values()) {
      beyondHorizon += e.beyondHorizon;
      frames += e.frames;
      updates += e.trackUpdates;
      events += e.events;
      tracks += e.slots.activeCount;
    }
    return {
      status: !this.running ? 'stopped' : this.errors > 0 ? 'degraded' : 'ok',
      metrics: { frames, trackUpdates: updates, events, activeTracks: tracks, beyondHorizon, frameErrors: this.errors, alertsActive: this.rules?.active().length ?? 0 },
    };
  }

  /** Live figures for the status page. */
  snapshot(): Record<string, unknown> {
    const cameras: Record<string, unknown> = {};
    for (const [name, e] of this.engines) {
      const totals = e.totals();
      cameras[name] = {
        ...totals,
        occupancy: Object.fromEntries(e.zones.map((z) => [z.name, z.occupancy])),
        queues: Object.fromEntries(e.queues.map((q) => [q.name, { length: q.length, waitMs: q.currentWaitMs(), lastMinute: q.lastMinute }])),
        activeTracks: e.slots.activeCount,
        /** Per zone: hour start (ms) -> visits per dwell bin (bounds in DWELL_BINS_MS, last open). */
        dwellByHour: Object.fromEntries(e.zones.map((z, i) => [z.name, Object.fromEntries([...e.dwellHistograms[i]!.byHour].map(([h, b]) => [h, Array.from(b)]))])),
        transitionsByHour: Object.fromEntries([...e.transitions.byHour].map(([h, m]) => [h, Object.fromEntries(m)])),
      };
    }
    return { site: this.siteFigures(), cameras, forecasts: [...this.forecasts.values()], alerts: this.rules?.active() ?? [] };
  }

  /** The site's entries, exits and people inside now (null: no entrance line configured). */
  siteFigures(): SiteFigures | null {
    if (!this.site) return null;
    this.site.advance(this.now());
    return this.site.figures();
  }

  /** The current hour's heatmap of a camera as PNG (over its latest snapshot), or null. */
  async heatmapPng(camera: string): Promise<Buffer | null> {
    const e = this.engines.get(camera);
    if (!e?.heatmap) return null;
    return renderHeatmapPng(e.heatmap.snapshot(), { background: this.snapshots.get(camera) ?? null });
  }

  private engineFor(name: string, cam?: AnalyticsCamera): CameraAnalytics {
    let e = this.engines.get(name);
    if (e) return e;
    const cfg = this.options.analyticsConfig;
    e = new CameraAnalytics({
      // Unconfigured cameras get a heatmap only; the embedded demo camera its known scene.
      camera: cam ? { ...cam, floor: floorCalibrationOf(cam) } : name === DEMO_CAMERA_NAME ? DEMO_GEOMETRY : { name, lines: [], zones: [], queues: [] },
      sink: this.engineSink,
      relinkMaxGapMs: cfg.relinkMaxGapMs,
      relinkRadiusPx: cfg.relinkRadiusPx,
      relinkRadiusBoxesPerS: cfg.relinkRadiusBoxesPerS,
      relinkPredictMaxMs: cfg.relinkPredictMaxMs,
      staleTrackMs: cfg.staleTrackMs,
      heatmapCellPx: cfg.heatmap.enabled ? cfg.heatmap.cellPx : null,
      onHeatmapHour: (snap, hourMs) => this.writeHeatmap(name, snap, hourMs),
    });
    this.engines.set(name, e);
    return e;
  }

  private onFrame(frame: TrackFrame): void {
    this.lastSeenMs.set(frame.camera, this.now());
    try {
      this.engineFor(frame.camera).process(frame);
    } catch (err) {
      this.errors++;
      this.frameErrors.warn({ camera: frame.camera, err: errorMessage(err) }, 'analytics failed on a frame');
    }
  }

  private emitAlert(tsMs: number, alert: AlertEvent): void {
    this.log.warn({ ...alert }, `alert ${alert.state}: ${alert.rule}`);
    this.options.sink.append({ tsMs, type: 'alert', source: 'analytics', data: { ...alert } });
  }

  /** Figures the rules read, across cameras (the first camera knowing a subject wins). */
  private ruleInputs(nowMs: number): RuleInputs {
    const engines = [...this.engines.values()];
    const first = <T>(f: (e: CameraAnalytics) => T | null): T | null => {
      for (const e of engines) {
        const v = f(e);
        if (v !== null) return v;
      }
      return null;
    };
    return {
      occupancy: (zone) => first((e) => e.occupancyOf(zone) ?? e.queueOf(zone)?.length ?? null),
      queueWaitMin: (queue) =>
        first((e) => {
          const w = e.queueOf(queue)?.currentWaitMs();
          return w === undefined || w === null ? null : w / MINUTE_MS;
        }),
      visitorsLastHour: (subject) => first((e) => e.visitorsLastHour(subject, !Number.isNaN(e.lastFrameTsMs) ? e.lastFrameTsMs : nowMs)),
      forecastNextHour: (subject) => {
        for (const f of this.forecasts.values()) if (f.subject === subject) return f.nextHourVisitors;
        return null;
      },
      silentSeconds: (subject) => {
        const t = this.lastSeenMs.get(subject);
        return t === undefined ? null : (nowMs - t) / 1000;
      },
    };
  }

  /** Evaluates the rules now (the timer calls it; tests may too). */
  evaluateRules(nowMs = this.now()): void {
    if (!this.rules) return;
    try {
      this.rules.evaluate(nowMs, this.ruleInputs(nowMs));
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'rule evaluation failed');
    }
  }

  /** Recomputes next-hour and rest-of-day forecasts per line and zone from the history. */
  updateForecasts(nowMs = this.now()): ForecastFigure[] {
    const history = this.options.history;
    if (!history) return [];
    const f = this.options.analyticsConfig.forecast;
    const zone = this.options.zone ?? UTC_ZONE;
    const forecastOptions = { alpha: f.alpha, gamma: f.gamma, minHistoryWeeks: f.minHistoryWeeks, zone };
    const currentHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const fromHour = currentHour - f.historyWeeks * 7 * 24 * HOUR_MS;
    const localDayEnd = zone.startOfDay(nowMs, 1);
    const horizon = Math.max(1, Math.round((localDayEnd - currentHour) / HOUR_MS));
    const out: ForecastFigure[] = [];
    for (const engine of this.engines.values()) {
      const subjects: Array<{ subject: string; kind: 'line' | 'zone'; metric: string }> = [
        ...engine.lines.map((l) => ({ subject: l.name, kind: 'line' as const, metric: 'in' })),
        ...engine.zones.map((z) => ({ subject: z.name, kind: 'zone' as const, metric: 'visits' })),
      ];
      for (const s of subjects) {
        try {
          const rows = history.countsBetween(fromHour, nowMs, { source: engine.camera, subject: s.subject, metric: s.metric });
          const hours = (currentHour - fromHour) / HOUR_MS;
          const series = new Float64Array(hours);
          let firstData = hours;
          let soFar = 0;
          for (const r of rows) {
            const i = Math.floor((r.minute - fromHour) / HOUR_MS);
            if (i >= 0 && i < hours) {
              series[i]! += r.n;
              if (i < firstData) firstData = i;
            } else if (i === hours) soFar += r.n;
          }
          // History starts at the first hour with data (a new box has no weeks of zeros).
          const used = series.subarray(firstData < hours ? firstData : hours);
          const fc = forecastSeries(used, fromHour + (firstData < hours ? firstData : hours) * HOUR_MS, horizon, forecastOptions);
          const restOfDay = Math.max(0, fc.values.reduce((a, b) => a + b, 0) - soFar);
          const fig: ForecastFigure = {
            camera: engine.camera,
            subject: s.subject,
            kind: s.kind,
            nextHourVisitors: Math.round(fc.values[0]! * 10) / 10,
            restOfDayVisitors: Math.round(restOfDay),
            method: fc.method,
            atMs: nowMs,
          };
          this.forecasts.set(`${engine.camera}/${s.subject}`, fig);
          out.push(fig);
          this.options.sink.append({
            tsMs: nowMs,
            type: 'forecast',
            source: engine.camera,
            data: { subject: s.subject, kind: s.kind, nextHourVisitors: fig.nextHourVisitors, restOfDayVisitors: fig.restOfDayVisitors, method: fig.method, historyHours: used.length },
          });
        } catch (err) {
          this.log.warn({ subject: s.subject, err: errorMessage(err) }, 'forecast failed');
        }
      }
    }
    return out;
  }

  private writeHeatmap(camera: string, snap: HeatmapSnapshot, hourMs: number): void {
    const dir = join(this.options.dataDir, 'heatmaps', camera);
    // Named by the site's local hour, with its UTC offset so the repeated hour of an autumn
    // daylight-saving change gets two files (2026-10-25T02+0200, 2026-10-25T02+0100).
    const zone = this.options.zone ?? UTC_ZONE;
    const offset = zone.offsetMinutesAt(hourMs);
    const hh = (v: number) => String(Math.floor(Math.abs(v))).padStart(2, '0');
    const stamp = `${zone.dayOf(hourMs)}T${hh(zone.hourOfDay(hourMs))}${offset < 0 ? '-' : '+'}${hh(Math.abs(offset) / 60)}${hh(Math.abs(offset) % 60)}`;
    const background = this.snapshots.get(camera) ?? null;
    const job = (async () => {
      try {
        mkdirSync(dir, { recursive: true });
        const sparse: number[] = [];
        for (let i = 0; i < snap.cells.length; i++) if (snap.cells[i]! > 0) sparse.push(i, snap.cells[i]!);
        writeFileSync(
          join(dir, `${stamp}.json`),
          JSON.stringify({ camera, hourStartMs: hourMs, cellPx: snap.cellPx, cols: snap.cols, rows: snap.rows, samples: snap.samples, cells: sparse }),
        );
        writeFileSync(join(dir, `${stamp}.png`), await renderHeatmapPng(snap, { background }));
      } catch (err) {
        this.log.warn({ camera, err: errorMessage(err) }, 'writing the heatmap failed');
      }
    })();
    this.pendingWrites.add(job);
    void job.finally(() => this.pendingWrites.delete(job));
  }
}
