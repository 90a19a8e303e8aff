// Exponential backoff with jitter for restarting a failed stream: base * factor^attempt,
// capped, then scaled by a random factor in [1 - jitter, 1] so many cameras failing at
// once (a switch reboot) do not reconnect in lockstep.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of the delay that is random, 0..1. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next attempt; advances the attempt counter. */
  next(): number {
    const raw = Math.min(this.maxMs, this.baseMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(raw * (1 - this.jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
