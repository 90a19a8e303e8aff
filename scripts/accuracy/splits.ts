// The declared tuning / validation split (splits.json beside this file) as typed data,
// and the tracking cases it names, loaded from ../shared/fixtures and the crowd
// simulator. Everything that chooses a default reads `tuning`; headline figures come
// from `validation`.
import { FloorCalibration, parseCamPara } from '../../edge/shared/floor-calibration.ts';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMotText, parseSeqInfo, readMotFile, type MotTable } from '../../edge/track/eval/index.ts';
import { noisyDetectionsFromGt } from '../crowd-sim/noisy-detections.ts';
import { simulateCrowd } from '../crowd-sim/simulator.ts';

export type Half = 'tuning' | 'validation';
export const HALVES: readonly Half[] = ['tuning', 'validation'];

export interface TrackingEntry {
  seq: string;
  /** A detection file in the sequence folder, or `gt+noise` (scripts/crowd-sim/noisy-detections.ts). */
  det: string;
  camera: 'high' | 'eye';
  detector: string;
  /** Inclusive frame range; the slice is renumbered from 1. */
  frames?: [number, number];
}

export interface CrowdEntry {
  seed: number;
  people: number;
}

export interface NamedLine {
  name: string;
  points: [[number, number], [number, number]];
}

export interface NamedZone {
  name: string;
  polygon: Array<[number, number]>;
}

export interface VideoEntry {
  name: string;
  video: string;
  gt: string;
  fps: number;
  width: number;
  height: number;
  camera: 'high' | 'eye';
  detector: string;
}

export interface Splits {
  tracking: Record<Half, TrackingEntry[]>;
  noiseSeed: Record<Half, number>;
  crowds: { trackerFrames: number; countFrames: number; lines: Record<Half, NamedLine[]>; zones: Record<Half, NamedZone[]>; quiet: Record<Half, CrowdEntry[]> } & Record<Half, CrowdEntry[]>;
  videos: Record<Half, VideoEntry[]>;
  pets09Lines: Record<Half, NamedLine[]>;
  pets09Zones: Record<Half, NamedZone[]>;
  /** Line counts against the crowd simulator's declared noise level (jitter, fraction of box height). */
  floorCounting: { frames: number; jitter: Record<Half, number[]>; crowds: Record<Half, CrowdEntry[]> };
  /** Mall-wide paths (#24): simulated malls (scripts/mall-sim) per half. */
  paths: Record<Half, PathsEntry[]>;
}

export interface PathsEntry {
  /** A scripts/mall-sim layout. */
  layout: string;
  seed: number;
  people: number;
  minutes: number;
  /** Declared detector noise: jitter as a fraction of the box height. */
  jitter: number;
}

export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const MOT_DIR = `${SHARED_DIR}fixtures/mot/`;
export const VIDEO_DIR = `${SHARED_DIR}fixtures/video/`;

export function loadSplits(path = fileURLToPath(new URL('./splits.json', import.meta.url))): Splits {
  return JSON.parse(readFileSync(path, 'utf8')) as Splits;
}

/** One tracker evaluation: detections in, ground truth to score against. */
export interface TrackingCase {
  name: string;
  half: Half;
  kind: 'mot' | 'noisy' | 'crowd';
  camera: string;
  detector: string;
  gt: MotTable;
  det: MotTable;
  fps: number;
  lastFrame: number;
  width: number;
  height: number;
  /** The sequence's camera calibration (UCMCTrack cam_para.txt beside it), for floor tracking. */
  calibration: FloorCalibration | null;
}

/** The floor mapping of a shared sequence with a cam_para.txt, else null. */
export function calibrationOf(seq: string, width: number, height: number): FloorCalibration | null {
  const p = `${MOT_DIR}${seq}/cam_para.txt`;
  return existsSync(p) ? FloorCalibration.fromCamera(parseCamPara(readFileSync(p, 'utf8')), { width, height }) : null;
}

