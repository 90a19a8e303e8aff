// What one config file may hold. Checked on the raw YAML before the schema, so an oversized
// file is refused in milliseconds with the limit named, instead of being validated item by
// item (400,000 cameras took 17 s and 1.9 GB) and then exhausting the agent's memory.
import { FootfallError } from '../shared/errors.ts';

export const CONFIG_LIMITS = {
  /** Bytes of the YAML file (a box with 64 cameras, each with 64 lines and zones, needs well under this). */
  fileBytes: 1024 * 1024,
  cameras: 64,
  linesPerCamera: 64,
  zonesPerCamera: 64,
  queuesPerCamera: 16,
  /** Vertices of one zone, queue area or mask polygon. */
  pointsPerPolygon: 256,
  rules: 256,
  wifiSensors: 30,
} as const;

function tooMany(source: string, path: string, count: number, limit: number, what: string): FootfallError {
  return new FootfallError('CONFIG_TOO_LARGE', `${source}: ${path}: ${count} ${what}; at most ${limit} are allowed (config limit)`);
}

function listOf(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/** Throws CONFIG_TOO_LARGE naming the first list over its limit. `raw` is the parsed YAML. */
export function checkConfigLimits(raw: unknown, source: string): void {
  if (raw === null || typeof raw !== 'object') return;
  const root = raw as Record<string, unknown>;
  const cameras = listOf(root.cameras);
  if (cameras) {
    if (cameras.length > CONFIG_LIMITS.cameras) throw tooMany(source, 'cameras', cameras.length, CONFIG_LIMITS.cameras, 'cameras');
    cameras.forEach((cam, i) => {
      if (cam === null || typeof cam !== 'object') return;
      const c = cam as Record<string, unknown>;
      const per: Array<[string, number, string]> = [
        ['lines', CONFIG_LIMITS.linesPerCamera, 'lines'],
        ['zones', CONFIG_LIMITS.zonesPerCamera, 'zones'],
        ['queues', CONFIG_LIMITS.queuesPerCamera, 'queues'],
      ];
      for (const [key, limit, what] of per) {
        const list = listOf(c[key]);
        if (!list) continue;
        if (list.length > limit) throw tooMany(source, `cameras[${i}].${key}`, list.length, limit, what);
        list.forEach((item, k) => {
          const polygon = item && typeof item === 'object' ? listOf((item as Record<string, unknown>).polygon) : null;
          if (polygon && polygon.length > CONFIG_LIMITS.pointsPerPolygon) {
            throw tooMany(source, `cameras[${i}].${key}[${k}].polygon`, polygon.length, CONFIG_LIMITS.pointsPerPolygon, 'points');
          }
        });
      }
      const mask = listOf(c.motionMask);
      mask?.forEach((poly, k) => {
        const pts = listOf(poly);
        if (pts && pts.length > CONFIG_LIMITS.pointsPerPolygon) throw tooMany(source, `cameras[${i}].motionMask[${k}]`, pts.length, CONFIG_LIMITS.pointsPerPolygon, 'points');
      });
    });
  }
  const analytics = root.analytics && typeof root.analytics === 'object' ? (root.analytics as Record<string, unknown>) : null;
  const rules = listOf(analytics?.rules);
  if (rules && rules.length > CONFIG_LIMITS.rules) throw tooMany(source, 'analytics.rules', rules.length, CONFIG_LIMITS.rules, 'rules');
  const wifi = root.wifi && typeof root.wifi === 'object' ? (root.wifi as Record<string, unknown>) : null;
  const sensors = listOf(wifi?.sensors);
  if (sensors && sensors.length > CONFIG_LIMITS.wifiSensors) throw tooMany(source, 'wifi.sensors', sensors.length, CONFIG_LIMITS.wifiSensors, 'sensors');
}
