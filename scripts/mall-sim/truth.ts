// Ground truth of the mall simulator from the TRUE floor paths (feet point, no noise), with the
// plain definition and no product code: a visit is >= visitMinS continuously inside a zone's
// polygon; a person's visits in time order; transitions are consecutive visits "A>B" of
// different zones (two consecutive visits to the same zone give none), sequences consecutive
// triples "A>B>C"; counts are occurrences summed over people.
import type { Point } from './layouts.ts';

export interface TruthVisit {
  zone: string;
  startS: number;
  endS: number;
}

export interface MallTruth {
  visitMinS: number;
  visits: Record<string, number>;
  transitions: Record<string, number>;
  sequences: Record<string, number>;
  /** Per person (for debugging): id, arrival and leaving time, visits in order. */
  people: Array<{ id: number; arriveS: number; leaveS: number; visits: TruthVisit[] }>;
}

/** Even-odd ray casting. */
export function insidePolygon(x: number, y: number, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The visits of one floor path sampled at fps (xs[k], ys[k] at time startS + k / fps). */
export function visitsOfPath(xs: ArrayLike<number>, ys: ArrayLike<number>, startS: number, fps: number, zones: ReadonlyArray<{ name: string; polygon: readonly Point[] }>, visitMinS: number): TruthVisit[] {
  const visits: TruthVisit[] = [];
  let current = -1;
  let since = 0;
  const close = (endK: number) => {
    if (current >= 0 && (endK - since) / fps >= visitMinS) visits.push({ zone: zones[current]!.name, startS: startS + since / fps, endS: startS + endK / fps });
  };
  for (let k = 0; k < xs.length; k++) {
    let zone = -1;
    for (let z = 0; z < zones.length; z++) {
      if (insidePolygon(xs[k]!, ys[k]!, zones[z]!.polygon)) {
        zone = z;
        break;
      }
    }
    if (zone !== current) {
      close(k);
      current = zone;
      since = k;
    }
  }
  close(xs.length);
  return visits;
}

export function countPaths(truth: Pick<MallTruth, 'visits' | 'transitions' | 'sequences'>, visits: readonly TruthVisit[]): void {
  const bump = (rec: Record<string, number>, k: string) => (rec[k] = (rec[k] ?? 0) + 1);
  for (const v of visits) bump(truth.visits, v.zone);
  const distinct = visits.map((v) => v.zone).filter((z, i, all) => i === 0 || z !== all[i - 1]);
  for (let i = 1; i < distinct.length; i++) bump(truth.transitions, `${distinct[i - 1]}>${distinct[i]}`);
  for (let i = 2; i < distinct.length; i++) bump(truth.sequences, `${distinct[i - 2]}>${distinct[i - 1]}>${distinct[i]}`);
}
