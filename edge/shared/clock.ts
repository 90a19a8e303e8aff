// The agent's clock: event time is a wall-clock anchor plus monotonic elapsed time, so the
// time stamped on events moves smoothly between checks, and a step of the wall clock (NTP
// correction, RTC reset, operator) is detected, logged, counted and followed at once.
// Retention reads `retentionNowMs()`, which a forward step cannot push ahead (see there).
import { FootfallError } from './errors.ts';
import type { Logger } from './log.ts';

/** What decides event time; `Date.now` satisfies it where no model is needed (tests, CLI). */
export interface Clock {
  now(): number;
}

export interface ClockJumps {
  forward: number;
  backward: number;
  /** The last step's size (wall minus estimate, ms; negative backward), null before any. */
  lastJumpMs: number | null;
  /** Event time just after the last step, null before any. */
  lastJumpAtMs: number | null;
}

export interface MonotonicClockOptions {
  /** The wall clock (default Date.now). */
  wallNow?: () => number;
  /** A monotonic ms source (default performance.now). */
  monotonicNow?: () => number;
  /** Wall and monotonic estimate disagreeing by more than this is a step (default 2000 ms). */
  jumpThresholdMs?: number;
  logger?: Logger;
  onJump?: (stepMs: number, atMs: number) => void;
}

/** Smallest and largest accepted step threshold: below 50 ms scheduling noise looks like a step. */
const MIN_THRESHOLD_MS = 50;
const MAX_THRESHOLD_MS = 86_400_000;

export class MonotonicClock implements Clock {
  readonly jumps: ClockJumps = { forward: 0, backward: 0, lastJumpMs: null, lastJumpAtMs: null };
  readonly jumpThresholdMs: number;
  private readonly wallNow: () => number;
  private readonly monotonicNow: () => number;
  private anchorWallMs: number;
  private anchorMonoMs: number;
  /** Wall time at construction plus monotonic elapsed: never re-anchored (retention's bound). */
  private readonly startWallMs: number;
  private readonly startMonoMs: number;
  private lastMs: number;

  constructor(private readonly options: MonotonicClockOptions = {}) {
    const t = options.jumpThresholdMs ?? 2_000;
    if (!Number.isFinite(t) || t < MIN_THRESHOLD_MS || t > MAX_THRESHOLD_MS) {
      throw new FootfallError('CONFIG_INVALID', `clock jumpThresholdMs: must be a number of ms between ${MIN_THRESHOLD_MS} and ${MAX_THRESHOLD_MS}, got ${String(options.jumpThresholdMs)}`);
    }
    this.jumpThresholdMs = t;
    this.wallNow = options.wallNow ?? Date.now;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    const wall = this.wallNow();
    if (!Number.isFinite(wall)) throw new FootfallError('INPUT_INVALID', `clock: the wall clock reads ${String(wall)}`);
    this.anchorWallMs = this.startWallMs = wall;
    this.anchorMonoMs = this.startMonoMs = this.monotonicNow();
    this.lastMs = wall;
  }

  /** Event time, ms since the epoch. Checks the wall clock on every call (two cheap reads). */
  now(): number {
    const mono = this.monotonicNow();
    const estimate = this.anchorWallMs + (mono - this.anchorMonoMs);
    const wall = this.wallNow();
    const stepMs = wall - estimate;
    if (Math.abs(stepMs) > this.jumpThresholdMs) {
      this.anchorWallMs = wall;
      this.anchorMonoMs = mono;
      this.lastMs = wall;
      if (stepMs > 0) this.jumps.forward++;
      else this.jumps.backward++;
      this.jumps.lastJumpMs = Math.round(stepMs);
      this.jumps.lastJumpAtMs = wall;
      this.options.logger?.warn(
        { stepMs: Math.round(stepMs), direction: stepMs > 0 ? 'forward' : 'backward', wallMs: wall, forward: this.jumps.forward, backward: this.jumps.backward },
        'wall clock stepped; event time follows it from now on',
      );
      this.options.onJump?.(stepMs, wall);
      return wall;
    }
    // Within the threshold the estimate wins, never moving backwards (slewing NTP, rounding).
    if (estimate > this.lastMs) this.lastMs = estimate;
    return this.lastMs;
  }

  /**
   * Time for age-based deletion: event time, but never ahead of the start's wall time plus
   * monotonic elapsed time, so a forward step cannot make anything look older than it is
   * (a backward step only keeps things longer). A restart re-anchors to the wall clock.
   */
  retentionNowMs(): number {
    return Math.min(this.now(), this.startWallMs + (this.monotonicNow() - this.startMonoMs));
  }

  /** For health and status: steps seen since start. */
  health(): { forwardJumps: number; backwardJumps: number; lastJumpMs: number | null; lastJumpAt: string | null } {
    return {
      forwardJumps: this.jumps.forward,
      backwardJumps: this.jumps.backward,
      lastJumpMs: this.jumps.lastJumpMs,
      lastJumpAt: this.jumps.lastJumpAtMs === null ? null : new Date(this.jumps.lastJumpAtMs).toISOString(),
    };
  }
}

/** A settable wall and monotonic pair for tests and soaks: `advance` passes time, `step` moves the wall only. */
export class SimulatedTime {
  wallMs: number;
  monoMs = 0;
  constructor(startWallMs: number) {
    this.wallMs = startWallMs;
  }
  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }
  step(ms: number): void {
    this.wallMs += ms;
  }
  readonly wallNow = (): number => this.wallMs;
  readonly monotonicNow = (): number => this.monoMs;
}
