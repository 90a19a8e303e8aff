// Frame-to-detection latency over the last N frames in a fixed ring, summarised as
// median and p95 on demand (sorting a copy only when health is read).

export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 512) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /** Quantile q in [0, 1] (nearest rank), or null when empty. */
  quantile(q: number): number | null {
    if (this.filled === 0) return null;
    const sorted = this.values.slice(0, this.filled).sort();
    return sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil(q * this.filled) - 1))]!;
  }
}
