// The one reader of MOTChallenge text: detections (`frame,-1,x,y,w,h,conf,...`), results
// (`frame,id,x,y,w,h,conf,-1,-1,-1`), MOT15 gt (`frame,id,x,y,w,h,conf,wx,wy,wz`) and MOT16/17
// gt (`frame,id,x,y,w,h,consider,class,visibility`). One pass over the bytes into typed arrays,
// no string per line, so a 300,000-row crowd file parses in tens of milliseconds (issue 17).
// Error policy: a line that is not a box is skipped, counted and its number kept for the caller
// to report; reading the file (and refusing a file with no box at all) is eval/'s job.
import { FootfallError } from '../../shared/errors.ts';

export type MotGtFormat = 'mot15' | 'mot16';

/** What a line must be; the message callers print next to the bad line numbers. */
export const MOT_ROW_RULE = 'a row is frame,id,x,y,w,h[,conf,...] as numbers, frame a whole number >= 1, id a whole number, w and h > 0';

/** Bad line numbers kept per table (the count is always exact). */
export const MOT_BAD_LINES_KEPT = 20;

/** Rows of a MOT file, stably sorted by frame, with per-frame offsets. */
export interface MotTable {
  count: number;
  frame: Int32Array;
  id: Int32Array;
  /** x, y, w, h per row. */
  box: Float64Array;
  /** 7th column; 1 when the row has only six. */
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
  /** Lines that are not a box (see MOT_ROW_RULE), skipped; blank and `#` lines are not counted. */
  badLines: number;
  /** 1-based numbers of the first MOT_BAD_LINES_KEPT bad lines. */
  badLineNumbers: number[];
}

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;
const MAX_EXACT_MANTISSA = 9_007_199_254_740_991;
/** Exact powers of ten: mantissa / 10^k (mantissa < 2^53) is one correctly rounded division, the same double Number() gives. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FIELDS_READ = 9;

const CHAR_NL = 10;
const CHAR_HASH = 35;
const CHAR_COMMA = 44;
const CHAR_MINUS = 45;
const CHAR_PLUS = 43;
const CHAR_DOT = 46;
const CHAR_0 = 48;
const CHAR_9 = 57;

/** Space, tab, CR, vertical tab, form feed: what String.prototype.trim and `\s` treat as blank in ASCII. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Anything the fast path does not take (exponents, Infinity, hex, long mantissas) goes through Number(). */
function slowNumber(bytes: Uint8Array, from: number, to: number): number {
  let s = '';
  for (let k = from; k < to; k++) s += String.fromCharCode(bytes[k]!);
  return Number(s);
}

/**
 * Reads the fields of the line bytes[s, e) (trimmed, not empty) into `field` (the first
 * MAX_FIELDS_READ of them) and returns how many there are. Its own function, called per
 * line, so V8 optimises it within the first few thousand lines of a one-shot parse.
 */
function readFields(bytes: Uint8Array, s: number, e: number, field: Float64Array): number {
  // Fields are separated by a comma and/or blanks; an empty field (",,") is not a number.
  let fields = 0;
  let p = s;
  for (;;) {
    // One scan per field: plain decimals accumulate as they pass, anything else goes to Number().
    let q = p;
    let negative = false;
    if (q < e && (bytes[q] === CHAR_MINUS || bytes[q] === CHAR_PLUS)) negative = bytes[q++] === CHAR_MINUS;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = -1;
    let plain = true;
    for (; q < e; q++) {
      const c = bytes[q]!;
      if (c >= CHAR_0 && c <= CHAR_9) {
        mantissa = mantissa * 10 + (c - CHAR_0);
        digits++;
        if (fractionDigits >= 0) fractionDigits++;
      } else if (c === CHAR_DOT && fractionDigits < 0) fractionDigits = 0;
      else if (c === CHAR_COMMA || isBlank(c)) break;
      else plain = false;
    }
    if (fields < MAX_FIELDS_READ) {
      if (q === p) field[fields] = Number.NaN;
      else if (plain && digits > 0 && mantissa <= MAX_EXACT_MANTISSA && fractionDigits < POW10.length) {
        const v = fractionDigits > 0 ? mantissa / POW10[fractionDigits]! : mantissa;
        field[fields] = negative ? -v : v;
      } else field[fields] = slowNumber(bytes, p, q);
    }
    fields++;
    if (q >= e) break;
    while (q < e && isBlank(bytes[q]!)) q++;
    if (q < e && bytes[q] === CHAR_COMMA) {
      q++;
      while (q < e && isBlank(bytes[q]!)) q++;
      if (q >= e) {
        if (fields < MAX_FIELDS_READ) field[fields] = Number.NaN;
        fields++;
        break;
      }
    }
    p = q;
  }
  return fields;
}

