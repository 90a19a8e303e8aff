// One camera's ffmpeg process, kept alive: spawns it through fluent-ffmpeg, cuts its
// stdout into model-ready rgb24 frames, parses stderr, watches for stalls, and restarts
// it with exponential backoff and jitter when it ends, fails or stalls. stop() kills the
// process and waits for its exit, so no ffmpeg is left behind.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { Clock } from '../shared/clock.ts';
import type { RawFrame } from '../shared/event-bus.ts';
import { RateLimitedLog, type Logger } from '../shared/log.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { buildFfmpegArgs, redactUrl, type FfmpegArgs, type FrameGeometry, type SourceKind } from './ffmpeg-args.ts';
import { FrameAssembler } from './frame-assembler.ts';
import { FfmpegStderrParser } from './stderr-parser.ts';

export type CameraState = 'idle' | 'connecting' | 'streaming' | 'backoff' | 'ended' | 'failed' | 'stopped';

export interface FrameSourceOptions {
  name: string;
  url: string;
  geometry: FrameGeometry;
  fps?: number;
  loop?: boolean;
  /** Files at native speed (default for the agent); false decodes as fast as possible. */
  realtime?: boolean;
  /** No frame for this long (also while connecting) counts as a stall. */
  stallTimeoutMs?: number;
  rtspTransport?: 'tcp' | 'udp';
  /** Restart after end/failure (the agent); false runs once (CLI). */
  restart?: boolean;
  /** A run that streamed this long resets the backoff. */
  stableAfterMs?: number;
  backoff?: BackoffOptions;
  logger: Logger;
  /** Called synchronously per frame; `frame.data` is reused afterwards. */
  onFrame: (frame: RawFrame) => void;
  /** Event time of frames (the agent's clock model; default Date.now). */
  clock?: Clock;
  /** Called when a run-once source finishes (error null on a clean end). */
  onEnd?: (error: string | null) => void;
}

export interface FrameSourceStats {
  name: string;
  kind: SourceKind;
  url: string;
  state: CameraState;
  framesIn: number;
  restarts: number;
  stalls: number;
  decodeErrors: number;
  lastFrameAtMs: number | null;
  lastError: string | null;
  sourceWidth: number;
  sourceHeight: number;
  pid: number | null;
  /** Measured frames/s over the last few seconds. */
  fps: number;
}

const KILL_GRACE_MS = 1_500;

export class FfmpegFrameSource {
  state: CameraState = 'idle';
  framesIn = 0;
  restarts = 0;
  stalls = 0;
  lastFrameAtMs: number | null = null;
  private readonly args: FfmpegArgs;
  private readonly log: Logger;
  private readonly noisy: RateLimitedLog;
  private readonly parser = new FfmpegStderrParser();
  private readonly assembler: FrameAssembler;
  private readonly backoff: Backoff;
  private readonly frame: RawFrame;
  private command: ffmpeg.FfmpegCommand | null = null;
  private proc: ChildProcess | null = null;
  private stream: Readable | null = null;
  private exited: Promise<void> = Promise.resolve();
  private runStartedMs = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private paused = false;
  private fpsWindowStartMs = 0;
  private fpsWindowFrames = 0;
  private measuredFps = 0;
  private prevDecodeErrors = 0;

  constructor(private readonly options: FrameSourceOptions) {
    this.args = buildFfmpegArgs({
      url: options.url,
      geometry: options.geometry,
      fps: options.fps,
      loop: options.loop,
      realtime: options.realtime ?? true,
      rtspTransport: options.rtspTransport,
      // Longer than the stall watchdog, so a silent stream is caught (and counted) as a stall.
      ioTimeoutMs: Math.min(2 * (options.stallTimeoutMs ?? 15_000), 60_000),
    });
    this.log = options.logger.child({ module: 'camera', camera: options.name });
    this.noisy = new RateLimitedLog(this.log, 5, 60_000);
    this.backoff = new Backoff(options.backoff);
    const { width, height } = options.geometry;
    this.assembler = new FrameAssembler(width * height * 3, (data) => this.handleFrame(data));
    this.frame = { camera: options.name, tsMs: 0, frameIndex: 0, sourceWidth: 0, sourceHeight: 0, width, height, data: this.assembler.frame };
  }

  get kind(): SourceKind {
    return this.args.kind;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawn();
    const checkMs = Math.max(250, Math.min(1_000, (this.options.stallTimeoutMs ?? 15_000) / 4));
    this.stallTimer = setInterval(() => this.checkStall(), checkMs);
    this.stallTimer.unref();
  }