/** Frame rates and sizes of sequences without seqinfo.ini (SOURCES.md). */
const INFO_FALLBACK: Record<string, { fps: number; width: number; height: number }> = {
  'ETH-Sunnyday': { fps: 14, width: 640, height: 480 },
  'Venice-2': { fps: 30, width: 1920, height: 1080 },
};

export function seqInfo(seq: string): { fps: number; length: number | undefined; width: number; height: number } {
  const p = `${MOT_DIR}${seq}/seqinfo.ini`;
  const info = existsSync(p) ? parseSeqInfo(readFileSync(p, 'utf8')) : {};
  const fb = INFO_FALLBACK[seq];
  return { fps: info.frameRate ?? fb?.fps ?? 30, length: info.seqLength, width: info.imWidth ?? fb?.width ?? 1920, height: info.imHeight ?? fb?.height ?? 1080 };
}

/** Rows of frames first..last, renumbered from 1, as a new table (all gt columns kept). */
export function sliceFrames(t: MotTable, first: number, last: number): MotTable {
  const rows: string[] = [];
  for (let k = 0; k < t.count; k++) {
    const f = t.frame[k]!;
    if (f < first || f > last) continue;
    const b = t.box;
    const head = `${f - first + 1},${t.id[k]},${b[4 * k]},${b[4 * k + 1]},${b[4 * k + 2]},${b[4 * k + 3]},${t.conf[k]}`;
    rows.push(t.columns >= 9 ? `${head},${t.cls[k]},${t.visibility[k]}` : `${head},-1,-1,-1`);
  }
  return parseMotText(rows.join('\n'));
}

/** The tracking cases of one half (MOT sequences, gt+noise, simulated crowds). */
export function trackingCases(splits: Splits, half: Half, options: { crowdFrames?: number } = {}): TrackingCase[] {
  const cases: TrackingCase[] = [];
  for (const e of splits.tracking[half]) {
    const gtPath = `${MOT_DIR}${e.seq}/gt.txt`;
    if (!existsSync(gtPath)) continue;
    const info = seqInfo(e.seq);
    let gt = readMotFile(gtPath);
    const noisy = e.det === 'gt+noise';
    let det: MotTable;
    if (noisy) det = parseMotText(noisyDetectionsFromGt(gt, info.width, info.height, splits.noiseSeed[half]));
    else {
      const detPath = `${MOT_DIR}${e.seq}/${e.det}`;
      if (!existsSync(detPath)) continue;
      det = readMotFile(detPath);
    }
    let lastFrame = info.length ?? gt.frames[gt.frames.length - 1] ?? 0;
    let range = '';
    if (e.frames) {
      const [a, b] = e.frames;
      gt = sliceFrames(gt, a, b);
      det = sliceFrames(det, a, b);
      lastFrame = b - a + 1;
      range = ` ${a}-${b}`;
    }
    const label = noisy ? 'gt+noise' : e.det.replace(/\.txt$/, '');
    cases.push({
      name: `${e.seq}${range} (${label})`,
      half,
      kind: noisy ? 'noisy' : 'mot',
      camera: e.camera,
      detector: e.detector,
      gt,
      det,
      fps: info.fps,
      lastFrame,
      width: info.width,
      height: info.height,
      calibration: calibrationOf(e.seq, info.width, info.height),
    });
  }
  const frames = options.crowdFrames ?? splits.crowds.trackerFrames;
  for (const c of splits.crowds[half]) {
    const sim = simulateCrowd({ people: c.people, frames, fps: 10, seed: c.seed });
    cases.push({
      name: `crowd ${c.people} seed ${c.seed} (sim)`,
      half,
      kind: 'crowd',
      camera: 'high',
      detector: 'sim',
      gt: parseMotText(sim.gt),
      det: parseMotText(sim.det),
      fps: sim.options.fps,
      lastFrame: frames,
      width: sim.options.width,
      height: sim.options.height,
      calibration: null,
    });
  }
  return cases;
}
