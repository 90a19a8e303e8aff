// Config of camera sources (edge/camera); each camera also carries its analytics geometry (sections/analytics.ts).
import { z } from 'zod';
import { bool, identifier, nonEmptyString, numberBetween, oneOf, point } from '../fields.ts';
import { cameraAnalyticsFields } from './analytics.ts';

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
    /** RTSP transport; TCP survives lossy networks and NAT better than UDP. */
    rtspTransport: oneOf(['tcp', 'udp']).default('tcp'),
    /** Longest wait between reconnect attempts (exponential backoff with jitter up to this). */
    maxBackoffS: numberBetween(1, 3600).default(30),
    /** Polygons (source pixels) where motion is ignored by the motion gate: screens, escalators, glass doors. */
    motionMask: z.array(z.array(point()).min(3, { error: 'a mask polygon needs at least 3 points' })).default([]),
    ...cameraAnalyticsFields,
  })
  .strict();

export const camerasSection = z.array(cameraSchema).default([]);
