// The embedded default camera of `footfall run`: OpenCV's vtest.avi (PETS09-S2L1 footage,
// installed by Debian's opencv-doc package), looped as if it were a live camera.
import { existsSync } from 'node:fs';
import { cameraSchema, type CameraConfig } from '../config/index.ts';

export const DEMO_VIDEO_PATH = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

export type DemoCameraResult = { camera: CameraConfig; reason: null } | { camera: null; reason: string };

/** The demo camera config, or null with a reason (and the fix) when the video is missing. */
/**
 * The demo camera's floor calibration (PETS09-S2L1 View_001, the scene of vtest.avi): image
 * pixels -> the PETS ground plane in metres. Six points of a homography fitted (DLT) to the
 * 4,426 ground-truth foot points of ../shared/fixtures/mot/PETS09-S2L1/gt.txt against their
 * world coordinates (columns 8-9); that fit's floor error is 2.5 cm median, 5 cm p90.
 */
export const DEMO_CALIBRATION_POINTS: Array<[number, number, number, number]> = [
  [100, 550, -20.07, -9.55],
  [668, 550, -16.77, -15.54],
  [600, 250, -4.71, -9.77],
  [170, 250, -8.8, -0.53],
  [384, 400, -14.4, -10.11],
  [384, 150, 4.24, 1.58],
];

export function defaultDemoCamera(path = DEMO_VIDEO_PATH): DemoCameraResult {
  if (!existsSync(path)) {
    return {
      camera: null,
      reason: `demo video ${path} is missing; install it with "apt-get install opencv-doc" or configure a camera under "cameras:"`,
    };
  }
  // vtest.avi is 10 fps: take every frame, which the tracker likes better than 5 fps.
  return { camera: cameraSchema.parse({ name: 'demo', url: path, loop: true, fps: 10, width: 768, height: 576, calibration: { points: DEMO_CALIBRATION_POINTS } }), reason: null };
}
