// Which cameras take part in site paths and which floor zones no camera sees: a camera without
// a calibration takes no part; a zone whose area no calibrated camera's view covers can never
// be visited (a config warning naming it).
import { floorCalibrationOf, type CameraConfig, type FloorZoneConfig } from '../config/index.ts';
import type { FloorCalibration } from '../shared/floor-calibration.ts';
import { pointInPolygon } from '../shared/geometry.ts';

export interface SiteCamera {
  name: string;
  calibration: FloorCalibration;
}

export interface SiteFloor {
  cameras: SiteCamera[];
  /** Cameras without (or with an unusable) calibration: no part in site paths. */
  uncalibrated: string[];
  /** Zones no calibrated camera sees (none of a grid of points in the zone maps into a view). */
  unseenZones: string[];
}

const GRID = 7;

export function siteFloorOf(cameras: readonly CameraConfig[], zones: readonly FloorZoneConfig[]): SiteFloor {
  const out: SiteFloor = { cameras: [], uncalibrated: [], unseenZones: [] };
  const frames: Array<{ cal: FloorCalibration; width: number; height: number }> = [];
  for (const c of cameras) {
    if (!c.enabled) continue;
    let cal: FloorCalibration | null = null;
    try {
      cal = floorCalibrationOf(c);
    } catch {
      cal = null;
    }
    if (!cal) {
      out.uncalibrated.push(c.name);
      continue;
    }
    out.cameras.push({ name: c.name, calibration: cal });
    if (c.width !== undefined && c.height !== undefined) frames.push({ cal, width: c.width, height: c.height });
  }
  const img = new Float64Array(2);
  for (const z of zones) {
    if (frames.length === 0 && out.cameras.length > 0) break; // frame sizes unknown: cannot tell
    const xs = z.polygon.map((p) => p[0]);
    const ys = z.polygon.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    let seen = false;
    for (let i = 0; i < GRID && !seen; i++) {
      for (let j = 0; j < GRID && !seen; j++) {
        const x = x0 + ((i + 0.5) / GRID) * (x1 - x0);
        const y = y0 + ((j + 0.5) / GRID) * (y1 - y0);
        if (!pointInPolygon(x, y, z.polygon)) continue;
        for (const f of frames) {
          if (f.cal.toImage(x, y, img, 0) && img[0]! >= 0 && img[0]! < f.width && img[1]! >= 0 && img[1]! < f.height) {
            seen = true;
            break;
          }
        }
      }
    }
    if (!seen) out.unseenZones.push(z.name);
  }
  return out;
}
