// Config of the analytics stage (edge/analytics): per-camera geometry (counting lines,
// zones, queues; spread into the camera schema) and the site-wide `analytics` section
// (track relinking, heatmaps, forecasts, alert rules). Geometry is checked here, so a
// degenerate line or a self-intersecting zone fails at start with the field named.
import { z } from 'zod';
import { bool, identifier, intBetween, numberBetween, oneOf, point, uniqueNames } from '../fields.ts';
import { CONFIG_LIMITS } from '../limits.ts';
import { polygonArea, repeatedVertex, selfIntersection } from '../../shared/geometry.ts';

/** Below this a zone cannot hold a person's foot point reliably (px²). */
export const MIN_ZONE_AREA_PX2 = 100;
/** Floor band (m each side) and hold (s) of a line on a calibrated camera; chosen on the tuning half (BENCHMARKS.md, "Floor counting (#23)"). */
export const BAND_M_DEFAULT = 0.15;
export const HOLD_S_DEFAULT = 0.25;
export const BAND_NOISE_BOX_FRACTION_DEFAULT = 0.06;
/** Shorter lines are typos (A = B or nearly), not counting lines (px). */
export const MIN_LINE_LENGTH_PX = 2;

type Pt = readonly [number, number];

function lineLength(points: readonly [Pt, Pt]): number {
  const [[ax, ay], [bx, by]] = points;
  return Math.hypot(bx - ax, by - ay);
}

const linePoints = () =>
  z
    .tuple([point(), point()], { error: 'must be two points [[ax, ay], [bx, by]]' })
    .refine((p) => lineLength(p) >= MIN_LINE_LENGTH_PX, {
      error: `is degenerate: A and B must be at least ${MIN_LINE_LENGTH_PX} px apart`,
    });

/** Polygon field with the simple-polygon checks; `what` names it in messages. */
const polygonField = () =>
  z
    .array(point(), { error: 'must be a list of points [[x, y], ...]' })
    .min(3, { error: 'must have at least 3 points' })
    .superRefine((pts, ctx) => {
      if (pts.length < 3) return;
      const rep = repeatedVertex(pts);
      if (rep >= 0) {
        ctx.addIssue({ code: 'custom', message: `repeats point ${rep + 1} ([${pts[rep]!.join(', ')}]) as the next point` });
        return;
      }
      const hit = selfIntersection(pts);
      if (hit) {
        ctx.addIssue({
          code: 'custom',
          message: `is self-intersecting: edge ${hit[0] + 1}-${((hit[0] + 1) % pts.length) + 1} crosses edge ${hit[1] + 1}-${((hit[1] + 1) % pts.length) + 1}; list the points in order around the area`,
        });
        return;
      }
      const area = polygonArea(pts);
      if (area < MIN_ZONE_AREA_PX2) {
        ctx.addIssue({ code: 'custom', message: `is too small: area ${area.toFixed(1)} px², at least ${MIN_ZONE_AREA_PX2} px² needed` });
      }
    });

export const lineSchema = z
  .object({
    /** Line name (unique per camera): the subject of its counts and events. */
    name: identifier().describe('Line name (unique per camera): the subject of its counts and events.'),
    /** A -> B in source-image pixels; `in` is a crossing from the negative to the positive side. */
    points: linePoints().describe('A -> B in source-image pixels; `in` is a crossing from the negative to the positive side.'),
    /** Hysteresis: how far past the line (px) the foot point must go before a crossing counts. */
    minDistancePx: numberBetween(0, 500).default(8).describe('Hysteresis: how far past the line (px) the foot point must go before a crossing counts.'),
    /** The new side must hold this long (not go back beyond the band) before a crossing counts. */
    minSideMs: intBetween(0, 10_000).default(250).describe('The new side must hold this long (not go back beyond the band) before a crossing counts.'),
    /**
     * On a calibrated camera (cameras[].calibration): the band on the floor, metres each side of
     * the line. A crossing counts when the floor position passes from beyond it on one side to
     * beyond it on the other (minDistancePx and minDistanceBoxFraction then do not apply).
     */
    bandM: numberBetween(0, 5).default(BAND_M_DEFAULT).describe(`On a calibrated camera (cameras[].calibration): the band on the floor in metres each side of the line; a crossing counts when the floor position passes from beyond it on one side to beyond it on the other (minDistancePx and minDistanceBoxFraction then do not apply). Range 0-5, default ${BAND_M_DEFAULT} (chosen on the tuning half of scripts/accuracy/splits.json).`),
    /**
     * On a calibrated camera: the band widens where the detector's pixel noise of this many box
     * heights moves a person farther across the line on the floor than bandM (far people, depth).
     */
    bandNoiseBoxFraction: numberBetween(0, 1).default(BAND_NOISE_BOX_FRACTION_DEFAULT).describe(`On a calibrated camera: the floor band widens to where pixel noise of this many box heights (carried onto the floor through the calibration, across the line) would reach, when that is more than bandM: far people and lines crossed in depth get a wider band in metres (0: off). Range 0-1, default ${BAND_NOISE_BOX_FRACTION_DEFAULT}.`),
    /** On a calibrated camera: how long (s) the new side must hold (instead of minSideMs). */
    holdS: numberBetween(0, 10).default(HOLD_S_DEFAULT).describe(`On a calibrated camera: how long in seconds the new side must hold (not go back over the line) before a crossing counts, instead of minSideMs. Range 0-10, default ${HOLD_S_DEFAULT}.`),
    /** Band as a fraction of the person's box height, where that is wider than minDistancePx (0: off). */
    minDistanceBoxFraction: numberBetween(0, 1).default(0).describe("Band as a fraction of the person's box height, where that is wider than minDistancePx (0: off)."),
    /**
     * `entrance`: a door of the site. Its crossings also count as site entries and exits, which
     * make the site's in/out per minute and how many people are inside now (`count`: a line
     * inside the site, counted on its own).
     */
    role: oneOf(['count', 'entrance']).default('count').describe("`entrance`: a door of the site. Its crossings also count as site entries and exits, which make the site's in/out per minute and how many people are inside now (`count`: a line inside the site, counted on its own)."),
    /** For an entrance: which crossing direction of this line goes into the site. */
    intoSite: oneOf(['in', 'out']).default('in').describe('For an entrance: which crossing direction of this line goes into the site.'),
  })
  .strict();

