// Events per second over a sliding window of one-second buckets (publish rate metric).

export class RateMeter {
  private readonly buckets: Float64Array;
  private headSecond = -1;

  constructor(
    private readonly windowS = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Float64Array(windowS);
  }

  private advance(second: number): void {
    if (this.headSecond < 0) this.headSecond = second;
    const gap = second - this.headSecond;
    if (gap <= 0) return;
    for (let s = 1; s <= Math.min(gap, this.windowS); s++) this.buckets[(this.headSecond + s) % this.windowS] = 0;
    this.headSecond = second;
  }

  add(n: number): void {
    const second = Math.floor(this.now() / 1000);
    this.advance(second);
    this.buckets[second % this.windowS]! += n;
  }

  /** Mean per second over the completed seconds of the window plus the current one. */
  perSecond(): number {
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    this.advance(second);
    let sum = 0;
    for (let i = 0; i < this.windowS; i++) sum += this.buckets[i]!;
    const spanS = this.windowS - 1 + (nowMs % 1000) / 1000;
    return spanS > 0 ? sum / spanS : 0;
  }
}
