// Config of camera sources (edge/camera) and per-camera analytics geometry (edge/analytics).
import { z } from 'zod';
import { bool, identifier, intBetween, nonEmptyString, numberBetween, point } from '../fields.ts';

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

export const cameraSchema = z
  .object({
    name: identifier(),
    /** rtsp://, http(s)://, file path, or /dev/videoN. */
    url: nonEmptyString('a stream URL, file path or V4L2 device'),
    enabled: bool().default(true),
    /** Frames per second sampled from the stream for detection. */
    fps: numberBetween(0.1, 60).default(5),
    /** Loop a file source (demos). */
    loop: bool().default(false),
    /** Seconds without a frame before the stream counts as stalled and restarts. */
    stallTimeoutS: numberBetween(1, 600).default(15),
    lines: z.array(lineSchema).default([]),
    zones: z.array(zoneSchema).default([]),
  })
  .strict();

export const camerasSection = z.array(cameraSchema).default([]);
