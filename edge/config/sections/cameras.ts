// Config of camera sources (edge/camera); each camera also carries its analytics geometry (sections/analytics.ts).
import { z } from 'zod';
import { FootfallError } from '../../shared/errors.ts';
import { bool, identifier, intBetween, nonEmptyString, numberBetween, oneOf, point, uniqueNames } from '../fields.ts';
import { CONFIG_LIMITS } from '../limits.ts';
import { cameraAnalyticsFields, checkGeometryInFrame } from './analytics.ts';
import { calibrationSchema, checkCalibration } from './calibration.ts';

export const cameraSchema = z
  .object({
    /** Camera name (letters, digits, "-", "_", "."; unique): the MQTT source and status page label. */
    name: identifier().describe('Camera name (letters, digits, "-", "_", "."; unique): the MQTT source and status page label.'),
    /**
     * The stream: rtsp://, http(s)://, a file path, or /dev/videoN. Needed by `footfall run`;
     * offline commands such as `footfall count` read the camera's geometry only.
     */
    url: nonEmptyString('a stream URL, file path or V4L2 device').optional().describe("The stream: rtsp://, http(s)://, a file path, or /dev/videoN. Needed by `footfall run`; offline commands such as `footfall count` read the camera's geometry only."),
    /** Run this camera (default true); false keeps its config but reads no stream. */
    enabled: bool().default(true).describe('Run this camera (default true); false keeps its config but reads no stream.'),
    /** Frames per second sampled from the stream for detection. */
    fps: numberBetween(0.1, 60).default(5).describe('Frames per second sampled from the stream for detection.'),
    /** Loop a file source (demos). */
    loop: bool().default(false).describe('Loop a file source (demos).'),
    /** Seconds without a frame before the stream counts as stalled and restarts. */
    stallTimeoutS: numberBetween(1, 600).default(15).describe('Seconds without a frame before the stream counts as stalled and restarts.'),
    /** RTSP transport; TCP survives lossy networks and NAT better than UDP. */
    rtspTransport: oneOf(['tcp', 'udp']).default('tcp').describe('RTSP transport; TCP survives lossy networks and NAT better than UDP.'),
    /** Longest wait between reconnect attempts (exponential backoff with jitter up to this). */
    maxBackoffS: numberBetween(1, 3600).default(30).describe('Longest wait between reconnect attempts (exponential backoff with jitter up to this).'),
    /** Frame width and height of the stream in pixels, when known: lines, zones and queues are then checked to lie inside the frame. */
    width: intBetween(1, 16_384).optional().describe('Frame width and height of the stream in pixels, when known: lines, zones and queues are then checked to lie inside the frame.'),
    /** Frame height in pixels, when known (see width). */
    height: intBetween(1, 16_384).optional().describe('Frame height in pixels, when known (see width).'),
    /** Polygons (source pixels) where motion is ignored by the motion gate: screens, escalators, glass doors. */
    motionMask: z
      .array(z.array(point()).min(3, { error: 'a mask polygon needs at least 3 points' }))
      .default([])
      .describe('Polygons (source pixels) where motion is ignored by the motion gate: screens, escalators, glass doors.'),
    calibration: calibrationSchema.optional().describe("The camera's mapping onto the floor plan (metres): `points` (>= 4 pairs [u, v, x, y] of image pixel and floor position) or a camera model `K`, `R`, `T` (UCMCTrack's cam_para form). With it the camera tracks and counts on the floor: line bands in metres, speeds in m/s."),
    ...cameraAnalyticsFields,
  })
  .strict()
  .superRefine(checkGeometryInFrame)
  .superRefine(checkCalibration);

/** One camera's validated config (defaults applied). */
export type CameraConfig = z.output<typeof cameraSchema>;

export const camerasSection = z.array(cameraSchema).max(CONFIG_LIMITS.cameras).superRefine(uniqueNames('camera', 'cameras')).default([]);

/**
 * `footfall run` reads every enabled camera, so each needs a url (offline commands do not):
 * throws CONFIG_INVALID naming the first camera without one.
 */
export function requireStreamUrls<T extends { name: string; enabled: boolean; url?: string | undefined }>(cameras: readonly T[], source: string): Array<T & { url: string }> {
  cameras.forEach((c, i) => {
    if (c.enabled && !c.url) {
      throw new FootfallError('CONFIG_INVALID', `${source}: cameras[${i}].url: camera "${c.name}" needs a stream URL, file path or V4L2 device to run (offline commands such as footfall count do without)`);
    }
  });
  return cameras as Array<T & { url: string }>;
}
