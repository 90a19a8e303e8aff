// Floor fragments on footfall/v1/{site}/{device}/fragments (contract v1, additive): what a box
// with `sitePaths.role: broker` hands the site's stitcher. The wire form is compact: per chunk a
// start time and integer steps (ms), positions in integer centimetres; a batch carries the box's
// watermark `upToMs`. Encoding splits a batch that exceeds the limits into several messages whose
// earlier parts hold the watermark back, so the watermark promise holds for every message.
// Self-contained (zod only): the agent's FragmentBatch fits the structural types below.
import { z } from 'zod';
import { TOPIC_LEVEL_PATTERN } from './topics.ts';

/** Chunks in one message. */
export const MAX_FRAGMENT_CHUNKS = 2_000;
/** Samples in one chunk (20 min at the default 200 ms). */
export const MAX_CHUNK_SAMPLES = 6_000;
/** Samples in one message (about 300 KB of JSON). */
export const MAX_MESSAGE_SAMPLES = 20_000;
/** Floor positions within 100 km of the origin (as the floor plan), in cm. */
const MAX_CM = 10_000_000;
const MAX_EPOCH_MS = 8_640_000_000_000_000;

const topicLevel = z.string().regex(TOPIC_LEVEL_PATTERN, { error: 'must be 1-64 characters of letters, digits, "-", "_" or "."' });
const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);
const cm = z.number().int({ error: 'must be an integer (cm)' }).min(-MAX_CM).max(MAX_CM);

export const fragmentChunkWireSchema = z
  .object({
    /** Camera name (on the publishing device). */
    camera: topicLevel,
    /** Fragment number, unique per device and camera while the device runs. */
    fragment: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Time base, ms since epoch: sample i is at t0 + dt[0] + ... + dt[i] (0 when there are no samples). */
    t0: epochMs,
    /** Steps between sample times, ms (dt[0] from t0, usually 0). */
    dt: z.array(z.number().int({ error: 'must be an integer (ms)' }).min(0).max(86_400_000)).max(MAX_CHUNK_SAMPLES),
    /** Floor x per sample, cm. */
    x: z.array(cm).max(MAX_CHUNK_SAMPLES),
    /** Floor y per sample, cm. */
    y: z.array(cm).max(MAX_CHUNK_SAMPLES),
    /** No more samples of this fragment follow. */
    ended: z.boolean(),
  })
  .strict()
  .refine((c) => c.dt.length === c.x.length && c.x.length === c.y.length, { error: 'dt, x and y must have the same length' });

/** footfall/v1/{site}/{device}/fragments, QoS 1, not retained, never stored. */
export const fragmentBatchSchema = z
  .object({
    v: z.literal(1),
    site: topicLevel,
    device: topicLevel,
    /** Watermark: every sample with t <= upToMs of this device's cameras is in this message or an earlier one. */
    upToMs: epochMs,
    chunks: z.array(fragmentChunkWireSchema).max(MAX_FRAGMENT_CHUNKS),
  })
  .strict()
  .refine((b) => b.chunks.reduce((n, c) => n + c.dt.length, 0) <= MAX_MESSAGE_SAMPLES, { error: `at most ${MAX_MESSAGE_SAMPLES} samples in one message` });

export type FragmentBatchMessage = z.output<typeof fragmentBatchSchema>;
export type FragmentChunkMessage = z.output<typeof fragmentChunkWireSchema>;

/** A chunk as the agent holds it (edge/site-paths FragmentChunk): times ms, positions metres. */
export interface FloorChunk {
  box: string;
  camera: string;
  fragment: number;
  t: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  ended: boolean;
}

/** A batch as the agent holds it (edge/site-paths FragmentBatch). */
export interface FloorBatch {
  box: string;
  upToMs: number;
  chunks: FloorChunk[];
}

/** A decoded batch: the agent's shape, with typed arrays. */
export interface DecodedFloorBatch extends FloorBatch {
  chunks: Array<FloorChunk & { t: Float64Array; x: Float64Array; y: Float64Array }>;
}

/** A batch that cannot be put on the wire (a programming or config error, not a network one). */
export class FragmentEncodeError extends Error {
  readonly code = 'FRAGMENT_ENCODE';
  constructor(message: string) {
    super(message);
    this.name = 'FragmentEncodeError';
  }
}

interface WirePiece {
  chunk: FragmentChunkMessage;
  firstMs: number;
}

