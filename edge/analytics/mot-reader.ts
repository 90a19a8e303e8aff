// Reads MOTChallenge-format track files (`frame,id,x,y,w,h[,conf,...]`, 1-based frames,
// LF or CRLF, any row order) and replays them as TrackFrames, so the analytics can run
// on recorded tracks (`footfall count`) exactly as on live tracker output. An id ends
// one frame after its last row.
import { readFileSync } from 'node:fs';
import { FootfallError } from '../shared/errors.ts';
import type { TrackFrame } from '../shared/types.ts';

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

export interface MotParseOptions {
  /** Drop rows whose 7th column (conf) is below this (ground truth: 0 = not evaluated). */
  minConf?: number;
}

/** Parses MOT text; throws INPUT_INVALID naming the first bad line. */
export function parseMot(text: string, source = 'MOT file', options: MotParseOptions = {}): MotTracks {
  const frames: number[] = [];
  const ids: number[] = [];
  const box: number[] = [];
  const seen = new Set<number>();
  let duplicateRows = 0;
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0 || line.startsWith('#')) continue;
    const parts = line.split(/[,\s]+/);
    if (parts.length < 6) throw new FootfallError('INPUT_INVALID', `${source}:${lineNo}: expected at least 6 comma-separated columns (frame,id,x,y,w,h), got ${JSON.stringify(line.slice(0, 60))}`);
    const f = Number(parts[0]);
    const id = Number(parts[1]);
    const x = Number(parts[2]);
    const y = Number(parts[3]);
    const w = Number(parts[4]);
    const h = Number(parts[5]);
    if (!Number.isInteger(f) || f < 1 || !Number.isInteger(id) || ![x, y, w, h].every(Number.isFinite)) {
      throw new FootfallError('INPUT_INVALID', `${source}:${lineNo}: frame must be a whole number >= 1, id a whole number and x,y,w,h numbers, got ${JSON.stringify(line.slice(0, 60))}`);
    }
    if (id < 0) continue; // detections (id -1), not tracks
    if (options.minConf !== undefined && parts.length > 6 && Number(parts[6]) < options.minConf) continue;
    // One person cannot stand in two places: a repeated id in a frame keeps its first row.
    const key = f * 4_294_967_296 + id;
    if (seen.has(key)) {
      duplicateRows++;
      continue;
    }
    seen.add(key);
    frames.push(f);
    ids.push(id);
    box.push(x, y, w, h);
  }
  const rows = frames.length;
  let frameCount = 0;
  for (const f of frames) if (f > frameCount) frameCount = f;
  // Counting sort by frame, stable within a frame.
  const frameStart = new Int32Array(frameCount + 2);
  for (const f of frames) frameStart[f + 1]!++;
  for (let f = 1; f <= frameCount + 1; f++) frameStart[f]! += frameStart[f - 1]!;
  const fill = frameStart.slice();
  const outIds = new Int32Array(rows);
  const outBoxes = new Float32Array(rows * 4);
  const lastFrame = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    const at = fill[frames[r]!]!++;
    outIds[at] = ids[r]!;
    outBoxes.set(box.slice(4 * r, 4 * r + 4), 4 * at);
    const prev = lastFrame.get(ids[r]!);
    if (prev === undefined || frames[r]! > prev) lastFrame.set(ids[r]!, frames[r]!);
  }
  const lastFrameOfRow = new Int32Array(rows);
  for (let r = 0; r < rows; r++) lastFrameOfRow[r] = lastFrame.get(outIds[r]!)!;
  return { frameCount, frameStart, ids: outIds, boxes: outBoxes, lastFrameOfRow, rows, distinctIds: lastFrame.size, duplicateRows };
}

export function readMotFile(path: string, options: MotParseOptions = {}): MotTracks {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FootfallError('FILE_NOT_FOUND', `cannot read MOT file ${path}: ${(err as Error).message}`);
  }
  return parseMot(text, path, options);
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