  /** Kills ffmpeg (SIGTERM, then SIGKILL) and resolves once it has exited. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.restartTimer = null;
    this.stallTimer = null;
    this.kill('SIGTERM');
    await this.exited;
    if (this.state !== 'ended' && this.state !== 'failed') this.state = 'stopped';
  }

  /** Stops reading stdout (ffmpeg blocks on the full pipe); for run-once consumers. */
  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  stats(): FrameSourceStats {
    return {
      name: this.options.name,
      kind: this.args.kind,
      url: redactUrl(this.options.url),
      state: this.state,
      framesIn: this.framesIn,
      restarts: this.restarts,
      stalls: this.stalls,
      decodeErrors: this.parser.decodeErrors,
      lastFrameAtMs: this.lastFrameAtMs,
      lastError: this.lastExitError ?? this.parser.lastError,
      sourceWidth: this.parser.sourceWidth,
      sourceHeight: this.parser.sourceHeight,
      pid: this.proc?.pid ?? null,
      fps: Number(this.measuredFps.toFixed(2)),
    };
  }

  private lastExitError: string | null = null;
  /** Why we killed the running process ourselves (stall), reported instead of "killed with SIGKILL". */
  private killReason: string | null = null;

  private spawn(): void {
    if (this.stopped) return;
    this.state = 'connecting';
    this.parser.reset();
    this.assembler.reset();
    this.runStartedMs = Date.now();
    this.proc = null;
    const cmd = ffmpeg(this.args.input).inputOptions(this.args.inputOptions).outputOptions(this.args.outputOptions);
    this.command = cmd;
    let resolveExit!: () => void;
    this.exited = new Promise<void>((r) => (resolveExit = r));
    // A run ends when ffmpeg has exited AND its stdout has been read to the end, so the
    // last frames are never lost; the outcome comes from the exit code, not from
    // fluent-ffmpeg's events (which race: "Output stream closed" on a clean exit under load).
    let settled = false;
    let streamDone = false;
    let pending: { error: string | null } | null = null;
    const settle = () => {
      if (settled || !pending || (!streamDone && !this.stopped)) return;
      settled = true;
      this.onRunEnd(cmd, pending.error);
    };
    const finished = (error: string | null) => {
      if (pending) return;
      pending = { error };
      settle();
    };
    const fromExit = (fallback: string) => {
      const proc = this.proc;
      if (!proc) return finished(this.parser.lastError ?? fallback);
      const done = () => {
        if (proc.exitCode === 0) finished(null);
        else finished(this.parser.lastError ?? (proc.signalCode ? `ffmpeg was killed with ${proc.signalCode}` : `ffmpeg exited with code ${proc.exitCode}`));
      };
      if (proc.exitCode !== null || proc.signalCode !== null) done();
      else proc.once('exit', done);
    };
    cmd.on('start', () => {
      const proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
      this.proc = proc;
      if (proc) {
        if (proc.exitCode !== null || proc.signalCode !== null) resolveExit();
        else proc.once('exit', () => resolveExit());
      } else resolveExit();
      this.log.debug({ pid: proc?.pid, url: redactUrl(this.options.url) }, 'ffmpeg started');
      // stop() may have come while fluent-ffmpeg was still preparing the spawn.
      if (this.stopped) this.kill('SIGTERM');
    });
    cmd.on('stderr', (line: string) => this.handleStderr(line));
    cmd.on('error', (err: Error) => {
      if (!this.proc) resolveExit();
      fromExit(err.message.split('\n')[0]!);
    });
    cmd.on('end', () => fromExit('ffmpeg ended'));
    const out = cmd.pipe() as Readable;
    this.stream = out;
    out.on('data', (chunk: Buffer) => this.assembler.push(chunk));
    out.on('error', () => undefined);
    const onStreamDone = () => {
      streamDone = true;
      settle();
    };
    out.once('end', onStreamDone);
    out.once('close', onStreamDone);
    if (this.paused) out.pause();
  }

