// `footfall paths` and the paths benchmark: the live code (floor tracker per camera, fragment
// builder, stitcher, tally) over MOTChallenge detection files, one per camera, in lockstep at a
// given frame rate. No k-anonymity offline.
import type { FootfallConfig } from '../config/index.ts';
import { ByteTracker } from '../track/index.ts';
import { packDetections, parseMotText, type PackedDetections } from '../track/eval/index.ts';
import type { TrackFrame } from '../shared/types.ts';
import { FragmentBuilder } from './fragment-builder.ts';
import { PathTally, type PathCounts } from './path-tally.ts';
import { siteFloorOf } from './site-floor.ts';
import { Stitcher, type StitcherCounters } from './stitcher.ts';
import { floorZonesOf } from './zone-visits.ts';

export interface CameraDetections {
  camera: string;
  /** MOTChallenge det.txt text: frame,id,x,y,w,h,score,... (frames from 1). */
  det: string;
}

export interface OfflineSitePathsOptions {
  config: FootfallConfig;
  detections: CameraDetections[];
  fps: number;
  /** Default true; false = the baseline: each camera's own tracks, no hand-over. */
  handover?: boolean;
  /** Box name given to the fragments (default the config's device). */
  box?: string;
}

export interface SitePathsSummary extends PathCounts {
  fragments: number;
  siteTracks: number;
  handovers: number;
  cuts: number;
  counters: StitcherCounters;
  /** Cameras with detections but no usable calibration (no part in paths). */
  uncalibrated: string[];
  /** Zones no calibrated camera sees. */
  unseenZones: string[];
}

/** Flush fragments into the stitcher about every this many ms of video. */
const FLUSH_MS = 1000;

export function runSitePathsOffline(options: OfflineSitePathsOptions): SitePathsSummary {
  const { config, fps } = options;
  const box = options.box ?? config.device;
  const floor = siteFloorOf(config.cameras, config.floorPlan.zones);
  const calibrated = new Map(floor.cameras.map((c) => [c.name, c.calibration]));
  const tally = new PathTally();
  const stitcher = new Stitcher(
    { zones: floorZonesOf(config.floorPlan.zones), handover: config.sitePaths.handover, visitMinS: config.sitePaths.visitMinS, exitGraceS: config.sitePaths.exitGraceS, sampleMs: config.sitePaths.sampleMs, handoverEnabled: options.handover ?? true },
    tally,
  );
  const runs: Array<{ camera: string; packed: PackedDetections; tracker: ByteTracker; builder: FragmentBuilder; frame: TrackFrame }> = [];
  const uncalibrated: string[] = [];
  for (const d of options.detections) {
    const cal = calibrated.get(d.camera);
    if (!cal) {
      uncalibrated.push(d.camera);
      continue;
    }
    const packed = packDetections(parseMotText(d.det));
    const tracker = new ByteTracker(config.tracker, { calibration: cal });
    const cam = config.cameras.find((c) => c.name === d.camera);
    const frameSize = cam?.width !== undefined && cam.height !== undefined ? { width: cam.width, height: cam.height } : undefined;
    const builder = new FragmentBuilder({ box, camera: d.camera, sampleMs: config.sitePaths.sampleMs, frame: frameSize });
    const out = tracker.output;
    const frame: TrackFrame = { camera: d.camera, tsMs: 0, count: 0, ids: out.ids, boxes: out.boxes, floor: out.floor, endedCount: 0, endedIds: out.endedIds };
    runs.push({ camera: d.camera, packed, tracker, builder, frame });
  }
  let frames = 0;
  for (const r of runs) frames = Math.max(frames, r.packed.lastFrame);
  const view: { count: number; boxes: Float32Array; scores: Float32Array } = { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) };
  const flushEvery = Math.max(1, Math.round((FLUSH_MS * fps) / 1000));
  for (let f = 1; f <= frames; f++) {
    const tsMs = ((f - 1) * 1000) / fps;
    for (const r of runs) {
      const i = f - r.packed.firstFrame;
      const has = i >= 0 && i < r.packed.offset.length;
      const start = has ? r.packed.offset[i]! : 0;
      view.count = has ? r.packed.count[i]! : 0;
      view.boxes = r.packed.boxes.subarray(4 * start, 4 * (start + view.count));
      view.scores = r.packed.scores.subarray(start, start + view.count);
      const out = r.tracker.update(tsMs, view);
      r.frame.tsMs = tsMs;
      r.frame.count = out.count;
      r.frame.ids = out.ids;
      r.frame.floor = out.floor;
      r.frame.boxes = out.boxes;
      r.frame.endedIds = out.endedIds;
      r.frame.endedCount = out.endedCount;
      r.builder.onFrame(r.frame);
    }
    if (f % flushEvery === 0 || f === frames) {
      for (const r of runs) for (const chunk of r.builder.flush()) stitcher.add(chunk);
      stitcher.advance(tsMs);
    }
  }
  for (const r of runs) {
    r.builder.endAll();
    for (const chunk of r.builder.flush()) stitcher.add(chunk);
  }
  stitcher.finish();
  const c = stitcher.counters;
  return {
    ...tally.total(),
    fragments: c.fragments,
    siteTracks: c.siteTracks,
    handovers: c.overlapJoins + c.gapJoins,
    cuts: c.cuts,
    counters: { ...c },
    uncalibrated: [...floor.uncalibrated, ...uncalibrated.filter((n) => !floor.uncalibrated.includes(n))],
    unseenZones: floor.unseenZones,
  };
}