export const zoneSchema = z
  .object({
    /** Zone name (unique per camera): the subject of its visits and occupancy. */
    name: identifier().describe('Zone name (unique per camera): the subject of its visits and occupancy.'),
    /** Vertices in order around the area (either orientation), source pixels. */
    polygon: polygonField().describe('Vertices in order around the area (either orientation), source pixels.'),
    /** Visits shorter than this are flicker, not visits. */
    minStayMs: intBetween(0, 3_600_000).default(1_000).describe('Visits shorter than this are flicker, not visits.'),
    /** A visit ends only after the foot point has been outside this long (doorway jitter). */
    exitGraceMs: intBetween(0, 600_000).default(1_000).describe('A visit ends only after the foot point has been outside this long (doorway jitter).'),
    /** People; above it a crowding alert can fire. */
    capacity: intBetween(1, 100_000).optional().describe('People; above it a crowding alert can fire.'),
  })
  .strict();

export const queueSchema = z
  .object({
    /** Queue name (unique per camera). */
    name: identifier().describe('Queue name (unique per camera).'),
    /** Where people wait. */
    polygon: polygonField().describe('Where people wait.'),
    /** The service point: crossing it (in `serviceDirection`) means served. */
    serviceLine: z
      .object({
        /** Service line A -> B in source-image pixels. */
        points: linePoints().describe('Service line A -> B in source-image pixels.'),
        /** Which crossing direction means served ("any": both). */
        direction: oneOf(['in', 'out', 'any']).default('any').describe('Which crossing direction means served ("any": both).'),
        /** Hysteresis of the service line (px, default 8); on a calibrated camera the lines' floor band instead (bandM, bandNoiseBoxFraction defaults). */
        minDistancePx: numberBetween(0, 500).default(8).describe(`Hysteresis of the service line (px, default 8). On a calibrated camera the service line counts on the floor with the counting lines' default floor band (bandM ${BAND_M_DEFAULT} m, bandNoiseBoxFraction ${BAND_NOISE_BOX_FRACTION_DEFAULT}) and minSideMs as its hold.`),
        /** How long the served side must hold (ms, default 250). */
        minSideMs: intBetween(0, 10_000).default(250).describe('How long the served side must hold (ms, default 250).'),
      })
      .strict().describe('The service point: crossing it (in `serviceDirection`) means served.'),
    /** Shorter stays in the queue area are passers-by, not queuers. */
    minStayMs: intBetween(0, 3_600_000).default(3_000).describe('Shorter stays in the queue area are passers-by, not queuers.'),
    /** A queue stay ends only after this long outside the area (ms, default 2000). */
    exitGraceMs: intBetween(0, 600_000).default(2_000).describe('A queue stay ends only after this long outside the area (ms, default 2000).'),
    /** Weight of the newest minute in the smoothed service rate (exponential smoothing). */
    smoothing: numberBetween(0.01, 1).default(0.3).describe('Weight of the newest minute in the smoothed service rate (exponential smoothing).'),
  })
  .strict();

