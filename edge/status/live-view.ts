// What the live page shows per camera: the latest snapshot (JPEG made here from the
// camera's raw frames, at most once per interval and only while someone watches),
// the latest detections and tracks with short trails. Bus listeners only copy a few
// numbers; JPEG encoding runs in sharp's thread pool, so the pipeline never waits.
import sharp, { type OverlayOptions } from 'sharp';
import type { EventBus, RawFrame } from '../shared/event-bus.ts';
import { FootfallError } from '../shared/errors.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import type { DetectionFrame, GateOutcome, TrackFrame } from '../shared/types.ts';
import { contentRectOf } from './frame-content.ts';

export interface LiveViewOptions {
  snapshotIntervalMs: number;
  trailPoints: number;
  blurPersons: boolean;
  /** Snapshot width cap (px); height follows the source aspect ratio. */
  maxSnapshotWidth?: number;
  now?: () => number;
}

export interface Snapshot {
  jpeg: Buffer;
  seq: number;
  tsMs: number;
  width: number;
  height: number;
}

interface Trail {
  /** x, y ring of foot points. */
  xy: Float32Array;
  head: number;
  length: number;
  lastSeenMs: number;
}

export class CameraLive {
  sourceWidth = 0;
  sourceHeight = 0;
  framesSeen = 0;
  lastFrameTsMs: number | null = null;
  lastFrameWallMs: number | null = null;
  snapshot: Snapshot | null = null;
  encoding = false;
  lastSnapshotStartMs = 0;
  detectionCount = 0;
  detections = new Float32Array(4 * 64);
  scores = new Float32Array(64);
  /** The motion gate's debug layer: its outcome for the last frame and the motion boxes (source px). */
  gate: GateOutcome | null = null;
  motionCount = 0;
  motionBoxes = new Float32Array(4 * 16);
  trackCount = 0;
  trackIds = new Int32Array(64);
  trackBoxes = new Float32Array(4 * 64);
  readonly trails = new Map<number, Trail>();
  /** Bumped on every change the page should hear about. */
  version = 0;

  constructor(readonly name: string) {}
}

const WATCH_GRACE_MS = 10_000;
const TRAIL_STALE_MS = 5_000;

