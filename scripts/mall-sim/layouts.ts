// The mall simulator's declared floor plans (metres): corridors as a walking graph, shop-front
// and entrance zones, and the cameras that see them. street-overlap: a 72 m street, nine
// cameras whose views overlap. tee-gaps: a T (60 m street, 30 m branch), six cameras with 3-9 m
// unseen between views. atrium: a 24 m square atrium (three overlapping views) and a 40 m
// corridor (three views with gaps); used for validation only.
import type { CameraMount } from './camera.ts';

export type Point = [number, number];

export interface LayoutZone {
  name: string;
  kind: 'shop' | 'entrance';
  polygon: Point[];
  /** The walking-graph node from which the zone is entered. */
  access: string;
  /** Entrances: where people appear (and leave), just outside the mall. */
  door?: Point;
}

export interface MallLayout {
  name: string;
  description: string;
  /** Walkable floor as rectangles [x0, y0, x1, y1]. */
  floor: Array<[number, number, number, number]>;
  nodes: Record<string, Point>;
  edges: Array<[string, string]>;
  /** Largest sideways offset of a walker from the graph's lines, metres. */
  laneM: number;
  zones: LayoutZone[];
  cameras: CameraMount[];
  views: 'overlap' | 'gaps' | 'mixed';
}

const rect = (x0: number, y0: number, x1: number, y1: number): Point[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];

/** Edges joining the named nodes in order. */
const chain = (...names: string[]): Array<[string, string]> => names.slice(1).map((n, i) => [names[i]!, n]);

const streetCam = (name: string, x: number, y: number, yawDeg = 0): CameraMount => ({ name, x, y, heightM: 5.5, yawDeg, tiltDeg: 50, hfovDeg: 80, width: 1280, height: 720 });

function streetOverlap(): MallLayout {
  // Shop fronts alternate south (y 0.3-2.8) and north (y 7.2-9.7) every 8 m, each wholly in one view.
  const shops: Array<[string, number, 'S' | 'N']> = [['shop-a', 9, 'S'], ['shop-b', 17, 'N'], ['shop-c', 25, 'S'], ['shop-d', 33, 'N'], ['shop-e', 41, 'S'], ['shop-f', 49, 'N'], ['shop-g', 57, 'S'], ['shop-h', 65, 'N']];
  const nodes: Record<string, Point> = { W: [3, 5], E: [69, 5] };
  const zones: LayoutZone[] = [
    { name: 'entrance-west', kind: 'entrance', polygon: rect(0, 3, 2, 7), access: 'W', door: [-1.5, 5] },
    { name: 'entrance-east', kind: 'entrance', polygon: rect(70, 3, 72, 7), access: 'E', door: [73.5, 5] },
  ];
  for (const [name, x0, side] of shops) {
    nodes[name] = [x0 + 2, 5];
    zones.push({ name, kind: 'shop', polygon: side === 'S' ? rect(x0, 0.3, x0 + 4, 2.8) : rect(x0, 7.2, x0 + 4, 9.7), access: name });
  }
  const cameras: CameraMount[] = [];
  for (let k = 0; k < 9; k++) cameras.push(streetCam(`cam${k + 1}`, -3 + 8 * k, 5));
  return {
    name: 'street-overlap',
    description: '72 m x 10 m mall street, two entrances, 8 shop fronts; 9 cameras every 8 m on the centre line, 5.5 m up, 50 deg down, 80 deg FOV, 1280x720: neighbouring views overlap by ~1 m at full width',
    floor: [[0, 0, 72, 10]],
    nodes,
    edges: chain('W', ...shops.map((s) => s[0]), 'E'),
    laneM: 2,
    zones,
    cameras,
    views: 'overlap',
  };
}