/**
 * With a known frame size, every point of the camera's lines, zones and queues must lie in
 * the frame: a point outside it is a typo or a line drawn for another resolution, and it
 * would silently count nothing. Issues name the camera and the item.
 */
export function checkGeometryInFrame(
  camera: { name: string; width?: number | undefined; height?: number | undefined; lines: LineConfig[]; zones: ZoneConfig[]; queues: QueueConfig[] },
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  const { width, height } = camera;
  if (width === undefined || height === undefined) return;
  const outside = (pts: ReadonlyArray<readonly [number, number]>) => pts.findIndex(([x, y]) => x < 0 || y < 0 || x > width || y > height);
  const report = (path: Array<string | number>, what: string, pts: ReadonlyArray<readonly [number, number]>, k: number) =>
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${what} of camera "${camera.name}" has point ${k + 1} [${pts[k]!.join(', ')}] outside the camera's ${width}x${height} frame`,
    });
  camera.lines.forEach((l, i) => {
    const k = outside(l.points);
    if (k >= 0) report(['lines', i, 'points'], `line "${l.name}"`, l.points, k);
  });
  camera.zones.forEach((z, i) => {
    const k = outside(z.polygon);
    if (k >= 0) report(['zones', i, 'polygon'], `zone "${z.name}"`, z.polygon, k);
  });
  camera.queues.forEach((q, i) => {
    const k = outside(q.polygon);
    if (k >= 0) report(['queues', i, 'polygon'], `queue "${q.name}"`, q.polygon, k);
    const j = outside(q.serviceLine.points);
    if (j >= 0) report(['queues', i, 'serviceLine', 'points'], `service line of queue "${q.name}"`, q.serviceLine.points, j);
  });
}

/** Per-camera analytics fields, spread into the camera schema. */
export const cameraAnalyticsFields = {
  /** Counting lines of this camera (at most 64): crossings in and out per direction. */
  lines: z.array(lineSchema).max(CONFIG_LIMITS.linesPerCamera).default([]).superRefine(uniqueNames('line', 'lines')).describe('Counting lines of this camera (at most 64): crossings in and out per direction.'),
  /** Zones of this camera (at most 64): visits, dwell and occupancy. */
  zones: z.array(zoneSchema).max(CONFIG_LIMITS.zonesPerCamera).default([]).superRefine(uniqueNames('zone', 'zones')).describe('Zones of this camera (at most 64): visits, dwell and occupancy.'),
  /** Queues of this camera (at most 16): length and waiting time. */
  queues: z.array(queueSchema).max(CONFIG_LIMITS.queuesPerCamera).default([]).superRefine(uniqueNames('queue', 'queues')).describe('Queues of this camera (at most 16): length and waiting time.'),
};

export const ruleSchema = z
  .object({
    /** Rule name (unique): the name of its alerts. */
    name: identifier().describe('Rule name (unique): the name of its alerts.'),
    /**
     * occupancy-above: people in a zone now; queue-wait-above: a queue's wait (minutes);
     * visitors-below: entries into a zone or `in` crossings of a line in the last hour;
     * forecast-below: forecast visitors of a zone or line for the next hour;
     * silent: seconds since a camera (or any event source) last reported.
     */
    kind: oneOf(['occupancy-above', 'queue-wait-above', 'visitors-below', 'forecast-below', 'silent']).describe("occupancy-above: people in a zone now; queue-wait-above: a queue's wait (minutes); visitors-below: entries into a zone or `in` crossings of a line in the last hour; forecast-below: forecast visitors of a zone or line for the next hour; silent: seconds since a camera (or any event source) last reported."),
    /** Zone, queue, line, camera or source name. */
    subject: identifier().describe('Zone, queue, line, camera or source name.'),
    /** Raise at this value (people, minutes, visitors or seconds by kind). */
    threshold: numberBetween(0, 1e9).describe('Raise at this value (people, minutes, visitors or seconds by kind).'),
    /** Clear at this value (hysteresis); defaults to 10% back from the threshold. */
    clearAt: numberBetween(0, 1e9).optional().describe('Clear at this value (hysteresis); defaults to 10% back from the threshold.'),
    /** The condition must hold this long before raising (and its opposite before clearing). */
    minDurationS: intBetween(0, 86_400).default(60).describe('The condition must hold this long before raising (and its opposite before clearing).'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.clearAt === undefined) return;
    const above = r.kind === 'occupancy-above' || r.kind === 'queue-wait-above' || r.kind === 'silent';
    if (above ? r.clearAt > r.threshold : r.clearAt < r.threshold) {
      ctx.addIssue({
        code: 'custom',
        path: ['clearAt'],
        message: `must be ${above ? 'at most' : 'at least'} threshold (${r.threshold}) for a ${r.kind} rule`,
      });
    }
  });