export class LiveView {
  private readonly cameras = new Map<string, CameraLive>();
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private watchers = 0;
  private lastWatchedMs = -Infinity;
  snapshotsEncoded = 0;
  snapshotErrors = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly options: LiveViewOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ module: 'status.live' });
    this.warnings = new RateLimitedLog(this.log);
    this.now = options.now ?? Date.now;
  }

  start(owner: string): void {
    this.bus.on(owner, 'camera.frame', (f) => this.onFrame(f));
    this.bus.on(owner, 'detect.frame', (f) => this.onDetections(f));
    this.bus.on(owner, 'track.frame', (f) => this.onTracks(f));
  }

  /** Live-page connections; while any is open (or a snapshot was fetched recently) snapshots are made. */
  setWatchers(n: number): void {
    this.watchers = n;
    if (n > 0) this.lastWatchedMs = this.now();
  }

  /** A snapshot request also counts as watching, for a while. */
  touch(): void {
    this.lastWatchedMs = this.now();
  }

  get watching(): boolean {
    return this.watchers > 0 || this.now() - this.lastWatchedMs < WATCH_GRACE_MS;
  }

  /**
   * A fresh snapshot of `camera` (made from its next frame, blurred as the live page's are):
   * the MQTT `snapshot` command's picture. Fails when the camera sends no frame in `timeoutMs`.
   */
  async nextSnapshot(camera: string, timeoutMs = 10_000): Promise<Snapshot> {
    const before = this.cameras.get(camera)?.snapshot?.seq ?? 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.touch();
      const c = this.cameras.get(camera);
      if (c?.snapshot && c.snapshot.seq > before) return c.snapshot;
      // Do not wait out the live page's interval: the next frame is encoded.
      if (c && !c.encoding) c.lastSnapshotStartMs = -Infinity;
      if (Date.now() >= deadline) {
        const last = c?.lastFrameTsMs;
        throw new FootfallError('SOURCE_FAILED', `camera "${camera}" gave no picture in ${Math.round(timeoutMs / 1000)} s (${last ? `last frame at ${new Date(last).toISOString()}` : 'no frame yet'})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  camera(name: string): CameraLive | undefined {
    return this.cameras.get(name);
  }

  list(): CameraLive[] {
    return [...this.cameras.values()];
  }

  private cam(name: string): CameraLive {
    let c = this.cameras.get(name);
    if (!c) {
      c = new CameraLive(name);
      this.cameras.set(name, c);
    }
    return c;
  }

  private onFrame(f: RawFrame): void {
    const c = this.cam(f.camera);
    c.framesSeen++;
    c.lastFrameTsMs = f.tsMs;
    c.lastFrameWallMs = this.now();
    c.sourceWidth = f.sourceWidth;
    c.sourceHeight = f.sourceHeight;
    if (!this.watching || c.encoding) return;
    const t = this.now();
    if (t - c.lastSnapshotStartMs < this.options.snapshotIntervalMs) return;
    c.lastSnapshotStartMs = t;
    c.encoding = true;
    // The frame buffer is reused by the producer: copy before going async.
    const pixels = Buffer.from(f.data.subarray(0, f.width * f.height * 3));
    void this.encode(c, pixels, f).finally(() => {
      c.encoding = false;
    });
  }

  private async encode(c: CameraLive, pixels: Buffer, f: RawFrame): Promise<void> {
    try {
      const rect = contentRectOf(pixels, f.width, f.height, f.sourceWidth, f.sourceHeight);
      const outW = Math.min(f.sourceWidth, this.options.maxSnapshotWidth ?? 800);
      const outH = Math.max(1, Math.round((outW * f.sourceHeight) / f.sourceWidth));
      let img = sharp(pixels, { raw: { width: f.width, height: f.height, channels: 3 } })
        .extract(rect)
        .resize(outW, outH, { fit: 'fill' });
      if (this.options.blurPersons && c.detectionCount > 0) {
        const raw = await img.raw().toBuffer();
        const overlays = await this.blurredBoxes(c, raw, outW, outH);
        img = sharp(raw, { raw: { width: outW, height: outH, channels: 3 } }).composite(overlays);
      }
      const jpeg = await img.jpeg({ quality: 70, mozjpeg: false }).toBuffer();
      c.snapshot = { jpeg, seq: (c.snapshot?.seq ?? 0) + 1, tsMs: f.tsMs, width: outW, height: outH };
      c.version++;
      this.snapshotsEncoded++;
    } catch (err) {
      this.snapshotErrors++;
      this.warnings.warn({ camera: c.name, err: (err as Error).message }, 'snapshot encoding failed');
    }
  }

  /** Blurred crops of every detected person, in output pixels, for sharp's composite. */
  private async blurredBoxes(c: CameraLive, raw: Buffer, outW: number, outH: number): Promise<OverlayOptions[]> {
    const sx = outW / c.sourceWidth;
    const sy = outH / c.sourceHeight;
    const out: OverlayOptions[] = [];
    for (let i = 0; i < c.detectionCount; i++) {
      const left = Math.max(0, Math.floor(c.detections[i * 4]! * sx));
      const top = Math.max(0, Math.floor(c.detections[i * 4 + 1]! * sy));
      const width = Math.min(outW - left, Math.ceil(c.detections[i * 4 + 2]! * sx));
      const height = Math.min(outH - top, Math.ceil(c.detections[i * 4 + 3]! * sy));
      if (width < 4 || height < 4) continue;
      const input = await sharp(raw, { raw: { width: outW, height: outH, channels: 3 } })
        .extract({ left, top, width, height })
        .blur(Math.max(4, Math.min(width, height) / 6))
        .png({ compressionLevel: 0 })
        .toBuffer();
      out.push({ input, left, top });
    }
    return out;
  }

  private onDetections(f: DetectionFrame): void {
    if (!this.watching) return;
    const c = this.cam(f.camera);
    // A predicted frame (sparse detection) has no detections of its own: keep the last ones.
    if (f.predicted === true) {
      c.gate = f.gate ?? null;
      return;
    }
    if (c.detections.length < f.count * 4) {
      c.detections = new Float32Array(f.count * 8);
      c.scores = new Float32Array(f.count * 2);
    }
    c.detections.set(f.boxes.subarray(0, f.count * 4));
    c.scores.set(f.scores.subarray(0, f.count));
    c.detectionCount = f.count;
    c.gate = f.gate ?? null;
    const motion = f.motionCount ?? 0;
    if (c.motionBoxes.length < motion * 4) c.motionBoxes = new Float32Array(motion * 8);
    if (motion > 0) c.motionBoxes.set(f.motionBoxes!.subarray(0, motion * 4));
    c.motionCount = motion;
    c.version++;
  }

  private onTracks(f: TrackFrame): void {
    if (!this.watching) return;
    const c = this.cam(f.camera);
    if (c.trackIds.length < f.count) {
      c.trackIds = new Int32Array(f.count * 2);
      c.trackBoxes = new Float32Array(f.count * 8);
    }
    c.trackIds.set(f.ids.subarray(0, f.count));
    c.trackBoxes.set(f.boxes.subarray(0, f.count * 4));
    c.trackCount = f.count;
    const t = this.now();
    const cap = this.options.trailPoints;
    if (cap > 0) {
      for (let i = 0; i < f.count; i++) {
        const id = f.ids[i]!;
        let trail = c.trails.get(id);
        if (!trail) {
          trail = { xy: new Float32Array(cap * 2), head: 0, length: 0, lastSeenMs: t };
          c.trails.set(id, trail);
        }
        // Foot point: bottom centre of the box, what analytics counts with.
        trail.xy[trail.head * 2] = f.boxes[i * 4]! + f.boxes[i * 4 + 2]! / 2;
        trail.xy[trail.head * 2 + 1] = f.boxes[i * 4 + 1]! + f.boxes[i * 4 + 3]!;
        trail.head = (trail.head + 1) % cap;
        if (trail.length < cap) trail.length++;
        trail.lastSeenMs = t;
      }
      for (let i = 0; i < f.endedCount; i++) c.trails.delete(f.endedIds[i]!);
      if (c.trails.size > f.count + 32) {
        for (const [id, trail] of c.trails) if (t - trail.lastSeenMs > TRAIL_STALE_MS) c.trails.delete(id);
      }
    }
    c.version++;
  }
}

/** Trail points oldest first, rounded to whole pixels for the page. */
export function trailOf(c: CameraLive, id: number, cap: number): number[] {
  const trail = c.trails.get(id);
  if (!trail || cap === 0) return [];
  const out: number[] = [];
  const start = (trail.head - trail.length + cap) % cap;
  for (let k = 0; k < trail.length; k++) {
    const j = (start + k) % cap;
    out.push(Math.round(trail.xy[j * 2]!), Math.round(trail.xy[j * 2 + 1]!));
  }
  return out;
}
