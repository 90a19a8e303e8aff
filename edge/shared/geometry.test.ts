import { describe, expect, it } from 'vitest';
import { PackedPolygon, pointInPolygon, polygonArea, repeatedVertex, segmentsIntersect, selfIntersection } from './geometry.ts';

describe('shared geometry', () => {
  const square: Array<[number, number]> = [[0, 0], [10, 0], [10, 10], [0, 10]];

  it('answers point-in-polygon the same on a vertex list and a packed polygon, shared edges belonging to one side', () => {
    const packed = new PackedPolygon(square);
    for (let y = -2; y <= 12; y += 0.5) {
      for (let x = -2; x <= 12; x += 0.5) expect(pointInPolygon(x, y, square), `${x},${y}`).toBe(packed.contains(x, y));
    }
    expect(pointInPolygon(5, 5, square)).toBe(true);
    expect(pointInPolygon(15, 5, square)).toBe(false);
  });

  it('finds self-intersections, repeated vertices and areas the config checks rely on', () => {
    expect(polygonArea(square)).toBe(100);
    expect(selfIntersection(square)).toBeNull();
    expect(selfIntersection([[0, 0], [10, 10], [10, 0], [0, 10]])).toEqual([0, 2]);
    expect(repeatedVertex([[0, 0], [0, 0], [5, 5]])).toBe(0);
    expect(segmentsIntersect(0, 0, 10, 0, 5, -5, 5, 5)).toBe(true);
    expect(segmentsIntersect(0, 0, 10, 0, 11, -5, 11, 5)).toBe(false);
    expect(segmentsIntersect(0, 0, 10, 0, 10, 0, 10, 5)).toBe(true);
  });
});
