// The frame geometry a detection model wants its input in, from the model manifest. The agent
// hands it to the camera stage, so ffmpeg scales and pads frames once, to the model's size.
import { findManifestEntry } from '../../models/index.ts';
import type { FrameGeometry } from '../camera/index.ts';
import type { FootfallConfig } from '../config/index.ts';

/** The frame geometry the configured detector model wants (its manifest entry, else 640 letterbox). */
export function frameGeometryFor(detector: Pick<FootfallConfig['detector'], 'model'>): FrameGeometry {
  const info = findManifestEntry(detector.model);
  if (info) return { width: info.inputWidth, height: info.inputHeight, resize: info.preprocess.resize, padValue: info.preprocess.padValue };
  // A user's own YOLOv8-style export: the usual 640 letterbox; the detector resamples if its input differs.
  return { width: 640, height: 640, resize: 'letterbox-center', padValue: 114 };
}