/** Parses MOT text held as bytes (UTF-8 or ASCII; LF or CRLF; a UTF-8 BOM is skipped). */
export function parseMotBytes(bytes: Uint8Array): MotTable {
  const n = bytes.length;
  let capacity = 1;
  for (let i = 0; i < n; i++) if (bytes[i] === CHAR_NL) capacity++;
  const frame = new Int32Array(capacity);
  const id = new Int32Array(capacity);
  const box = new Float64Array(4 * capacity);
  const conf = new Float64Array(capacity);
  const cls = new Int32Array(capacity);
  const visibility = new Float64Array(capacity);
  const field = new Float64Array(MAX_FIELDS_READ);
  const badLineNumbers: number[] = [];
  let badLines = 0;
  let count = 0;
  let columns = 0;
  let sorted = true;
  let minFrame = INT32_MAX;
  let maxFrame = 0;
  let lineNo = 0;
  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < n) {
    lineNo++;
    let end = i;
    while (end < n && bytes[end] !== CHAR_NL) end++;
    let s = i;
    let e = end;
    i = end + 1;
    while (s < e && isBlank(bytes[s]!)) s++;
    while (e > s && isBlank(bytes[e - 1]!)) e--;
    if (s === e || bytes[s] === CHAR_HASH) continue;
    const fields = readFields(bytes, s, e, field);
    const f = field[0]!;
    const tid = field[1]!;
    const w = field[4]!;
    const h = field[5]!;
    const c = fields > 6 ? field[6]! : 1;
    if (
      fields < 6 ||
      !Number.isInteger(f) ||
      f < 1 ||
      f > INT32_MAX ||
      !Number.isInteger(tid) ||
      tid < INT32_MIN ||
      tid > INT32_MAX ||
      !Number.isFinite(field[2]!) ||
      !Number.isFinite(field[3]!) ||
      !(w > 0) ||
      !(h > 0) ||
      !Number.isFinite(w) ||
      !Number.isFinite(h) ||
      !Number.isFinite(c)
    ) {
      badLines++;
      if (badLineNumbers.length < MOT_BAD_LINES_KEPT) badLineNumbers.push(lineNo);
      continue;
    }
    if (columns === 0) columns = fields;
    if (count > 0 && f < frame[count - 1]!) sorted = false;
    if (f < minFrame) minFrame = f;
    if (f > maxFrame) maxFrame = f;
    frame[count] = f;
    id[count] = tid;
    box[4 * count] = field[2]!;
    box[4 * count + 1] = field[3]!;
    box[4 * count + 2] = w;
    box[4 * count + 3] = h;
    conf[count] = c;
    const k = fields >= 9 ? field[7]! : -1;
    cls[count] = Number.isFinite(k) ? Math.trunc(k) : -1;
    const vis = fields >= 9 ? field[8]! : 1;
    visibility[count] = Number.isFinite(vis) ? vis : 1;
    count++;
  }
  const t: MotTable = {
    count,
    frame: frame.subarray(0, count),
    id: id.subarray(0, count),
    box: box.subarray(0, 4 * count),
    conf: conf.subarray(0, count),
    cls: cls.subarray(0, count),
    visibility: visibility.subarray(0, count),
    columns,
    frames: new Int32Array(0),
    frameStart: new Int32Array(0),
    frameEnd: new Int32Array(0),
    badLines,
    badLineNumbers,
  };
  // Files such as the MOT17 det.txt are not sorted by frame: reorder stably.
  if (!sorted) sortByFrame(t, minFrame, maxFrame);
  indexFrames(t);
  return t;
}

