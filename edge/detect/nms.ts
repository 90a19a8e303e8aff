// Greedy non-maximum suppression over person candidates, in preallocated typed arrays:
// an index order sorted by score (shell sort, no comparator closure), areas, and a
// suppressed flag per candidate. Allocates nothing per frame.
import type { Candidates } from './decoders/index.ts';

// Ciura's gap sequence, extended; good for the few hundred candidates a frame has.
const GAPS = [1750, 701, 301, 132, 57, 23, 10, 4, 1];

export class GreedyNms {
  /** Indices of the kept candidates, best score first; `keptCount` of them are valid. */
  readonly kept: Int32Array;
  keptCount = 0;
  private readonly order: Int32Array;
  private readonly area: Float32Array;
  private readonly suppressed: Uint8Array;

  constructor(readonly capacity: number) {
    this.kept = new Int32Array(capacity);
    this.order = new Int32Array(capacity);
    this.area = new Float32Array(capacity);
    this.suppressed = new Uint8Array(capacity);
  }

  /** Keeps the best-scoring boxes, dropping any whose IoU with a kept box exceeds `iou`. */
  run(c: Candidates, iou: number, maxKeep = this.capacity): number {
    const n = c.count;
    const b = c.boxes;
    const s = c.scores;
    const order = this.order;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      this.suppressed[i] = 0;
      const o = i * 4;
      this.area[i] = Math.max(0, b[o + 2]! - b[o]!) * Math.max(0, b[o + 3]! - b[o + 1]!);
    }
    // Shell sort, descending score.
    for (const gap of GAPS) {
      for (let i = gap; i < n; i++) {
        const idx = order[i]!;
        const v = s[idx]!;
        let j = i;
        while (j >= gap && s[order[j - gap]!]! < v) {
          order[j] = order[j - gap]!;
          j -= gap;
        }
        order[j] = idx;
      }
    }
    let kept = 0;
    for (let a = 0; a < n && kept < maxKeep; a++) {
      const i = order[a]!;
      if (this.suppressed[i]) continue;
      this.kept[kept++] = i;
      const oi = i * 4;
      const x1 = b[oi]!, y1 = b[oi + 1]!, x2 = b[oi + 2]!, y2 = b[oi + 3]!;
      const ai = this.area[i]!;
      for (let z = a + 1; z < n; z++) {
        const j = order[z]!;
        if (this.suppressed[j]) continue;
        const oj = j * 4;
        const w = Math.min(x2, b[oj + 2]!) - Math.max(x1, b[oj]!);
        if (w <= 0) continue;
        const h = Math.min(y2, b[oj + 3]!) - Math.max(y1, b[oj + 1]!);
        if (h <= 0) continue;
        const inter = w * h;
        if (inter / (ai + this.area[j]! - inter) > iou) this.suppressed[j] = 1;
      }
    }
    this.keptCount = kept;
    return kept;
  }
}