  private handleStderr(line: string): void {
    // After stop() ffmpeg reports its own interruption ("Immediate exit requested"): not a problem.
    if (this.stopped) return;
    const p = this.parser.parse(line);
    switch (p.kind) {
      case 'source-size':
        this.log.debug({ size: p.text }, 'source stream');
        break;
      case 'decode-error':
        this.noisy.warn({ text: p.text }, 'decode error');
        break;
      case 'error':
        this.noisy.warn({ text: p.text }, 'ffmpeg error');
        break;
      case 'warning':
        this.noisy.warn({ text: p.text }, 'ffmpeg warning');
        break;
      case 'info':
        this.log.trace({ text: p.text }, 'ffmpeg');
        break;
      default:
        break;
    }
  }

  private handleFrame(data: Buffer): void {
    const now = Date.now();
    if (this.state !== 'streaming') {
      this.state = 'streaming';
      // Recovered: the error that stopped the previous run is history, not the camera's state now.
      this.lastExitError = null;
      this.parser.lastError = null;
      this.log.info({ sourceWidth: this.parser.sourceWidth, sourceHeight: this.parser.sourceHeight, restarts: this.restarts }, 'streaming');
    }
    this.framesIn++;
    this.lastFrameAtMs = now;
    if (now - this.fpsWindowStartMs >= 5_000) {
      if (this.fpsWindowStartMs > 0) this.measuredFps = (this.fpsWindowFrames * 1000) / (now - this.fpsWindowStartMs);
      this.fpsWindowStartMs = now;
      this.fpsWindowFrames = 0;
    }
    this.fpsWindowFrames++;
    const f = this.frame;
    f.tsMs = this.options.clock ? this.options.clock.now() : now;
    f.frameIndex = this.framesIn - 1;
    // Source size is printed before the first frame; fall back to the frame size if it was not parsed.
    f.sourceWidth = this.parser.sourceWidth || f.width;
    f.sourceHeight = this.parser.sourceHeight || f.height;
    f.data = data;
    try {
      this.options.onFrame(f);
    } catch (err) {
      this.noisy.warn({ err: (err as Error).message }, 'frame consumer threw');
    }
  }

  private checkStall(): void {
    if (this.stopped || !this.proc) return;
    if (this.state !== 'connecting' && this.state !== 'streaming') return;
    const limit = this.options.stallTimeoutMs ?? 15_000;
    const since = this.lastFrameAtMs !== null && this.lastFrameAtMs >= this.runStartedMs ? this.lastFrameAtMs : this.runStartedMs;
    if (this.paused) return;
    if (Date.now() - since > limit) {
      this.stalls++;
      this.killReason = `no frame for ${Math.round((Date.now() - since) / 1000)} s (stalled)`;
      this.log.warn({ stallTimeoutMs: limit, state: this.state }, 'stream stalled; restarting ffmpeg');
      this.kill('SIGKILL');
    }
  }

  private kill(signal: NodeJS.Signals): void {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      proc.kill(signal);
    } catch {
      /* already gone */
    }
    if (signal !== 'SIGKILL') {
      const t = setTimeout(() => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }, KILL_GRACE_MS);
      t.unref();
      proc.once('exit', () => clearTimeout(t));
    }
  }

  private onRunEnd(cmd: ffmpeg.FfmpegCommand, error: string | null): void {
    if (cmd !== this.command) return;
    const partial = this.assembler.reset();
    const ranMs = Date.now() - this.runStartedMs;
    const newDecodeErrors = this.parser.decodeErrors - this.prevDecodeErrors;
    this.prevDecodeErrors = this.parser.decodeErrors;
    if (this.killReason) {
      error = this.killReason;
      this.killReason = null;
    }
    if (error) this.lastExitError = error;
    if (this.stopped) return;
    const isLiveLike = this.args.kind !== 'file' || this.options.loop;
    if (!this.options.restart) {
      this.state = error ? 'failed' : 'ended';
      this.options.onEnd?.(error);
      return;
    }
    if (!isLiveLike && !error) {
      this.state = 'ended';
      this.log.info({ frames: this.framesIn }, 'file source ended');
      this.options.onEnd?.(null);
      return;
    }
    if (ranMs >= (this.options.stableAfterMs ?? 10_000) && this.lastFrameAtMs !== null && this.lastFrameAtMs >= this.runStartedMs) {
      this.backoff.reset();
    }
    const delayMs = this.backoff.next();
    this.state = 'backoff';
    this.restarts++;
    this.log.warn(
      { reason: error ?? 'stream ended', ranMs, partialBytes: partial || undefined, decodeErrors: newDecodeErrors || undefined, retryInMs: delayMs, attempt: this.backoff.attempt },
      'camera stream stopped; reconnecting',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.spawn();
    }, delayMs);
  }
}