/** Parses MOT text held as a string (tests, simulators, in-memory results). */
export function parseMotText(text: string): MotTable {
  return parseMotBytes(new TextEncoder().encode(text));
}

/** Stable reorder by frame: a counting sort when the frame range is not much larger than the rows. */
function sortByFrame(t: MotTable, minFrame: number, maxFrame: number): void {
  const count = t.count;
  const order = new Int32Array(count);
  const range = maxFrame - minFrame + 1;
  if (range <= 4 * count + 1024) {
    const start = new Int32Array(range + 1);
    for (let r = 0; r < count; r++) start[t.frame[r]! - minFrame + 1]!++;
    for (let f = 1; f <= range; f++) start[f]! += start[f - 1]!;
    for (let r = 0; r < count; r++) order[start[t.frame[r]! - minFrame]!++] = r;
  } else {
    const arr = Array.from({ length: count }, (_, r) => r);
    arr.sort((a, b) => t.frame[a]! - t.frame[b]! || a - b);
    order.set(arr);
  }
  const frame = new Int32Array(count);
  const id = new Int32Array(count);
  const box = new Float64Array(4 * count);
  const conf = new Float64Array(count);
  const cls = new Int32Array(count);
  const visibility = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const s = order[k]!;
    frame[k] = t.frame[s]!;
    id[k] = t.id[s]!;
    for (let q = 0; q < 4; q++) box[4 * k + q] = t.box[4 * s + q]!;
    conf[k] = t.conf[s]!;
    cls[k] = t.cls[s]!;
    visibility[k] = t.visibility[s]!;
  }
  t.frame = frame;
  t.id = id;
  t.box = box;
  t.conf = conf;
  t.cls = cls;
  t.visibility = visibility;
}

function indexFrames(t: MotTable): void {
  let distinct = 0;
  for (let k = 0; k < t.count; k++) if (k === 0 || t.frame[k] !== t.frame[k - 1]) distinct++;
  t.frames = new Int32Array(distinct);
  t.frameStart = new Int32Array(distinct);
  t.frameEnd = new Int32Array(distinct);
  let fi = -1;
  for (let k = 0; k < t.count; k++) {
    if (k === 0 || t.frame[k] !== t.frame[k - 1]) {
      fi++;
      t.frames[fi] = t.frame[k]!;
      t.frameStart[fi] = k;
    }
    t.frameEnd[fi] = k + 1;
  }
}

/** One line for logs and stderr: "3 bad lines skipped (lines 2, 4, 5: a row is ...)". */
export function describeBadLines(t: MotTable): string {
  const more = t.badLines > t.badLineNumbers.length ? ', ...' : '';
  const word = t.badLines === 1 ? 'line' : 'lines';
  return `${t.badLines} bad ${word} skipped (${word} ${t.badLineNumbers.join(', ')}${more}: ${MOT_ROW_RULE})`;
}

/** A file with lines but not one box is not a MOT file: refuse it, naming it and its first bad line. */
export function requireRows(t: MotTable, source: string): MotTable {
  if (t.count === 0 && t.badLines > 0) {
    throw new FootfallError('INPUT_INVALID', `${source}: not a MOT file: none of its ${t.badLines} lines is a box (first bad line ${t.badLineNumbers[0]}; ${MOT_ROW_RULE})`);
  }
  return t;
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