export const analyticsSection = z
  .object({
    /**
     * Lost and found: a new track starting this soon (ms) after another vanished nearby is the
     * same person, so a tracker fragment or identity switch at a line is one crossing, not two
     * and not none. The relink defaults were chosen on the tuning half of
     * scripts/accuracy/splits.json (line-count error through the tracker; BENCHMARKS.md).
     */
    relinkMaxGapMs: intBetween(0, 60_000).default(3_000).describe('Lost and found: a new track starting this soon (ms) after another vanished nearby is the same person, so a tracker fragment or identity switch at a line is one crossing, not two and not none. The relink defaults were chosen on the tuning half of scripts/accuracy/splits.json (line-count error through the tracker; BENCHMARKS.md).'),
    /** Base reach (px) around where the lost person is expected: their last foot point, moved on by their velocity. */
    relinkRadiusPx: numberBetween(0, 2_000).default(60).describe('Base reach (px) around where the lost person is expected: their last foot point, moved on by their velocity.'),
    /** The reach grows by this many of the lost person's box heights per second of gap (0: fixed relinkRadiusPx). */
    relinkRadiusBoxesPerS: numberBetween(0, 10).default(1).describe("The reach grows by this many of the lost person's box heights per second of gap (0: fixed relinkRadiusPx)."),
    /** Relinking looks for a lost person where their walking velocity takes them, for at most this long (ms; 0: where last seen). */
    relinkPredictMaxMs: intBetween(0, 10_000).default(2_000).describe('Relinking looks for a lost person where their walking velocity takes them, for at most this long (ms; 0: where last seen).'),
    /** A track not updated this long is ended even if the tracker never said so. */
    staleTrackMs: intBetween(100, 600_000).default(10_000).describe('A track not updated this long is ended even if the tracker never said so.'),
    /** Hourly heatmaps of where people stood, per camera (PNG under dataDir/heatmaps). */
    heatmap: z
      .object({
        /** Make heatmaps (default true). */
        enabled: bool().default(true).describe('Make heatmaps (default true).'),
        /** Grid cell size in source pixels. */
        cellPx: intBetween(2, 256).default(16).describe('Grid cell size in source pixels.'),
      })
      .strict()
      .prefault({}).describe('Hourly heatmaps of where people stood, per camera (PNG under dataDir/heatmaps).'),
    /** Next-hour and rest-of-day visitor forecasts per line and zone. */
    forecast: z
      .object({
        /** Make forecasts (default true). */
        enabled: bool().default(true).describe('Make forecasts (default true).'),
        /** How often forecasts are recomputed. */
        everyMinutes: intBetween(1, 1_440).default(15).describe('How often forecasts are recomputed.'),
        /** Smoothing weights of the level and the weekday-hour season. */
        alpha: numberBetween(0.01, 1).default(0.2).describe('Smoothing weights of the level and the weekday-hour season.'),
        /** Smoothing weight of the weekday-hour season (0.01-1, default 0.3). */
        gamma: numberBetween(0.01, 1).default(0.3).describe('Smoothing weight of the weekday-hour season (0.01-1, default 0.3).'),
        /** Below this much history the forecast is the mean of the same hour in past weeks. */
        minHistoryWeeks: intBetween(1, 52).default(2).describe('Below this much history the forecast is the mean of the same hour in past weeks.'),
        /** History read for a forecast. */
        historyWeeks: intBetween(1, 52).default(8).describe('History read for a forecast.'),
        /** Deprecated: a fixed offset from UTC for the forecasts. Set the top-level timeZone instead. */
        utcOffsetMinutes: intBetween(-840, 840).optional().describe('Deprecated: a fixed offset from UTC for the forecasts. Set the top-level timeZone instead.'),
      })
      .strict()
      .prefault({}).describe('Next-hour and rest-of-day visitor forecasts per line and zone.'),
    /** Alert rules (at most 256): thresholds on occupancy, queue waits, visitors, forecasts or silence. */
    rules: z.array(ruleSchema).max(CONFIG_LIMITS.rules).default([]).superRefine(uniqueNames('rule', 'analytics.rules')).describe('Alert rules (at most 256): thresholds on occupancy, queue waits, visitors, forecasts or silence.'),
    /** How often rules are evaluated. */
    ruleEveryMs: intBetween(100, 600_000).default(5_000).describe('How often rules are evaluated.'),
  })
  .strict();

export type LineConfig = z.output<typeof lineSchema>;
export type ZoneConfig = z.output<typeof zoneSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type AnalyticsConfig = z.output<typeof analyticsSection>;
