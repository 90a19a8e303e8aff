// The fragments wire form: a round trip keeps times within 1 ms and positions within 1 cm, a
// batch over the limits becomes several valid messages that keep the watermark promise, and
// malformed input comes back as a named reason, never as an exception.
import { describe, expect, it } from 'vitest';
import {
  decodeFragmentBatch,
  encodeFragmentBatch,
  FragmentEncodeError,
  MAX_CHUNK_SAMPLES,
  MAX_MESSAGE_SAMPLES,
  parseTopic,
  subscriptionFilter,
  deviceTopics,
  type FloorBatch,
} from './index.ts';

const T0 = Date.UTC(2026, 11, 5, 14, 0, 0);

function batchOf(box: string, n: number, opts: { fragments?: number; upToMs?: number } = {}): FloorBatch {
  const chunks = Array.from({ length: opts.fragments ?? 2 }, (_, f) => {
    const t: number[] = [];
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      t.push(T0 + f * 7.25 + i * 200.333); // fractional ms, as from a 15 fps camera
      x.push(-3.14159 + f + i * 0.0123456);
      y.push(12.98765 - i * 0.0071);
    }
    return { box, camera: `cam-${f % 3}`, fragment: 100 + f, t, x, y, ended: f % 2 === 1 };
  });
  return { box, upToMs: opts.upToMs ?? T0 + n * 200.333 + 50, chunks };
}

