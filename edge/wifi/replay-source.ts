// Replays a capture file at real speed (or a speed factor): frames are delivered when the
// replay clock reaches their capture time. With `restamp`, timestamps are shifted so the first
// frame is "now" (demos show live data); durations are kept at every speed.
import { CaptureFileReader } from './capture-file.ts';
import type { CaptureSource, FrameHandler } from './capture-source.ts';

export interface ReplayOptions {
  path: string;
  speed: number;
  loop: boolean;
  restamp: boolean;
  now?: () => number;
  /** Frames delivered per timer turn at most, so one busy second cannot stall the event loop. */
  maxBatch?: number;
}

export class PcapReplaySource implements CaptureSource {
  readonly kind = 'replay';
  finished = false;
  /**
   * Bad records of the file, counted once up front: a real-speed replay reaches a cut-off
   * last record only at the end of the day, and a loop re-reads the same bytes, yet health
   * should say what `footfall wifi --summary` says about the same file.
   */
  errors = 0;
  detail = '';
  private reader: CaptureFileReader | null = null;
  private timer: NodeJS.Timeout | null = null;
  private onFrame: FrameHandler | null = null;
  private wallStartMs = 0;
  private fileStartMs = NaN;
  /** Added to capture time for delivered timestamps (restamp and loops). */
  private offsetMs = 0;
  private pendingValid = false;
  private lastTsMs = 0;
  /** Extra capture-time shift of the current loop pass (file duration per completed pass). */
  private loopShift = 0;
  private readonly now: () => number;
  delivered = 0;

  constructor(private readonly options: ReplayOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(onFrame: FrameHandler): Promise<void> {
    this.reader = CaptureFileReader.open(this.options.path);
    this.errors = countBadRecords(this.reader.buffer);
    this.onFrame = onFrame;
    this.wallStartMs = this.now();
    this.pendingValid = this.reader.next();
    if (!this.pendingValid) {
      this.finish();
      return;
    }
    this.fileStartMs = this.reader.tsMs;
    this.offsetMs = this.options.restamp ? this.wallStartMs - this.fileStartMs : 0;
    this.schedule(0);
  }

  /**
   * The replay clock in delivered-timestamp terms, never past the next undelivered frame (so
   * presence cannot close a minute or a session before a frame that belongs to it arrived).
   */
  clockMs(): number {
    if (this.finished || Number.isNaN(this.fileStartMs) || !this.reader) return this.lastTsMs;
    // Replay time runs on across loop passes; delivered time = replay time + the restamp offset.
    const clock = this.fileStartMs + (this.now() - this.wallStartMs) * this.options.speed + (this.offsetMs - this.loopShift);
    return this.pendingValid ? Math.min(clock, this.reader.tsMs + this.offsetMs) : clock;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(delayMs, 1_000)));
  }

  private pump(): void {
    this.timer = null;
    if (!this.reader || !this.onFrame) return;
    const replayNow = this.fileStartMs + (this.now() - this.wallStartMs) * this.options.speed;
    const maxBatch = this.options.maxBatch ?? 20_000;
    let n = 0;
    let r = this.reader;
    while (this.pendingValid && r.tsMs + this.loopShift <= replayNow && n < maxBatch) {
      const ts = r.tsMs + this.offsetMs;
      this.lastTsMs = ts;
      this.onFrame(r.buffer, r.dataOffset, r.capturedLength, r.linkType, ts);
      this.delivered++;
      n++;
      this.pendingValid = r.next();
      if (!this.pendingValid && this.options.loop && r.records > 0) {
        this.rewind();
        r = this.reader;
      }
    }
    if (!this.pendingValid) {
      this.finish();
      return;
    }
    const waitMs = n >= maxBatch ? 0 : (r.tsMs + this.loopShift - replayNow) / this.options.speed;
    this.schedule(waitMs);
  }

  private rewind(): void {
    const endMs = this.reader!.tsMs;
    const reader = new CaptureFileReader(this.reader!.buffer);
    this.reader = reader;
    this.pendingValid = reader.next();
    // The next pass starts one second after the previous one ended, in replay time.
    const pass = endMs - reader.tsMs + 1_000;
    this.loopShift += pass;
    this.offsetMs += pass;
  }

  private finish(): void {
    this.finished = true;
    this.detail = `replay finished: ${this.delivered} frames`;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onFrame = null;
  }
}

/** Record headers only (no frame parsing): a day's capture takes milliseconds. */
function countBadRecords(buffer: Buffer): number {
  const reader = new CaptureFileReader(buffer);
  while (reader.next());
  return reader.badRecords;
}
