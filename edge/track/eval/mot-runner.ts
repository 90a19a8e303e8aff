// Runs a tracker over a MOTChallenge detection table frame by frame (empty frames
// included, so time advances) and collects MOTChallenge result rows. Shared by
// `footfall track`, the tests and the benchmark.
import { ByteTracker, type FloorTracking, type TrackerOptions } from '../index.ts';
import type { MotTable } from './mot-file.ts';

/** Detections of every frame 1..lastFrame, packed once so timing excludes parsing. */
export interface PackedDetections {
  firstFrame: number;
  lastFrame: number;
  /** Per frame (index frame - firstFrame): offset into boxes/scores and count. */
  offset: Int32Array;
  count: Int32Array;
  boxes: Float32Array;
  scores: Float32Array;
}

export function packDetections(det: MotTable, lastFrame?: number): PackedDetections {
  const first = Math.min(1, det.frames.length > 0 ? det.frames[0]! : 1);
  const last = Math.max(lastFrame ?? 0, det.frames.length > 0 ? det.frames[det.frames.length - 1]! : 0);
  const n = Math.max(0, last - first + 1);
  const offset = new Int32Array(n);
  const count = new Int32Array(n);
  const boxes = new Float32Array(det.count * 4);
  const scores = new Float32Array(det.count);
  for (let k = 0; k < det.count; k++) {
    for (let q = 0; q < 4; q++) boxes[4 * k + q] = det.box[4 * k + q]!;
    scores[k] = det.conf[k]!;
  }
  for (let i = 0; i < det.frames.length; i++) {
    const f = det.frames[i]! - first;
    if (f < 0 || f >= n) continue;
    offset[f] = det.frameStart[i]!;
    count[f] = det.frameEnd[i]! - det.frameStart[i]!;
  }
  return { firstFrame: first, lastFrame: last, offset, count, boxes, scores };
}

export interface TrackRunResult {
  /** Result rows: frame, id, x, y, w, h, score. */
  rows: number;
  frame: Int32Array;
  id: Int32Array;
  box: Float32Array;
  score: Float32Array;
  frames: number;
  /** Tracker-only time, ms. */
  trackMs: number;
  tracker: ByteTracker;
}

/** Tracks a packed sequence at fps (frame time = (frame - 1) / fps); on the floor when `floor` is given. */
export function runTracker(packed: PackedDetections, options: TrackerOptions, fps: number, floor?: FloorTracking): TrackRunResult {
  const tracker = new ByteTracker(options, floor);
  const nFrames = packed.offset.length;
  let cap = 1024;
  let frame = new Int32Array(cap);
  let id = new Int32Array(cap);
  let box = new Float32Array(cap * 4);
  let score = new Float32Array(cap);
  let rows = 0;
  const view = { count: 0, boxes: packed.boxes, scores: packed.scores };
  const boxViews: Float32Array[] = [];
  const scoreViews: Float32Array[] = [];
  for (let f = 0; f < nFrames; f++) {
    boxViews.push(packed.boxes.subarray(4 * packed.offset[f]!, 4 * (packed.offset[f]! + packed.count[f]!)));
    scoreViews.push(packed.scores.subarray(packed.offset[f]!, packed.offset[f]! + packed.count[f]!));
  }
  let trackMs = 0;
  for (let f = 0; f < nFrames; f++) {
    view.count = packed.count[f]!;
    view.boxes = boxViews[f]!;
    view.scores = scoreViews[f]!;
    const frameNo = packed.firstFrame + f;
    const t0 = performance.now();
    const out = tracker.update(((frameNo - 1) * 1000) / fps, view);
    trackMs += performance.now() - t0;
    if (rows + out.count > cap) {
      cap = Math.max(cap * 2, rows + out.count);
      const nf = new Int32Array(cap);
      nf.set(frame);
      frame = nf;
      const ni = new Int32Array(cap);
      ni.set(id);
      id = ni;
      const nb = new Float32Array(cap * 4);
      nb.set(box);
      box = nb;
      const ns = new Float32Array(cap);
      ns.set(score);
      score = ns;
    }
    for (let r = 0; r < out.count; r++) {
      frame[rows] = frameNo;
      id[rows] = out.ids[r]!;
      for (let q = 0; q < 4; q++) box[4 * rows + q] = out.boxes[4 * r + q]!;
      score[rows] = out.scores[r]!;
      rows++;
    }
  }
  return { rows, frame, id, box, score, frames: nFrames, trackMs, tracker };
}