/** One chunk's samples [from, to) in wire form; samples with a non-finite value are left out. */
function pieceOf(c: FloorChunk, from: number, to: number, ended: boolean): WirePiece {
  const dt: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  let t0 = 0;
  let prev = 0;
  for (let i = from; i < to; i++) {
    const t = c.t[i]!;
    const xi = c.x[i]!;
    const yi = c.y[i]!;
    if (!Number.isFinite(t) || !Number.isFinite(xi) || !Number.isFinite(yi)) continue;
    // Rounding each time (not each step) keeps the error at 0.5 ms however long the chunk.
    const tr = Math.round(t);
    if (dt.length === 0) {
      t0 = tr;
      prev = tr;
    }
    dt.push(Math.max(0, tr - prev));
    prev = Math.max(prev, tr);
    x.push(Math.round(xi * 100));
    y.push(Math.round(yi * 100));
  }
  return { chunk: { camera: c.camera, fragment: c.fragment, t0, dt, x, y, ended }, firstMs: dt.length > 0 ? t0 : Infinity };
}

/**
 * The wire messages (JSON text) of one batch: one message unless it exceeds the limits. Throws
 * FragmentEncodeError on a batch that cannot be valid (a chunk of another box, a watermark that
 * is not a time, a name that is not a topic level, a position beyond 100 km).
 */
export function encodeFragmentBatch(site: string, batch: FloorBatch): string[] {
  if (!Number.isFinite(batch.upToMs) || batch.upToMs < 0) throw new FragmentEncodeError(`fragments of ${batch.box}: upToMs ${batch.upToMs} is not a time (ms since epoch)`);
  const pieces: WirePiece[] = [];
  for (const c of batch.chunks) {
    if (c.box !== batch.box) throw new FragmentEncodeError(`fragments of ${batch.box}: chunk of camera ${c.camera} belongs to box ${c.box}`);
    const n = c.t.length;
    if (c.x.length !== n || c.y.length !== n) throw new FragmentEncodeError(`fragments of ${batch.box}: camera ${c.camera} fragment ${c.fragment}: t, x, y differ in length`);
    if (n === 0) pieces.push(pieceOf(c, 0, 0, c.ended));
    for (let from = 0; from < n; from += MAX_CHUNK_SAMPLES) {
      const to = Math.min(n, from + MAX_CHUNK_SAMPLES);
      pieces.push(pieceOf(c, from, to, c.ended && to === n));
    }
  }
  // Group pieces into messages within the limits.
  const groups: WirePiece[][] = [[]];
  let samples = 0;
  for (const p of pieces) {
    const cur = groups[groups.length - 1]!;
    if (cur.length > 0 && (cur.length >= MAX_FRAGMENT_CHUNKS || samples + p.chunk.dt.length > MAX_MESSAGE_SAMPLES)) {
      groups.push([p]);
      samples = p.chunk.dt.length;
    } else {
      cur.push(p);
      samples += p.chunk.dt.length;
    }
  }
  // Earlier parts promise only what precedes every sample of the batch.
  let firstMs = Infinity;
  for (const p of pieces) firstMs = Math.min(firstMs, p.firstMs);
  const partUpTo = Math.max(0, Math.min(Math.round(batch.upToMs), firstMs - 1));
  const out: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    const message: FragmentBatchMessage = {
      v: 1,
      site,
      device: batch.box,
      upToMs: i === groups.length - 1 ? Math.floor(batch.upToMs) : partUpTo,
      chunks: groups[i]!.map((p) => p.chunk),
    };
    const check = fragmentBatchSchema.safeParse(message);
    if (!check.success) {
      const issue = check.error.issues[0]!;
      throw new FragmentEncodeError(`fragments of ${batch.box}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    out.push(JSON.stringify(message));
  }
  return out;
}

/** The agent's batch of a validated message: times ms, positions metres. */
export function floorBatchOf(m: FragmentBatchMessage): DecodedFloorBatch {
  return {
    box: m.device,
    upToMs: m.upToMs,
    chunks: m.chunks.map((c) => {
      const n = c.dt.length;
      const t = new Float64Array(n);
      const x = new Float64Array(n);
      const y = new Float64Array(n);
      let tm = c.t0;
      for (let i = 0; i < n; i++) {
        tm += c.dt[i]!;
        t[i] = tm;
        x[i] = c.x[i]! / 100;
        y[i] = c.y[i]! / 100;
      }
      return { box: m.device, camera: c.camera, fragment: c.fragment, t, x, y, ended: c.ended };
    }),
  };
}

export type DecodedFragments = { ok: true; message: FragmentBatchMessage; batch: DecodedFloorBatch } | { ok: false; error: string };

/** Parses and validates one fragments payload; never throws (the reason names the bad field). */
export function decodeFragmentBatch(payload: Buffer | string): DecodedFragments {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `fragments message is not JSON: ${(err as Error).message}` };
  }
  const r = fragmentBatchSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') || '(root)'}: ${i.message}`);
    return { ok: false, error: `fragments message invalid: ${first.join('; ')}` };
  }
  return { ok: true, message: r.data, batch: floorBatchOf(r.data) };
}
