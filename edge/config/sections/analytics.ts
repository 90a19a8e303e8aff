// Config of per-camera analytics geometry and rules (edge/analytics): counting lines,
// zones, queues. Imported by the camera section, which lists them per camera.
import { z } from 'zod';
import { identifier, intBetween, numberBetween, point } from '../fields.ts';

export const lineSchema = z
  .object({
    name: identifier(),
    /** A -> B in source-image pixels; `in` is a crossing from the negative to the positive side. */
    points: z.tuple([point(), point()], { error: 'must be two points [[ax, ay], [bx, by]]' }),
    /** Hysteresis: how far past the line (px) the foot point must go before a crossing counts. */
    minDistancePx: numberBetween(0, 500).default(8),
  })
  .strict();

export const zoneSchema = z
  .object({
    name: identifier(),
    polygon: z.array(point(), { error: 'must be a list of points [[x, y], ...]' }).min(3, {
      error: 'must have at least 3 points',
    }),
    /** Visits shorter than this are flicker, not visits. */
    minStayMs: intBetween(0, 3_600_000).default(1_000),
    /** People; above it a crowding alert can fire. */
    capacity: intBetween(1, 100_000).optional(),
  })
  .strict();

/** Per-camera analytics fields, spread into the camera schema. */
export const cameraAnalyticsFields = {
  lines: z.array(lineSchema).default([]),
  zones: z.array(zoneSchema).default([]),
};
