// Line-count accuracy: true crossings from ground-truth tracks (the plain definition,
// edge/analytics/offline/count-accuracy.ts `trueCrossings`) against what the product counts
// (a) on the perfect tracks, (b) through our tracker, exactly as live: ByteTracker
// output frames fed straight into CameraAnalytics, and (c) the OpenDataCam recipe
// (node-moving-things-tracker + a plain segment test) on the same detections.
import { type AnalyticsConfig, analyticsSection, type LineConfig, lineSchema, type TrackerConfig, type ZoneConfig, zoneSchema } from '../../edge/config/index.ts';
import { CameraAnalytics, type CountTotals } from '../../edge/analytics/index.ts';
import { countAccuracy, plainCrossings, trueCrossings, trueZoneVisits, zoneAccuracy, type AccuracyReport, type LineCounts } from '../../edge/analytics/offline/index.ts';
import { parseMotTracks, type MotTracks } from '../../edge/analytics/offline/index.ts';
import { runCount } from '../../edge/analytics/offline/index.ts';
import { ByteTracker } from '../../edge/track/index.ts';
import type { MotTable } from '../../edge/track/eval/index.ts';
import { packDetections } from '../../edge/track/eval/index.ts';
import type { TrackFrame } from '../../edge/shared/types.ts';
import type { FloorCalibration } from '../../edge/shared/floor-calibration.ts';
import { loadNmt, runNmt, type NmtModule } from './peer-tracker.ts';
import type { NamedLine, NamedZone } from './splits.ts';

/** Band of the truth: a crossing counts once the foot point is this far past the line. */
export const TRUTH_BAND_PX = 5;

export type RelinkSettings = Partial<Pick<AnalyticsConfig, 'relinkMaxGapMs' | 'relinkRadiusPx' | 'relinkRadiusBoxesPerS' | 'relinkPredictMaxMs' | 'staleTrackMs'>>;

/** The agent's defaults (the config schema's), used when a caller gives none. */
const DEFAULT_RELINK: RelinkSettings = analyticsSection.parse({});

export function lineConfigs(lines: readonly NamedLine[], overrides: Partial<LineConfig> = {}): LineConfig[] {
  return lines.map((l) => lineSchema.parse({ ...l, ...overrides }));
}

export function zoneConfigs(zones: readonly NamedZone[]): ZoneConfig[] {
  return zones.map((z) => zoneSchema.parse(z));
}

/** MOT gt table (any format) as analytics tracks; gt rows not evaluated (conf 0) dropped. */
export function gtTracks(gt: MotTable): MotTracks {
  const rows: string[] = [];
  for (let k = 0; k < gt.count; k++) {
    if (gt.conf[k] === 0) continue;
    const b = gt.box;
    rows.push(`${gt.frame[k]},${gt.id[k]},${b[4 * k]},${b[4 * k + 1]},${b[4 * k + 2]},${b[4 * k + 3]}`);
  }
  return parseMotTracks(rows.join('\n'));
}

/** A counting scene: lines and zones in a frame of known size, at a frame rate. */
export interface Scene {
  lines: readonly LineConfig[];
  zones: readonly ZoneConfig[];
  fps: number;
  width?: number;
  height?: number;
  /** The camera's floor mapping: analytics counts on the floor (the lines' bandM). */
  floor?: FloorCalibration | null;
}

export interface SceneCounts {
  lines: LineCounts;
  zones: Record<string, number>;
}

/** The truth: crossings and visits of the exact tracks by their plain definitions. */
export function truthOf(gt: MotTable, scene: Scene): SceneCounts {
  const tracks = gtTracks(gt);
  return { lines: trueCrossings(tracks, scene.lines, TRUTH_BAND_PX), zones: trueZoneVisits(tracks, scene.zones, scene.fps) };
}

function countsOf(totals: CountTotals): SceneCounts {
  const zones: Record<string, number> = {};
  for (const [name, z] of Object.entries(totals.zones)) zones[name] = z.visits;
  return { lines: totals.lines, zones };
}

