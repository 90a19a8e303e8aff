import { describe, expect, it } from 'vitest';
import { personAp50, type FrameTruth } from './detector-ap50.ts';

describe('person AP50', () => {
  const truth = new Map<number, FrameTruth>([
    [1, { boxes: [[0, 0, 10, 20], [100, 0, 10, 20]], ignore: [[200, 0, 10, 20]] }],
    [2, { boxes: [[0, 0, 10, 20]], ignore: [] }],
  ]);

  it('counts hits at IoU >= 0.5 once per gt box, skips ignore regions and interpolates over all points', () => {
    const r = personAp50(
      truth,
      [
        // 0.9 hit, 0.8 duplicate of the same person (false positive), 0.7 in the ignore region (skipped), 0.6 hit.
        { frame: 1, boxes: [[0, 0, 10, 20], [1, 0, 10, 20], [200, 0, 10, 20]], scores: [0.9, 0.8, 0.7] },
        { frame: 2, boxes: [[0, 1, 10, 20]], scores: [0.6] },
        // Frame 3 is not evaluated.
        { frame: 3, boxes: [[0, 0, 5, 5]], scores: [0.99] },
      ],
      new Set([1, 2]),
      [0.85, 0.5],
    );
    expect(r.gt).toBe(3);
    // Ranked: TP (P 1, R 1/3), FP (P 1/2), TP (P 2/3, R 2/3); AP = 1/3 * 1 + 1/3 * 2/3.
    expect(r.ap50).toBeCloseTo(100 * (1 / 3 + 2 / 9), 6);
    expect(r.at[0]!.recall).toBeCloseTo(100 / 3, 6);
    expect(r.at[0]!.precision).toBe(100);
    expect(r.at[1]!.recall).toBeCloseTo(200 / 3, 6);
    expect(r.at[1]!.precision).toBeCloseTo(200 / 3, 6);
  });

  it('gives 0 with no detections and 100 with exactly the gt boxes', () => {
    expect(personAp50(truth, [], new Set([1, 2])).ap50).toBe(0);
    const perfect = [
      { frame: 1, boxes: truth.get(1)!.boxes, scores: [0.9, 0.8] },
      { frame: 2, boxes: truth.get(2)!.boxes, scores: [0.7] },
    ];
    expect(personAp50(truth, perfect, new Set([1, 2])).ap50).toBeCloseTo(100, 6);
  });
});
