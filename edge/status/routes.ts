// The status page's routes: JSON API under /api (docs/status-api.md), the live event
// stream, snapshots, the geometry editor's save, the HTML pages and the CSV export.
// Every route here runs after the login check in server.ts.
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { FootfallError } from '../shared/errors.ts';
import { DAY_PARAM_MESSAGE, dayWindow, dayWindowOf, summarizeDay, summarizeWifi, type KnownGeometry } from './day-summary.ts';
import { parseGeometry } from './geometry-editor.ts';
import { checkCalibrationPoints, parseCalibrationPoints } from './calibration-editor.ts';
import { editorPage, healthPage, overviewPage, type HealthData, type PageCamera } from './pages.ts';
import { buildDailyReport, storedReportDays, storedReportOf } from './daily-report.ts';
import { reportCsv, reportPage, storedReportPage } from './report.ts';
import { csrfOf } from './request-session.ts';
import type { StatusServerDeps } from './server-deps.ts';
import { parseSitePathsHour, SITE_PATHS_HOUR_MESSAGE, summarizeSitePaths, type SitePathsDay } from './site-paths-day.ts';
import { sitePathsPage } from './site-paths-page.ts';

const CAMERA_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_RECENT_EVENTS = 500;

export function registerRoutes(app: FastifyInstance, deps: StatusServerDeps): void {
  const { live, store, now } = deps;
  const zone = deps.zone;

  /** Configured cameras plus any camera sending frames that is not in the config (the demo). */
  const pageCameras = (): PageCamera[] => {
    const out: PageCamera[] = [];
    const seen = new Set<string>();
    const t = now();
    for (const c of deps.cameras()) {
      const l = live.camera(c.name);
      seen.add(c.name);
      out.push({
        name: c.name,
        lines: c.lines,
        zones: c.zones,
        sourceWidth: l?.sourceWidth ?? 0,
        sourceHeight: l?.sourceHeight ?? 0,
        snapshotSeq: l?.snapshot?.seq ?? 0,
        lastFrameAgeMs: l?.lastFrameWallMs != null ? t - l.lastFrameWallMs : null,
        calibrationPoints: (c.calibration?.points ?? []) as Array<[number, number, number, number]>,
        calibrationModel: c.calibration?.K !== undefined,
      });
    }
    for (const l of live.list()) {
      if (seen.has(l.name)) continue;
      out.push({ name: l.name, lines: [], zones: [], sourceWidth: l.sourceWidth, sourceHeight: l.sourceHeight, snapshotSeq: l.snapshot?.seq ?? 0, lastFrameAgeMs: l.lastFrameWallMs != null ? t - l.lastFrameWallMs : null, calibrationPoints: [], calibrationModel: false });
    }
    return out;
  };

  const known = (): KnownGeometry[] => deps.cameras().map((c) => ({ camera: c.name, lines: c.lines.map((l) => l.name), zones: c.zones.map((z) => z.name) }));

  const cameraByName = (name: string): PageCamera => {
    if (!CAMERA_NAME.test(name)) throw new FootfallError('INPUT_INVALID', 'camera: not a camera name');
    const c = pageCameras().find((k) => k.name === name);
    if (!c) throw Object.assign(new Error(`no camera named ${name}`), { statusCode: 404, code: 'NOT_FOUND' });
    return c;
  };

  const healthData = (): HealthData => {
    const t = now();
    let diskFreeBytes: number | null = null;
    let diskTotalBytes: number | null = null;
    try {
      const fs = statfsSync(deps.dataDir);
      diskFreeBytes = fs.bavail * fs.bsize;
      diskTotalBytes = fs.blocks * fs.bsize;
    } catch {
      // dataDir missing (store not opened yet): shown as unknown.
    }
    return {
      stages: deps.health(),
      store: { sizeBytes: store.sizeBytes(), unsentEvents: store.outbox.unsentCount(), oldestUnsentTsMs: store.outbox.oldestUnsentTsMs() },
      system: {
        loadAvg: loadavg(),
        cpus: cpus().length,
        rssBytes: process.memoryUsage.rss(),
        memFreeBytes: freemem(),
        memTotalBytes: totalmem(),
        diskFreeBytes,
        diskTotalBytes,
        uptimeS: Math.round((t - deps.startedAtMs) / 1000),
      },
      cameras: live.list().map((c) => ({ name: c.name, framesSeen: c.framesSeen, lastFrameAgeMs: c.lastFrameWallMs != null ? t - c.lastFrameWallMs : null, snapshots: c.snapshot?.seq ?? 0 })),
      recentAlerts: store.eventsBetween(t - 86_400_000, t + 1, 'alert', 50).slice(-20).reverse(),
      nowMs: t,
    };
  };

  /** The day's (or an hour's) site paths from `?day=&hour=`; a bad day or hour throws INPUT_INVALID. */
  const sitePathsOf = (query: { day?: string; hour?: string }): SitePathsDay => {
    const w = query.day ? dayWindowOf(query.day, zone) : dayWindow(now(), zone);
    if (!w) throw new FootfallError('INPUT_INVALID', DAY_PARAM_MESSAGE);
    let hour: number | null = null;
    if (query.hour !== undefined && query.hour !== '') {
      hour = parseSitePathsHour(query.hour, w);
      if (hour === null) throw new FootfallError('INPUT_INVALID', SITE_PATHS_HOUR_MESSAGE);
    }
    return summarizeSitePaths(store, w, zone, deps.sitePaths(), now(), hour);
  };

  // --- JSON API -----------------------------------------------------------------------

  app.get('/api/health', async () => healthData());

  app.get('/api/counts/today', async () => summarizeDay(store, now(), zone, known()));

  app.get<{ Params: { day: string } }>('/api/counts/day/:day', async (req) => {
    const w = dayWindowOf(req.params.day, zone);
    if (!w) throw new FootfallError('INPUT_INVALID', DAY_PARAM_MESSAGE);
    // The summary of a past day is "today" seen from that day's last millisecond.
    return summarizeDay(store, Math.min(now(), w.toMs - 1), zone, known());
  });

  app.get<{ Querystring: { limit?: string; type?: string } }>('/api/events/recent', async (req) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT_EVENTS) throw new FootfallError('INPUT_INVALID', `limit: must be a whole number between 1 and ${MAX_RECENT_EVENTS}`);
    const type = req.query.type;
    if (type !== undefined && !/^[a-z][a-z0-9.]{0,40}$/.test(type)) throw new FootfallError('INPUT_INVALID', 'type: must be an event type like line.cross');
    const t = now();
    // Newest first: read the last day and keep the tail.
    const events = store.eventsBetween(t - 86_400_000, t + 1, type, 20_000);
    return { events: events.slice(-limit).reverse().map((e) => ({ id: e.id, tsMs: e.tsMs, type: e.type, source: e.source, data: e.data, sent: e.sentAtMs !== null })) };
  });

  app.get('/api/reports', async () => ({ days: storedReportDays(store, now()) }));

  app.get<{ Params: { day: string } }>('/api/reports/:day', async (req) => {
    const w = dayWindowOf(req.params.day, zone);
    if (!w) throw new FootfallError('INPUT_INVALID', DAY_PARAM_MESSAGE);
    const stored = storedReportOf(store, w);
    if (stored) return { stored: true, report: stored };
    // Not stored (not closed yet, or before reports): the same figures computed up to now.
    const t = now();
    if (t < w.fromMs) throw Object.assign(new Error(`day ${w.day} has not begun`), { statusCode: 404, code: 'NOT_FOUND' });
    return { stored: false, report: buildDailyReport(store, w, Math.min(t, w.toMs), { closingTime: deps.config.report?.closingTime ?? '22:00', zone, nowMs: t }) };
  });

  app.get('/api/wifi', async () => summarizeWifi(store, now(), zone));

  app.get<{ Querystring: { day?: string; hour?: string } }>('/api/site-paths', async (req) => sitePathsOf(req.query));

  app.get('/api/cameras', async () => ({
    cameras: pageCameras().map((c) => ({ ...c, snapshotUrl: c.snapshotSeq > 0 ? `/api/cameras/${encodeURIComponent(c.name)}/snapshot.jpg?seq=${c.snapshotSeq}` : null })),
  }));

  app.get<{ Params: { name: string } }>('/api/cameras/:name/snapshot.jpg', async (req, reply) => {
    const c = cameraByName(req.params.name);
    live.touch();
    const snap = live.camera(c.name)?.snapshot;
    if (!snap) return reply.code(404).send({ error: 'NO_SNAPSHOT', message: 'no frame yet; snapshots are made while someone watches' });
    return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(snap.jpeg);
  });

  app.get<{ Params: { name: string } }>('/api/cameras/:name/heatmap.png', async (req, reply) => {
    const c = cameraByName(req.params.name);
    const png = await deps.heatmap(c.name);
    if (!png) return reply.code(404).send({ error: 'NO_HEATMAP', message: 'no heatmap for this camera yet' });
    return reply.type('image/png').header('cache-control', 'private, no-store').send(png);
  });

  app.put<{ Params: { name: string } }>('/api/cameras/:name/geometry', async (req, reply) => {
    const c = cameraByName(req.params.name);
    if (!deps.editor) {
      return reply.code(409).send({ error: 'NO_CONFIG_FILE', message: 'the agent runs on its embedded defaults; start it with --config FILE to save edits' });
    }
    const frame = c.sourceWidth > 0 ? { width: c.sourceWidth, height: c.sourceHeight } : null;
    const geometry = parseGeometry(req.body, frame);
    const cameraConfig = deps.cameras().find((k) => k.name === c.name) ?? { name: c.name };
    const config = await deps.editor.save(cameraConfig, geometry);
    await deps.onConfigSaved(config);
    req.log.info({ camera: c.name, lines: geometry.lines.length, zones: geometry.zones.length }, 'camera geometry saved and applied');
    return { ok: true, camera: c.name, lines: geometry.written.lines, zones: geometry.written.zones };
  });

  // Floor calibration (docs/status-api.md): check a point set, save it into the YAML file.
  app.post<{ Params: { name: string } }>('/api/cameras/:name/calibration/check', async (req) => {
    const c = cameraByName(req.params.name);
    return { camera: c.name, ...checkCalibrationPoints(parseCalibrationPoints(req.body), c.sourceWidth > 0 ? { width: c.sourceWidth, height: c.sourceHeight } : null) };
  });

  app.put<{ Params: { name: string } }>('/api/cameras/:name/calibration', async (req, reply) => {
    const c = cameraByName(req.params.name);
    if (!deps.editor) {
      return reply.code(409).send({ error: 'NO_CONFIG_FILE', message: 'the agent runs on its embedded defaults; start it with --config FILE to save edits' });
    }
    const points = parseCalibrationPoints(req.body);
    const check = checkCalibrationPoints(points, c.sourceWidth > 0 ? { width: c.sourceWidth, height: c.sourceHeight } : null);
    if (!check.ok) return reply.code(400).send({ error: 'INPUT_INVALID', message: `camera "${c.name}": ${check.reason}` });
    const cameraConfig = deps.cameras().find((k) => k.name === c.name) ?? { name: c.name };
    const config = await deps.editor.saveCalibration(cameraConfig, points);
    await deps.onConfigSaved(config);
    req.log.info({ camera: c.name, points: points.length, reprojectionMeanPx: Number(check.reprojection.meanPx.toFixed(2)) }, 'camera floor calibration saved; it applies at the next start');
    return { ok: true, camera: c.name, points: points.length, reprojection: check.reprojection, appliesOn: 'restart' };
  });

  app.get('/api/live', (_req, reply) => {
    if (deps.hub.full) return reply.code(503).send({ error: 'TOO_MANY_VIEWS', message: 'too many live views open' });
    reply.hijack();
    deps.hub.add(reply.raw, reply.getHeaders());
  });

  app.get<{ Querystring: { day?: string } }>('/api/counts.csv', async (req, reply) => {
    const w = req.query.day ? dayWindowOf(req.query.day, zone) : dayWindow(now(), zone);
    if (!w) throw new FootfallError('INPUT_INVALID', DAY_PARAM_MESSAGE);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="footfall-counts-${w.day}.csv"`)
      .send(reportCsv(store, w));
  });

  // --- Pages --------------------------------------------------------------------------

  const page = (text: string) => text;

  app.get('/', async (req, reply) => {
    const t = now();
    return reply.type('text/html; charset=utf-8').send(
      page(overviewPage({ cameras: pageCameras(), summary: summarizeDay(store, t, zone, known()), wifi: summarizeWifi(store, t, zone), csrfToken: csrfOf(req) })),
    );
  });

  app.get('/health', async (req, reply) => reply.type('text/html; charset=utf-8').send(healthPage(healthData(), csrfOf(req))));

  app.get<{ Querystring: { camera?: string } }>('/editor', async (req, reply) => {
    const cams = pageCameras();
    const name = req.query.camera ?? cams[0]?.name;
    const selected = name === undefined ? null : (cams.find((c) => c.name === name) ?? null);
    if (name !== undefined && req.query.camera !== undefined && !selected) return reply.code(404).type('text/plain; charset=utf-8').send('no such camera');
    return reply.type('text/html; charset=utf-8').send(editorPage(cams, selected, csrfOf(req), deps.editor !== null));
  });

  app.get<{ Querystring: { day?: string } }>('/report', async (req, reply) => {
    const w = req.query.day ? dayWindowOf(req.query.day, zone) : dayWindow(now(), zone);
    if (!w) return reply.code(400).type('text/plain; charset=utf-8').send(DAY_PARAM_MESSAGE);
    const t = now();
    const storedDays = storedReportDays(store, t);
    const stored = storedReportOf(store, w);
    if (stored) return reply.type('text/html; charset=utf-8').send(storedReportPage(stored, store, csrfOf(req), t, storedDays, zone));
    const summary = summarizeDay(store, Math.min(t, w.toMs - 1), zone, known());
    return reply.type('text/html; charset=utf-8').send(reportPage(summary, store, csrfOf(req), t, storedDays, zone));
  });

  app.get<{ Querystring: { day?: string; hour?: string } }>('/site-paths', async (req, reply) => {
    let d: SitePathsDay;
    try {
      d = sitePathsOf(req.query);
    } catch (err) {
      if (err instanceof FootfallError) return reply.code(400).type('text/plain; charset=utf-8').send(err.message);
      throw err;
    }
    return reply.type('text/html; charset=utf-8').send(sitePathsPage(d, csrfOf(req)));
  });
}
