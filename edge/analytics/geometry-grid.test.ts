import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { GeometryGrid, gridCellOf } from './geometry-grid.ts';
import { ZoneCounter } from './zone-counter.ts';

const listener = { onZoneEnter() {}, onZoneVisit() {} };

describe('GeometryGrid zone cells', () => {
  it('answers the polygon test exactly where it claims to: wholly-inside cells hold only inside points, untouched cells only outside ones', () => {
    const polygons: Array<Array<[number, number]>> = [
      [[0, 0], [470, 0], [470, 530], [235, 500], [0, 530]],
      [[600.5, 40], [1300, 90], [900, 700.25]],
      [[100, 600], [700, 610], [690, 1000], [400, 800], [110, 990]],
    ];
    const zones = polygons.map((polygon, i) => new ZoneCounter({ name: `z${i}`, polygon, minStayMs: 0, exitGraceMs: 0 }, i, listener));
    const grid = new GeometryGrid([], zones);
    const rnd = new SeededRandom(3);
    let insideHits = 0;
    let boundaryTests = 0;
    for (let n = 0; n < 200_000; n++) {
      const x = rnd.next() * 1400;
      const y = rnd.next() * 1100;
      const cell = gridCellOf(x, y);
      for (let k = 0; k < zones.length; k++) {
        const bit = 1 << k;
        const contains = zones[k]!.polygon.contains(x, y);
        if ((grid.zoneInsideCells![cell]! & bit) !== 0) {
          expect(contains, `${x},${y} zone ${k}`).toBe(true);
          insideHits++;
        } else if ((grid.zoneCells![cell]! & bit) === 0) expect(contains, `${x},${y} zone ${k}`).toBe(false);
        else boundaryTests++;
      }
    }
    // The grid must actually spare most polygon tests.
    expect(insideHits).toBeGreaterThan(2 * boundaryTests);
  });
});