function geometryOf(scene: Scene) {
  return { name: 'eval', lines: scene.lines, zones: scene.zones, queues: [], width: scene.width, height: scene.height, floor: scene.floor ?? null };
}

/** The product's counting on exact (ground-truth) tracks. */
export function countOnTracks(tracks: MotTracks, scene: Scene, relink: RelinkSettings = DEFAULT_RELINK): SceneCounts {
  return countsOf(runCount({ tracks, camera: geometryOf(scene), fps: scene.fps, analytics: relink, keepEvents: false }).totals);
}

/** Detections -> our tracker -> analytics, frame by frame as in the live agent. */
/** The product's analytics on an evaluation scene, as live (events discarded, no heatmap). */
export function evalAnalytics(scene: Scene, relink: RelinkSettings = DEFAULT_RELINK): CameraAnalytics {
  return new CameraAnalytics({
    camera: geometryOf(scene),
    sink: { append: () => '' },
    relinkMaxGapMs: relink.relinkMaxGapMs,
    relinkRadiusPx: relink.relinkRadiusPx,
    relinkRadiusBoxesPerS: relink.relinkRadiusBoxesPerS,
    relinkPredictMaxMs: relink.relinkPredictMaxMs,
    staleTrackMs: relink.staleTrackMs,
    heatmapCellPx: null,
  });
}

export function countThroughTracker(det: MotTable, lastFrame: number, scene: Scene, tracker: TrackerConfig, relink: RelinkSettings = DEFAULT_RELINK, floorTracker: FloorCalibration | null = null): SceneCounts {
  const packed = packDetections(det, lastFrame);
  // floorTracker: the tracker itself runs on the floor and hands analytics its filtered floor positions.
  const bt = floorTracker ? new ByteTracker(tracker, { calibration: floorTracker }) : new ByteTracker(tracker);
  const engine = evalAnalytics(scene, relink);
  const view = { count: 0, boxes: packed.boxes, scores: packed.scores };
  const frame: TrackFrame = { camera: 'eval', tsMs: 0, count: 0, ids: bt.output.ids, boxes: bt.output.boxes, endedCount: 0, endedIds: bt.output.endedIds };
  for (let f = 0; f < packed.count.length; f++) {
    const o = packed.offset[f]!;
    const n = packed.count[f]!;
    view.count = n;
    view.boxes = packed.boxes.subarray(4 * o, 4 * (o + n));
    view.scores = packed.scores.subarray(o, o + n);
    const out = bt.update(((packed.firstFrame + f - 1) * 1000) / scene.fps, view);
    frame.tsMs = out.tsMs;
    frame.count = out.count;
    frame.ids = out.ids;
    frame.boxes = out.boxes;
    frame.endedCount = out.endedCount;
    frame.endedIds = out.endedIds;
    frame.floor = floorTracker ? out.floor : undefined;
    engine.process(frame);
  }
  engine.flush();
  return countsOf(engine.totals());
}

/** OpenDataCam's recipe on the same detections: its tracker, a plain segment test. */
export function countOpenDataCam(det: MotTable, lastFrame: number, lines: readonly LineConfig[], nmt: NmtModule = loadNmt(), minScore = 0): LineCounts {
  const r = runNmt(nmt, packDetections(det, lastFrame), minScore);
  return plainCrossings(parseMotTracks(r.text), lines);
}

export interface CountScores {
  truth: SceneCounts;
  onGt: AccuracyReport;
  ours: AccuracyReport;
  peer: AccuracyReport | null;
  zonesOnGt: ZoneAccuracy;
  zonesOurs: ZoneAccuracy;
}

type ZoneAccuracy = ReturnType<typeof zoneAccuracy>;

export function scoreCounts(truth: SceneCounts, onGt: SceneCounts, ours: SceneCounts, peer: LineCounts | null): CountScores {
  return {
    truth,
    onGt: countAccuracy(onGt.lines, truth.lines),
    ours: countAccuracy(ours.lines, truth.lines),
    peer: peer ? countAccuracy(peer, truth.lines) : null,
    zonesOnGt: zoneAccuracy(onGt.zones, truth.zones),
    zonesOurs: zoneAccuracy(ours.zones, truth.zones),
  };
}
