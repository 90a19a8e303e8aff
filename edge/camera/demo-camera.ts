// The embedded default camera of `footfall run`: OpenCV's vtest.avi (PETS09-S2L1 footage,
// installed by Debian's opencv-doc package), looped as if it were a live camera.
import { existsSync } from 'node:fs';
import { cameraSchema, type CameraConfig } from '../config/index.ts';

export const DEMO_VIDEO_PATH = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

export type DemoCameraResult = { camera: CameraConfig; reason: null } | { camera: null; reason: string };

/** The demo camera config, or null with a reason (and the fix) when the video is missing. */
export function defaultDemoCamera(path = DEMO_VIDEO_PATH): DemoCameraResult {
  if (!existsSync(path)) {
    return {
      camera: null,
      reason: `demo video ${path} is missing; install it with "apt-get install opencv-doc" or configure a camera under "cameras:"`,
    };
  }
  // vtest.avi is 10 fps: take every frame, which the tracker likes better than 5 fps.
  return { camera: cameraSchema.parse({ name: 'demo', url: path, loop: true, fps: 10 }), reason: null };
}