/** Bytes per chunk of encoded results: large enough that a file is a handful of writes. */
export const RESULT_CHUNK_BYTES = 1 << 20;
/** Longest row: two int32 (11 chars each), five numbers, "-1,-1,-1", separators; fallbacks are short too. */
const MAX_ROW_BYTES = 256;

/**
 * Encodes the run as MOTChallenge result rows (frame,id,x,y,w,h,score,-1,-1,-1; numbers rounded
 * to 0.01) straight into byte chunks, no string per row; `emit` gets each filled chunk (a view
 * that is reused after emit returns). The digits are those of String(Math.round(v * 100) / 100).
 */
export function encodeResults(r: TrackRunResult, emit: (chunk: Uint8Array) => void, chunkBytes = RESULT_CHUNK_BYTES): void {
  const buf = new Uint8Array(Math.max(chunkBytes, 2 * MAX_ROW_BYTES));
  let at = 0;
  for (let i = 0; i < r.rows; i++) {
    if (at > buf.length - MAX_ROW_BYTES) {
      emit(buf.subarray(0, at));
      at = 0;
    }
    at = writeInt(buf, at, r.frame[i]!);
    buf[at++] = COMMA;
    at = writeInt(buf, at, r.id[i]!);
    for (let q = 0; q < 4; q++) {
      buf[at++] = COMMA;
      at = writeHundredths(buf, at, r.box[4 * i + q]!);
    }
    buf[at++] = COMMA;
    at = writeHundredths(buf, at, r.score[i]!);
    for (let q = 0; q < UNUSED_COLUMNS.length; q++) buf[at++] = UNUSED_COLUMNS[q]!;
  }
  if (at > 0) emit(buf.subarray(0, at));
}

/** The run as MOTChallenge result text (same bytes as encodeResults). */
export function resultText(r: TrackRunResult): string {
  const decoder = new TextDecoder();
  let text = '';
  encodeResults(r, (chunk) => {
    text += decoder.decode(chunk);
  });
  return text;
}

const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
/** ",-1,-1,-1\n": the world-coordinate columns results leave empty, and the row's end. */
const UNUSED_COLUMNS = new TextEncoder().encode(',-1,-1,-1\n');
/** Beyond this, hundredths are written through String() (never for pixel boxes and scores). */
const MAX_FAST_HUNDREDTHS = 1e15;
const INT32_LIMIT = 2_147_483_648;

function writeInt(buf: Uint8Array, at: number, v: number): number {
  if (v < 0) {
    buf[at++] = MINUS;
    v = -v;
  }
  if (v < 10) {
    buf[at++] = ZERO + v;
    return at;
  }
  let digits = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
  if (v < INT32_LIMIT) {
    // Integer division on small ints: the common case (pixels, frames, ids) and much cheaper.
    for (let k = at + digits - 1, x = v | 0; k >= at; k--) {
      const q = (x / 10) | 0;
      buf[k] = ZERO + (x - q * 10);
      x = q;
    }
    return at + digits;
  }
  for (let k = at + digits - 1; k >= at; k--) {
    buf[k] = ZERO + (v % 10);
    v = Math.floor(v / 10);
  }
  return at + digits;
}

/** Writes Math.round(v * 100) / 100 as String() would: no trailing zeros, "0" for -0. */
function writeHundredths(buf: Uint8Array, at: number, v: number): number {
  let h = Math.round(v * 100);
  if (!(Math.abs(h) < MAX_FAST_HUNDREDTHS)) {
    const s = String(h / 100);
    for (let k = 0; k < s.length; k++) buf[at++] = s.charCodeAt(k);
    return at;
  }
  if (h < 0) {
    buf[at++] = MINUS;
    h = -h;
  }
  const whole = Math.floor(h / 100);
  const cents = h - whole * 100;
  at = writeInt(buf, at, whole);
  if (cents !== 0) {
    buf[at++] = DOT;
    buf[at++] = ZERO + Math.floor(cents / 10);
    if (cents % 10 !== 0) buf[at++] = ZERO + (cents % 10);
  }
  return at;
}
