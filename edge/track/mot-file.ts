// MOTChallenge text files: detections (`frame,-1,x,y,w,h,conf,...`), results
// (`frame,id,x,y,w,h,conf,-1,-1,-1`), MOT15 gt (`frame,id,x,y,w,h,conf,wx,wy,wz`) and
// MOT16/17 gt (`frame,id,x,y,w,h,consider,class,visibility`). Rows are grouped by frame
// (files need not be sorted), LF or CRLF, malformed lines counted and skipped.
import { readFileSync } from 'node:fs';
import { FootfallError } from '../shared/errors.ts';

export type MotGtFormat = 'mot15' | 'mot16';

/** Rows of a MOT file, stably sorted by frame, with per-frame offsets. */
export interface MotTable {
  count: number;
  frame: Int32Array;
  id: Int32Array;
  /** x, y, w, h per row. */
  box: Float64Array;
  conf: Float64Array;
  /** MOT16/17 class column (1 = pedestrian); -1 when the file has none. */
  cls: Int32Array;
  visibility: Float64Array;
  /** Column count of the first valid row (9 = MOT16/17 gt). */
  columns: number;
  /** Distinct frame numbers in ascending order, and the row range of each. */
  frames: Int32Array;
  frameStart: Int32Array;
  frameEnd: Int32Array;
  /** Lines skipped (malformed, NaN, negative or zero size). */
  skipped: number;
  firstSkippedLine: number;
}

export function parseMotText(text: string): MotTable {
  const lines = text.split('\n');
  const n = lines.length;
  const frame = new Int32Array(n);
  const id = new Int32Array(n);
  const box = new Float64Array(4 * n);
  const conf = new Float64Array(n);
  const cls = new Int32Array(n);
  const visibility = new Float64Array(n);
  let count = 0;
  let skipped = 0;
  let firstSkippedLine = 0;
  let columns = 0;
  for (let li = 0; li < n; li++) {
    let line = lines[li]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    line = line.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const parts = line.split(/\s*[,\s]\s*/);
    const f = Number(parts[0]);
    const tid = Number(parts[1]);
    const x = Number(parts[2]);
    const y = Number(parts[3]);
    const w = Number(parts[4]);
    const h = Number(parts[5]);
    const c = parts.length > 6 ? Number(parts[6]) : 1;
    if (
      parts.length < 6 ||
      !Number.isInteger(f) ||
      !Number.isFinite(tid) ||
      !Number.isFinite(x) ||
      !Number.isFinite(y) ||
      !(w > 0) ||
      !(h > 0) ||
      !Number.isFinite(w) ||
      !Number.isFinite(h) ||
      !Number.isFinite(c)
    ) {
      skipped++;
      if (firstSkippedLine === 0) firstSkippedLine = li + 1;
      continue;
    }
    if (columns === 0) columns = parts.length;
    frame[count] = f;
    id[count] = Math.trunc(tid);
    box[4 * count] = x;
    box[4 * count + 1] = y;
    box[4 * count + 2] = w;
    box[4 * count + 3] = h;
    conf[count] = c;
    const k = parts.length >= 9 ? Number(parts[7]) : -1;
    cls[count] = Number.isFinite(k) ? Math.trunc(k) : -1;
    const vis = parts.length >= 9 ? Number(parts[8]) : 1;
    visibility[count] = Number.isFinite(vis) ? vis : 1;
    count++;
  }
  // Stable sort by frame (files such as the MOT17 det.txt are not sorted).
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < count; i++) if (frame[i]! < frame[i - 1]!) sorted = false;
  if (!sorted) {
    const arr = Array.from(order);
    arr.sort((a, b) => frame[a]! - frame[b]! || a - b);
    order.set(arr);
  }
  const t: MotTable = {
    count,
    frame: new Int32Array(count),
    id: new Int32Array(count),
    box: new Float64Array(4 * count),
    conf: new Float64Array(count),
    cls: new Int32Array(count),
    visibility: new Float64Array(count),
    columns,
    frames: new Int32Array(0),
    frameStart: new Int32Array(0),
    frameEnd: new Int32Array(0),
    skipped,
    firstSkippedLine,
  };
  for (let k = 0; k < count; k++) {
    const s = order[k]!;
    t.frame[k] = frame[s]!;
    t.id[k] = id[s]!;
    for (let q = 0; q < 4; q++) t.box[4 * k + q] = box[4 * s + q]!;
    t.conf[k] = conf[s]!;
    t.cls[k] = cls[s]!;
    t.visibility[k] = visibility[s]!;
  }
  let distinct = 0;
  for (let k = 0; k < count; k++) if (k === 0 || t.frame[k] !== t.frame[k - 1]) distinct++;
  t.frames = new Int32Array(distinct);
  t.frameStart = new Int32Array(distinct);
  t.frameEnd = new Int32Array(distinct);
  let fi = -1;
  for (let k = 0; k < count; k++) {
    if (k === 0 || t.frame[k] !== t.frame[k - 1]) {
      fi++;
      t.frames[fi] = t.frame[k]!;
      t.frameStart[fi] = k;
    }
    t.frameEnd[fi] = k + 1;
  }
  return t;
}

export function readMotFile(path: string): MotTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FootfallError('FILE_NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseMotText(text);
}

/** Ground-truth format by column count: 9 columns = MOT16/17, otherwise MOT15. */
export function gtFormatOf(t: MotTable): MotGtFormat {
  return t.columns === 9 ? 'mot16' : 'mot15';
}

/** seqinfo.ini fields, when the file exists. */
export interface SeqInfo {
  name?: string;
  frameRate?: number;
  seqLength?: number;
  imWidth?: number;
  imHeight?: number;
}

export function parseSeqInfo(text: string): SeqInfo {
  const info: SeqInfo = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'name') info.name = value;
    else if (key === 'frameRate') info.frameRate = Number(value);
    else if (key === 'seqLength') info.seqLength = Number(value);
    else if (key === 'imWidth') info.imWidth = Number(value);
    else if (key === 'imHeight') info.imHeight = Number(value);
  }
  return info;
}
