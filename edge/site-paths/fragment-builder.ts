// Cuts one calibrated camera's track frames into floor fragments: a sample per track every
// `sampleMs` (the floor tracker's filtered foot point), a new fragment when a track comes back
// after a long loss, and chunks of the new samples on `flush`. Per frame it only writes into
// each open fragment's preallocated buffers; objects are made per fragment, not per frame.
import type { TrackFrame } from '../shared/types.ts';
import { doubled, type FragmentChunk } from './fragment.ts';

const INITIAL_SAMPLES = 64;

class OpenFragment {
  fragment: number;
  t: Float64Array = new Float64Array(INITIAL_SAMPLES);
  x: Float64Array = new Float64Array(INITIAL_SAMPLES);
  y: Float64Array = new Float64Array(INITIAL_SAMPLES);
  /** Samples not yet flushed. */
  n = 0;
  lastSampleMs = -Infinity;
  lastSeenMs: number;

  constructor(fragment: number, nowMs: number) {
    this.fragment = fragment;
    this.lastSeenMs = nowMs;
  }

  push(t: number, x: number, y: number): void {
    if (this.n === this.t.length) {
      this.t = doubled(this.t);
      this.x = doubled(this.x);
      this.y = doubled(this.y);
    }
    this.t[this.n] = t;
    this.x[this.n] = x;
    this.y[this.n] = y;
    this.n++;
    this.lastSampleMs = t;
  }
}

export interface FragmentBuilderOptions {
  box: string;
  camera: string;
  /** Floor sample period, ms. */
  sampleMs: number;
  /** A track unseen this long and then seen again starts a new fragment (the stitcher may join them), ms. */
  resumeGapMs?: number;
  /** A track unseen this long is ended even without the tracker's word, ms. */
  staleMs?: number;
  /**
   * The camera's frame size: a box touching the frame's bottom or side edge is a person partly
   * out of view, whose foot point is not on the floor where they stand; such samples are skipped.
   */
  frame?: { width: number; height: number } | undefined;
}

/** A box within this many pixels of a frame edge touches it. */
const EDGE_PX = 2;

export class FragmentBuilder {
  private readonly open = new Map<number, OpenFragment>();
  private readonly ended: OpenFragment[] = [];
  private nextFragment = 1;
  private readonly resumeGapMs: number;
  private readonly staleMs: number;
  /** Time of the newest frame seen: every sample up to it has been taken. */
  upToMs = -Infinity;
  fragmentsStarted = 0;

  constructor(private readonly options: FragmentBuilderOptions) {
    this.resumeGapMs = options.resumeGapMs ?? 2000;
    this.staleMs = options.staleMs ?? 30_000;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Takes the floor samples of a frame (a frame without floor positions only advances time). */
  onFrame(frame: TrackFrame): void {
    const t = frame.tsMs;
    const floor = frame.floor;
    if (floor) {
      for (let i = 0; i < frame.count; i++) {
        const x = floor[2 * i]!;
        const y = floor[2 * i + 1]!;
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const id = frame.ids[i]!;
        const fr = this.options.frame;
        if (fr) {
          const bx = frame.boxes[4 * i]!;
          const bw = frame.boxes[4 * i + 2]!;
          const bottom = frame.boxes[4 * i + 1]! + frame.boxes[4 * i + 3]!;
          if (bottom >= fr.height - EDGE_PX || bx <= EDGE_PX || bx + bw >= fr.width - EDGE_PX) continue;
        }
        let f = this.open.get(id);
        if (f && t - f.lastSeenMs > this.resumeGapMs) {
          this.close(id, f);
          f = undefined;
        }
        if (!f) {
          f = new OpenFragment(this.nextFragment++, t);
          this.fragmentsStarted++;
          this.open.set(id, f);
        }
        f.lastSeenMs = t;
        if (t - f.lastSampleMs >= this.options.sampleMs - 0.5) f.push(t, x, y);
      }
    }
    for (let i = 0; i < frame.endedCount; i++) {
      const id = frame.endedIds[i]!;
      const f = this.open.get(id);
      if (f) this.close(id, f);
    }
    if (t > this.upToMs) this.upToMs = t;
  }

  /** Ends every open fragment (camera stopped). */
  endAll(): void {
    for (const [id, f] of this.open) this.close(id, f);
  }

  /** The new samples of every fragment since the last flush, and the fragments that ended. */
  flush(): FragmentChunk[] {
    const chunks: FragmentChunk[] = [];
    for (const [id, f] of this.open) {
      if (this.upToMs - f.lastSeenMs > this.staleMs) {
        this.close(id, f);
        continue;
      }
      if (f.n > 0) chunks.push(this.chunkOf(f, false));
    }
    for (const f of this.ended) chunks.push(this.chunkOf(f, true));
    this.ended.length = 0;
    return chunks;
  }

  private chunkOf(f: OpenFragment, ended: boolean): FragmentChunk {
    const chunk: FragmentChunk = { box: this.options.box, camera: this.options.camera, fragment: f.fragment, t: Array.from(f.t.subarray(0, f.n)), x: Array.from(f.x.subarray(0, f.n)), y: Array.from(f.y.subarray(0, f.n)), ended };
    f.n = 0;
    return chunk;
  }

  private close(id: number, f: OpenFragment): void {
    this.open.delete(id);
    this.ended.push(f);
  }
}
