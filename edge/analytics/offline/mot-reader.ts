// Recorded tracks (a MOT table from edge/track's one reader: `frame,id,x,y,w,h[,conf,...]`,
// 1-based frames, any row order) replayed as TrackFrames, so the analytics run on recorded
// tracks (`footfall count`) exactly as on live tracker output. An id ends one frame after
// its last row.
import type { TrackFrame } from '../../shared/types.ts';
import { parseMotText, type MotTable } from '../../track/eval/index.ts';

export interface MotTracks {
  /** Highest frame number. */
  frameCount: number;
  /** Rows of frame f are rows frameStart[f] .. frameStart[f + 1] - 1 (f 1-based; index 0 unused). */
  frameStart: Int32Array;
  ids: Int32Array;
  /** x, y, w, h per row. */
  boxes: Float32Array;
  /** Last frame of each row's id, per row (so the replay knows when an id ends). */
  lastFrameOfRow: Int32Array;
  rows: number;
  distinctIds: number;
  /** Rows dropped because their id already had a row in the same frame (the first is kept). */
  duplicateRows: number;
}

export interface MotTracksOptions {
  /** Drop rows whose 7th column (conf) is below this (ground truth: 0 = not evaluated). */
  minConf?: number;
}

/**
 * The tracks of a MOT table (edge/track's one reader): rows with an id (detections, id -1,
 * are not tracks), grouped by frame in file order; a repeated id in a frame keeps its first row.
 */
export function motTracksOf(table: MotTable, options: MotTracksOptions = {}): MotTracks {
  const minConf = options.minConf ?? -Infinity;
  const keep = new Uint8Array(table.count);
  // Last frame each id was seen in; rows are sorted by frame, so the last write is the id's last frame.
  const lastFrame = new Map<number, number>();
  let rows = 0;
  let duplicateRows = 0;
  let frameCount = 0;
  for (let r = 0; r < table.count; r++) {
    const id = table.id[r]!;
    if (id < 0 || table.conf[r]! < minConf) continue;
    const f = table.frame[r]!;
    // One person cannot stand in two places: a repeated id in a frame keeps its first row.
    if (lastFrame.get(id) === f) {
      duplicateRows++;
      continue;
    }
    lastFrame.set(id, f);
    keep[r] = 1;
    rows++;
    if (f > frameCount) frameCount = f;
  }
  const frameStart = new Int32Array(frameCount + 2);
  const ids = new Int32Array(rows);
  const boxes = new Float32Array(rows * 4);
  const lastFrameOfRow = new Int32Array(rows);
  let at = 0;
  for (let r = 0; r < table.count; r++) {
    if (keep[r] === 0) continue;
    const f = table.frame[r]!;
    frameStart[f + 1]!++;
    ids[at] = table.id[r]!;
    for (let q = 0; q < 4; q++) boxes[4 * at + q] = table.box[4 * r + q]!;
    lastFrameOfRow[at] = lastFrame.get(ids[at]!)!;
    at++;
  }
  for (let f = 1; f <= frameCount + 1; f++) frameStart[f]! += frameStart[f - 1]!;
  return { frameCount, frameStart, ids, boxes, lastFrameOfRow, rows, distinctIds: lastFrame.size, duplicateRows };
}

/** The tracks in MOT text (tests, simulators, peer tracker output). */
export function parseMotTracks(text: string, options: MotTracksOptions = {}): MotTracks {
  return motTracksOf(parseMotText(text), options);
}

export interface ReplayOptions {
  camera: string;
  fps: number;
  /** Time of frame 1. */
  startMs?: number;
}

/**
 * Replays the tracks frame by frame (every frame 1..frameCount, then one more that only
 * ends the last ids). The yielded TrackFrame and its arrays are reused.
 */
export function* replayMot(tracks: MotTracks, options: ReplayOptions): Generator<TrackFrame> {
  const startMs = options.startMs ?? 0;
  const frameMs = 1000 / options.fps;
  let maxRows = 0;
  for (let f = 1; f <= tracks.frameCount; f++) maxRows = Math.max(maxRows, tracks.frameStart[f + 1]! - tracks.frameStart[f]!);
  const frame: TrackFrame = {
    camera: options.camera,
    tsMs: startMs,
    count: 0,
    ids: new Int32Array(maxRows),
    boxes: new Float32Array(maxRows * 4),
    endedCount: 0,
    endedIds: new Int32Array(maxRows),
  };
  let endedNext: Int32Array = new Int32Array(maxRows);
  let endedNextCount = 0;
  for (let f = 1; f <= tracks.frameCount + 1; f++) {
    const from = f <= tracks.frameCount ? tracks.frameStart[f]! : 0;
    const to = f <= tracks.frameCount ? tracks.frameStart[f + 1]! : 0;
    frame.tsMs = startMs + Math.round((f - 1) * frameMs);
    frame.count = to - from;
    // Ids whose last row was in the previous frame end now.
    const swap = frame.endedIds;
    frame.endedIds = endedNext;
    frame.endedCount = endedNextCount;
    endedNext = swap;
    endedNextCount = 0;
    for (let r = from; r < to; r++) {
      const i = r - from;
      frame.ids[i] = tracks.ids[r]!;
      frame.boxes[4 * i] = tracks.boxes[4 * r]!;
      frame.boxes[4 * i + 1] = tracks.boxes[4 * r + 1]!;
      frame.boxes[4 * i + 2] = tracks.boxes[4 * r + 2]!;
      frame.boxes[4 * i + 3] = tracks.boxes[4 * r + 3]!;
      if (tracks.lastFrameOfRow[r] === f && endedNextCount < endedNext.length) endedNext[endedNextCount++] = tracks.ids[r]!;
    }
    yield frame;
  }
}