describe('fragments wire form', () => {
  it('round trip: times within 1 ms, positions within 1 cm, names, numbers and ends kept', () => {
    const batch = batchOf('box-b', 50, { fragments: 3 });
    const messages = encodeFragmentBatch('mall-1', batch);
    expect(messages).toHaveLength(1);
    const r = decodeFragmentBatch(Buffer.from(messages[0]!));
    if (!r.ok) throw new Error(r.error);
    expect(r.message.site).toBe('mall-1');
    expect(r.batch.box).toBe('box-b');
    expect(r.batch.upToMs).toBeLessThanOrEqual(batch.upToMs);
    expect(r.batch.upToMs).toBeGreaterThan(batch.upToMs - 1);
    expect(r.batch.chunks).toHaveLength(3);
    let worstMs = 0;
    let worstCm = 0;
    r.batch.chunks.forEach((c, k) => {
      const src = batch.chunks[k]!;
      expect([c.box, c.camera, c.fragment, c.ended]).toEqual([src.box, src.camera, src.fragment, src.ended]);
      expect(c.t.length).toBe(src.t.length);
      for (let i = 0; i < c.t.length; i++) {
        worstMs = Math.max(worstMs, Math.abs(c.t[i]! - src.t[i]!));
        worstCm = Math.max(worstCm, 100 * Math.abs(c.x[i]! - src.x[i]!), 100 * Math.abs(c.y[i]! - src.y[i]!));
      }
    });
    expect(worstMs).toBeGreaterThan(0); // the times were fractional: rounding happened
    expect(worstMs).toBeLessThanOrEqual(0.5);
    expect(worstCm).toBeLessThanOrEqual(0.5 + 1e-9);
    // Compact: about 13 bytes a sample.
    expect(messages[0]!.length / 150).toBeLessThan(20);
  });

  it('an empty batch carries the watermark; an ended fragment without new samples is kept', () => {
    const empty = encodeFragmentBatch('mall-1', { box: 'box-b', upToMs: T0, chunks: [] });
    const r = decodeFragmentBatch(empty[0]!);
    expect(r.ok && r.batch).toEqual({ box: 'box-b', upToMs: T0, chunks: [] });
    const ended = encodeFragmentBatch('mall-1', { box: 'box-b', upToMs: T0, chunks: [{ box: 'box-b', camera: 'c', fragment: 7, t: [], x: [], y: [], ended: true }] });
    const e = decodeFragmentBatch(ended[0]!);
    expect(e.ok && e.batch.chunks.map((c) => [c.fragment, c.t.length, c.ended])).toEqual([[7, 0, true]]);
  });

  it('a batch over the limits becomes several valid messages; only the last advances the watermark', () => {
    const long = batchOf('box-b', MAX_CHUNK_SAMPLES + 10, { fragments: 4 });
    const messages = encodeFragmentBatch('mall-1', long);
    const decoded = messages.map((m) => decodeFragmentBatch(m));
    for (const d of decoded) expect(d.ok, d.ok ? '' : d.error).toBe(true);
    const batches = decoded.map((d) => (d.ok ? d.batch : null)!);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.chunks.reduce((n, c) => n + c.t.length, 0)).toBeLessThanOrEqual(MAX_MESSAGE_SAMPLES);
    // The watermark promise holds after every message: no later message has a sample at or before it.
    for (let i = 0; i < batches.length; i++) {
      for (const later of batches.slice(i + 1)) for (const c of later.chunks) for (const t of c.t) expect(t).toBeGreaterThan(batches[i]!.upToMs);
    }
    expect(batches[batches.length - 1]!.upToMs).toBe(Math.floor(long.upToMs));
    // Every sample arrives once, in order per fragment; `ended` only on a fragment's last piece.
    for (const src of long.chunks) {
      const pieces = batches.flatMap((b) => b.chunks.filter((c) => c.camera === src.camera && c.fragment === src.fragment));
      expect(pieces.reduce((n, c) => n + c.t.length, 0)).toBe(src.t.length);
      expect(pieces.map((c) => c.ended)).toEqual(pieces.map((_, i) => src.ended && i === pieces.length - 1));
    }
  });

  it.each([
    ['a chunk of another box', (b: FloorBatch) => ({ ...b, chunks: [{ ...b.chunks[0]!, box: 'box-z' }] }), /chunk of camera cam-0 belongs to box box-z/],
    ['no watermark yet', (b: FloorBatch) => ({ ...b, upToMs: -Infinity }), /upToMs -Infinity is not a time/],
    ['a camera name that is not a topic level', (b: FloorBatch) => ({ ...b, chunks: [{ ...b.chunks[0]!, camera: 'a/b' }] }), /chunks\.0\.camera/],
    ['a position 200 km out', (b: FloorBatch) => ({ ...b, chunks: [{ ...b.chunks[0]!, x: Array.from(b.chunks[0]!.x, () => 200_000) }] }), /chunks\.0\.x\.0/],
  ])('encoding refuses %s, naming it', (_what, change, error) => {
    const bad = change(batchOf('box-b', 3));
    expect(() => encodeFragmentBatch('mall-1', bad)).toThrow(FragmentEncodeError);
    expect(() => encodeFragmentBatch('mall-1', bad)).toThrow(error);
  });

  const good = () => JSON.parse(encodeFragmentBatch('mall-1', batchOf('box-b', 3))[0]!) as Record<string, unknown> & { chunks: Array<Record<string, unknown>> };
  it.each([
    ['not JSON', () => '{"v":1,', /^fragments message is not JSON/],
    ['JSON that is not an object', () => '[1,2]', /fragments message invalid: \(root\)/],
    ['another version', () => JSON.stringify({ ...good(), v: 2 }), /v: /],
    ['a missing watermark', () => JSON.stringify({ ...good(), upToMs: undefined }), /upToMs: /],
    ['arrays of different length', () => JSON.stringify({ ...good(), chunks: [{ ...good().chunks[0], x: [1] }] }), /chunks\[0\]: dt, x and y must have the same length/],
    ['positions in metres (not integer cm)', () => JSON.stringify({ ...good(), chunks: [{ ...good().chunks[0], x: [1.5, 2.5, 3.5] }] }), /chunks\[0\]\.x\[0\]: must be an integer \(cm\)/],
    ['a negative step', () => JSON.stringify({ ...good(), chunks: [{ ...good().chunks[0], dt: [0, -5, 200] }] }), /chunks\[0\]\.dt\[1\]/],
    ['too many samples', () => JSON.stringify({ ...good(), chunks: [{ ...good().chunks[0], dt: new Array(MAX_CHUNK_SAMPLES + 1).fill(1), x: new Array(MAX_CHUNK_SAMPLES + 1).fill(1), y: new Array(MAX_CHUNK_SAMPLES + 1).fill(1) }] }), /chunks\[0\]\.dt: /],
    ['an unknown field', () => JSON.stringify({ ...good(), identity: 'face-123' }), /Unrecognized key/i],
  ])('decoding %s gives a named reason, not an exception', (_what, payload, error) => {
    const r = decodeFragmentBatch(payload());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('topic: built, parsed, and the site-wide subscription', () => {
    expect(deviceTopics('mall-1', 'box-b').fragments).toBe('footfall/v1/mall-1/box-b/fragments');
    expect(parseTopic('footfall/v1/mall-1/box-b/fragments')).toEqual({ kind: 'fragments', site: 'mall-1', device: 'box-b' });
    expect(subscriptionFilter('fragments', { site: 'mall-1' })).toBe('footfall/v1/mall-1/+/fragments');
  });
});
