// Maps raw detector scores to [0, 1] so one set of thresholds fits every detector:
// ACF scores run to 138, DPM from -0.5 to 4.6, CNN detectors give probabilities.
// The rank mapping uses the empirical CDF of the camera's recent scores (a ring buffer,
// re-sorted every few hundred detections), so it allocates nothing per frame.

export type ScoreMappingMode = 'auto' | 'identity' | 'linear' | 'rank' | 'logistic';

export interface ScoreMapperOptions {
  mode: ScoreMappingMode;
  scoreMin: number;
  scoreMax: number;
  rankWindow: number;
  /** mapped = quantile ^ rankExponent (1 = plain quantile). */
  rankExponent: number;
  /** What auto uses once a score outside [0, 1] is seen. */
  autoFallback?: 'rank' | 'logistic';
}

export class ScoreMapper {
  private readonly ring: Float32Array;
  private readonly sorted: Float32Array;
  private ringCount = 0;
  private ringPos = 0;
  private sortedCount = 0;
  private sinceSort = 0;
  /** auto mode: becomes true once a score outside [0, 1] has been seen. */
  private outOfUnitRange = false;

  constructor(private readonly options: ScoreMapperOptions) {
    const n = options.mode === 'rank' || options.mode === 'auto' ? options.rankWindow : 1;
    this.ring = new Float32Array(n);
    this.sorted = new Float32Array(n);
  }

  /** Feeds one frame's raw scores (call before mapping them). */
  observe(scores: Float32Array, count: number): void {
    const mode = this.options.mode;
    if (mode === 'identity' || mode === 'linear' || mode === 'logistic') return;
    const ring = this.ring;
    for (let i = 0; i < count; i++) {
      const s = scores[i]!;
      if (!Number.isFinite(s)) continue;
      if (s < 0 || s > 1) this.outOfUnitRange = true;
      ring[this.ringPos] = s;
      this.ringPos = (this.ringPos + 1) % ring.length;
      if (this.ringCount < ring.length) this.ringCount++;
      this.sinceSort++;
    }
    // Re-sort when a quarter of the window is new (more often while it fills).
    const due = this.sortedCount === 0 ? this.sinceSort > 0 : this.sinceSort >= Math.max(16, this.ringCount >> 2);
    if (due && this.usesRank()) {
      const n = this.ringCount;
      this.sorted.set(this.ring);
      heapSort(this.sorted, n);
      this.sortedCount = n;
      this.sinceSort = 0;
    }
  }

  private usesRank(): boolean {
    return this.options.mode === 'rank' || (this.options.mode === 'auto' && this.outOfUnitRange && this.options.autoFallback !== 'logistic');
  }

  /** Maps scores[0..count) in place (batch form: no per-score call boxing doubles). */
  mapInPlace(scores: Float32Array, count: number): void {
    for (let i = 0; i < count; i++) scores[i] = this.map(scores[i]!);
  }

  map(raw: number): number {
    const o = this.options;
    if (!Number.isFinite(raw)) return 0;
    if (o.mode === 'identity') return raw;
    if (o.mode === 'linear') {
      const v = (raw - o.scoreMin) / (o.scoreMax - o.scoreMin);
      return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    if (o.mode === 'logistic' || (o.mode === 'auto' && this.outOfUnitRange && o.autoFallback === 'logistic')) {
      return 1 / (1 + Math.exp(-raw));
    }
    if (!this.usesRank()) return raw;
    const n = this.sortedCount;
    if (n === 0) return 0.5;
    // Fraction of recent scores <= raw (upper CDF: ties count as below, so a detector that
    // mostly outputs one top score maps it to 1, not to the middle).
    const a = this.sorted;
    // Compare in float32, the precision the window stores scores at.
    const r = Math.fround(raw);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= r) lo = mid + 1;
      else hi = mid;
    }
    const q = lo / n;
    return this.options.rankExponent === 1 ? q : Math.pow(q, this.options.rankExponent);
  }
}

/** In-place ascending heap sort of a[0..n): no allocation, O(n log n). */
function heapSort(a: Float32Array, n: number): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(a, i, n);
  for (let end = n - 1; end > 0; end--) {
    const t = a[0]!;
    a[0] = a[end]!;
    a[end] = t;
    siftDown(a, 0, end);
  }
}

function siftDown(a: Float32Array, start: number, end: number): void {
  let root = start;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && a[child]! < a[child + 1]!) child++;
    if (a[root]! >= a[child]!) return;
    const t = a[root]!;
    a[root] = a[child]!;
    a[child] = t;
    root = child;
  }
}
