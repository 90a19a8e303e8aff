// Config of the person detector (edge/detect) and the model loader (models/).
import { z } from 'zod';
import { bool, intBetween, nonEmptyString, numberBetween, oneOf } from '../fields.ts';

export const detectorSection = z
  .object({
    /** A model name from the manifest (`footfall models`) or a path to an .onnx file. */
    model: nonEmptyString('a model name or path').default('picodet_s_416_coco'),
    /** Extra directories searched for model files, before ./models and ../shared/models. */
    modelDirs: z.array(z.string()).default([]),
    /** onnxruntime intra-op threads. */
    threads: intBetween(1, 64).default(2),
    /**
     * Let onnxruntime's worker threads spin while waiting. Off by default: on a small box
     * shared with ffmpeg decoders, spinning burns the cores the decoders need (measured
     * 2-3x slower inference under load with 2 threads); turn on for a dedicated machine.
     */
    spinThreads: bool().default(false),
    /** Person score threshold; default depends on the model family. */
    scoreThreshold: numberBetween(0, 1).optional(),
    /** Low floor kept for the tracker's second association stage. */
    lowScoreFloor: numberBetween(0, 1).default(0.1),
    /** NMS IoU; defaults to the model family's own (0.5 PicoDet, 0.45 YOLOX/FastestDet). */
    nmsIou: numberBetween(0.05, 0.95).optional(),
    /** Frames waiting per camera before the oldest is dropped (inference behind). */
    queueDepthPerCamera: intBetween(1, 16).default(2),
    /**
     * Motion gate: `auto` runs the detector only on frames with motion (outside each camera's
     * `motionMask`) or live tracks, plus a full frame every `fullFrameEveryS`; `off` detects on
     * every frame. `footfall bench capacity` measured identical counts and MOTA/IDF1 both ways.
     */
    motionGate: oneOf(['auto', 'off']).default('auto'),
    /** With the gate on: seconds between full-frame detections, which catch people standing still. */
    fullFrameEveryS: numberBetween(0.2, 600).default(5),
    /** With the gate on: grey-level change (0-255, after light compensation) that counts as motion. */
    motionThreshold: intBetween(2, 255).default(20),
  })
  .strict();