function teeGaps(): MallLayout {
  const nodes: Record<string, Point> = { W: [3, 5], J: [30, 5], E: [57, 5], N: [30, 37], a: [6, 5], b: [7, 5], d: [21, 5], c: [22, 5], g: [38, 5], h: [39, 5], e: [30, 15], f: [30, 34] };
  const zones: LayoutZone[] = [
    { name: 'entrance-west', kind: 'entrance', polygon: rect(0, 3, 2, 7), access: 'W', door: [-1.5, 5] },
    { name: 'entrance-east', kind: 'entrance', polygon: rect(58, 3, 60, 7), access: 'E', door: [61.5, 5] },
    { name: 'entrance-north', kind: 'entrance', polygon: rect(28, 38, 32, 40), access: 'N', door: [30, 41.5] },
    { name: 'shop-a', kind: 'shop', polygon: rect(4, 0.3, 8, 2.8), access: 'a' },
    { name: 'shop-b', kind: 'shop', polygon: rect(5, 7.2, 9, 9.7), access: 'b' },
    { name: 'shop-c', kind: 'shop', polygon: rect(20, 0.3, 24, 2.8), access: 'c' },
    { name: 'shop-d', kind: 'shop', polygon: rect(19, 7.2, 23, 9.7), access: 'd' },
    { name: 'shop-e', kind: 'shop', polygon: rect(25.3, 13, 27.8, 17), access: 'e' },
    { name: 'shop-f', kind: 'shop', polygon: rect(32.2, 32, 34.7, 36), access: 'f' },
    { name: 'shop-g', kind: 'shop', polygon: rect(36, 0.3, 40, 2.8), access: 'g' },
    { name: 'shop-h', kind: 'shop', polygon: rect(37, 7.2, 41, 9.7), access: 'h' },
  ];
  return {
    name: 'tee-gaps',
    description: 'T: 60 m x 10 m street and a 30 m x 10 m branch, three entrances, 8 shop fronts; 4 street cameras (every 16 m) and 2 branch cameras, 5.5 m up, 50 deg down, 80 deg FOV, 1280x720, 3-9 m of corridor unseen between views',
    floor: [[0, 0, 60, 10], [25, 10, 35, 40]],
    nodes,
    edges: [...chain('W', 'a', 'b', 'd', 'c', 'J', 'g', 'h', 'E'), ...chain('J', 'e', 'f', 'N')],
    laneM: 2,
    zones,
    cameras: [streetCam('cam1', -2, 5), streetCam('cam2', 14, 5), streetCam('cam3', 30, 5), streetCam('cam4', 49, 5), streetCam('cam5', 30, 8, 90), streetCam('cam6', 30, 29, 90)],
    views: 'gaps',
  };
}

function atrium(): MallLayout {
  const nodes: Record<string, Point> = { W: [3, 12], C: [12, 12], NW: [6, 18], NE: [18, 18], SW: [6, 6], SE: [18, 6], M: [25, 12], e: [32, 12], f: [47, 12], g: [59, 12], h: [58, 12], E: [61, 12] };
  const zones: LayoutZone[] = [
    { name: 'entrance-west', kind: 'entrance', polygon: rect(0, 10, 2, 14), access: 'W', door: [-1.5, 12] },
    { name: 'entrance-east', kind: 'entrance', polygon: rect(62, 10, 64, 14), access: 'E', door: [65.5, 12] },
    { name: 'shop-a', kind: 'shop', polygon: rect(4, 21.2, 8, 23.7), access: 'NW' },
    { name: 'shop-b', kind: 'shop', polygon: rect(16, 21.2, 20, 23.7), access: 'NE' },
    { name: 'shop-c', kind: 'shop', polygon: rect(4, 0.3, 8, 2.8), access: 'SW' },
    { name: 'shop-d', kind: 'shop', polygon: rect(16, 0.3, 20, 2.8), access: 'SE' },
    { name: 'shop-e', kind: 'shop', polygon: rect(30, 8.2, 34, 10.2), access: 'e' },
    { name: 'shop-f', kind: 'shop', polygon: rect(45, 13.8, 49, 15.8), access: 'f' },
    { name: 'shop-g', kind: 'shop', polygon: rect(57, 8.2, 61, 10.2), access: 'g' },
    { name: 'shop-h', kind: 'shop', polygon: rect(56, 13.8, 60, 15.8), access: 'h' },
  ];
  const atriumCam = (name: string, x: number, y: number, yawDeg: number): CameraMount => ({ name, x, y, heightM: 6, yawDeg, tiltDeg: 38, hfovDeg: 90, width: 1280, height: 720 });
  return {
    name: 'atrium',
    description: '24 m x 24 m atrium (4 shop fronts, west entrance) and a 40 m x 8 m corridor (4 shop fronts, east entrance); 3 atrium cameras (6 m up, 38 deg down, 90 deg FOV) overlapping, 3 corridor cameras (5.5 m up, 50 deg down, 80 deg FOV) with 3-4 m unseen between views; all 1280x720',
    floor: [[0, 0, 24, 24], [24, 8, 64, 16]],
    nodes,
    edges: [...chain('W', 'NW', 'NE', 'M'), ...chain('W', 'SW', 'SE', 'M'), ['W', 'C'], ['C', 'NW'], ['C', 'NE'], ['C', 'SW'], ['C', 'SE'], ...chain('C', 'M', 'e', 'f', 'h', 'g', 'E')],
    laneM: 1.2,
    zones,
    cameras: [atriumCam('cam1', 12, -1, 90), atriumCam('cam2', 12, 25, 270), atriumCam('cam3', -1, 12, 0), streetCam('cam4', 25, 12), streetCam('cam5', 40, 12), streetCam('cam6', 54, 12)],
    views: 'mixed',
  };
}

export const LAYOUTS: Record<string, () => MallLayout> = { 'street-overlap': streetOverlap, 'tee-gaps': teeGaps, atrium };

export function layoutByName(name: string): MallLayout {
  const make = LAYOUTS[name];
  if (!make) throw new Error(`unknown mall layout "${name}"; known: ${Object.keys(LAYOUTS).join(', ')}`);
  return make();
}
