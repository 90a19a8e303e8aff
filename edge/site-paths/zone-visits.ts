// Zone visits on one site track's floor trajectory: a visit is at least `visitMinMs`
// continuously inside a zone. A visit is reported once, when it qualifies (so reports come in
// the order people reached the zones plus the same minimum). Per-track state is one
// Float64Array (since when inside each zone), so a step costs a point-in-polygon per zone
// whose bounding box holds the point.
import { PackedPolygon } from '../shared/geometry.ts';

export interface FloorZones {
  names: readonly string[];
  polygons: readonly PackedPolygon[];
}

export function floorZonesOf(zones: ReadonlyArray<{ name: string; polygon: ReadonlyArray<readonly [number, number]> }>): FloorZones {
  return { names: zones.map((z) => z.name), polygons: zones.map((z) => new PackedPolygon(z.polygon)) };
}

export interface VisitListener {
  /** A visit qualified: zone index, when it began (ms). */
  onVisit(zone: number, startMs: number): void;
}

export class ZoneVisitState {
  /** Since when the track is inside each zone (ms), NaN when outside. */
  private readonly insideSince: Float64Array;
  /** Whether the current stay in each zone has already been reported. */
  private readonly reported: Uint8Array;

  /** Since when the track is out of a zone it was inside (ms), NaN otherwise. */
  private readonly outSince: Float64Array;

  constructor(
    private readonly zones: FloorZones,
    private readonly visitMinMs: number,
    private readonly exitGraceMs = 0,
  ) {
    this.outSince = new Float64Array(zones.polygons.length).fill(NaN);
    this.insideSince = new Float64Array(zones.polygons.length).fill(NaN);
    this.reported = new Uint8Array(zones.polygons.length);
  }

  /** The track is at (x, y) at tMs (steps in time order). */
  step(tMs: number, x: number, y: number, listener: VisitListener): void {
    const polys = this.zones.polygons;
    for (let z = 0; z < polys.length; z++) {
      if (polys[z]!.contains(x, y)) {
        if (Number.isNaN(this.insideSince[z]!)) {
          this.insideSince[z] = tMs;
          this.reported[z] = 0;
        }
        if (this.reported[z] === 0 && tMs - this.insideSince[z]! >= this.visitMinMs) {
          this.reported[z] = 1;
          listener.onVisit(z, this.insideSince[z]!);
        }
      } else if (!Number.isNaN(this.insideSince[z]!)) {
        // Out for longer than the grace ends the stay; a shorter step out (position noise at
        // the zone's edge) does not.
        if (Number.isNaN(this.outSince[z]!)) this.outSince[z] = tMs;
        if (this.exitGraceMs === 0 || tMs - this.outSince[z]! > this.exitGraceMs) {
          this.insideSince[z] = NaN;
          this.outSince[z] = NaN;
        }
        continue;
      }
      this.outSince[z] = NaN;
    }
  }
}
