// Config of the person detector (edge/detect) and the model loader (models/).
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { bool, intBetween, nonEmptyString, numberBetween, oneOf } from '../fields.ts';

/**
 * The default: the shipped static int8 PicoDet-S 416 (#25; `footfall bench int8`: same person
 * AP50 as float on TUD-Campus and PETS09-S2L1, session.run 1.4x faster with 1 thread, 1.2x with 2).
 */
const DEFAULT_MODEL = 'picodet_s_416_coco_int8';
/** The shipped float model it was made from: what the detector falls back to. */
const FLOAT_MODEL = 'picodet_s_416_coco';

/** Sparse detection defaults (#25), chosen on the tuning half of scripts/accuracy/splits.json (`footfall bench accuracy -- --only sparse`). */
const SPARSE_DEFAULT: 'auto' | 'off' = 'auto';
const DETECT_EVERY_DEFAULT = 2;
const SPARSE_SPEED_DEFAULT = 1.5;
const SPARSE_NEW_TRACK_MS_DEFAULT = 1000;

export const detectorSection = z
  .object({
    /**
     * A model name from the manifest (`footfall models`) or a path to an .onnx file. Default
     * `picodet_s_416_coco_int8`; `picodet_s_416_coco` is the float model (it stands in, and health
     * says so, when the int8 file is missing, altered or cannot be opened).
     */
    model: nonEmptyString('a model name or path')
      .default(DEFAULT_MODEL)
      .describe('A model name from the manifest (`footfall models`) or a path to an .onnx file. Default picodet_s_416_coco_int8 (static int8); picodet_s_416_coco is the float model it falls back to.'),
    /** Extra directories searched for model files, before ./models, the models shipped in the repository and ../shared/models. */
    modelDirs: z.array(z.string()).default([]).describe('Extra directories searched for model files, before ./models, the models shipped in the repository and ../shared/models.'),
    /**
     * Inference workers, each a thread with its own onnxruntime session: `auto` is one per core
     * (at most 8). Several 1-thread sessions run more inferences per second than one session
     * with the same threads (`footfall bench capacity --sustained`: throughput, not latency).
     */
    workers: z
      .union([z.literal('auto'), intBetween(1, 16)], { error: 'must be "auto" or a whole number between 1 and 16' })
      .default('auto')
      .describe('Inference workers, each a thread with its own onnxruntime session: auto (default) is one per core, at most 8.'),
    /** onnxruntime intra-op threads per worker; default 1 with several workers, 2 with one. */
    threads: intBetween(1, 64).optional().describe('onnxruntime intra-op threads per worker; default 1 with several workers, 2 with one.'),
    /**
     * Let onnxruntime's worker threads spin while waiting. Off by default: on a small box
     * shared with ffmpeg decoders, spinning burns the cores the decoders need (measured
     * 2-3x slower inference under load with 2 threads); turn on for a dedicated machine.
     */
    spinThreads: bool().default(false).describe("Let onnxruntime's worker threads spin while waiting. Off by default: on a small box shared with ffmpeg decoders, spinning burns the cores the decoders need (measured 2-3x slower inference under load with 2 threads); turn on for a dedicated machine."),
    /** Person score threshold; default depends on the model family. */
    scoreThreshold: numberBetween(0, 1).optional().describe('Person score threshold; default depends on the model family.'),
    /** Low floor kept for the tracker's second association stage. */
    lowScoreFloor: numberBetween(0, 1).default(0.1).describe("Low floor kept for the tracker's second association stage."),
    /** NMS IoU; defaults to the model family's own (0.5 PicoDet, 0.45 YOLOX/FastestDet). */
    nmsIou: numberBetween(0.05, 0.95).optional().describe("NMS IoU; defaults to the model family's own (0.5 PicoDet, 0.45 YOLOX/FastestDet)."),
    /** Frames waiting per camera before the oldest is dropped (inference behind). */
    queueDepthPerCamera: intBetween(1, 16).default(2).describe('Frames waiting per camera before the oldest is dropped (inference behind).'),
    /**
     * Motion gate: `auto` runs the detector only on frames with motion (outside each camera's
     * `motionMask`) or live tracks, plus a full frame every `fullFrameEveryS`; `off` detects on
     * every frame. `footfall bench capacity` measured identical counts and MOTA/IDF1 both ways
     * on PETS09-S2L1 and TUD-Campus, and many more cameras per box on idle scenes.
     */
    motionGate: oneOf(['auto', 'off'])
      .default('auto')
      .describe('Motion gate: auto (default) runs the detector only on frames with motion (outside each camera\'s motionMask) or live tracks, plus a full frame every fullFrameEveryS; off detects on every frame.'),
    /** With the gate on: seconds between full-frame detections, which catch people standing still. */
    fullFrameEveryS: numberBetween(0.2, 600).default(5).describe('With the gate on: seconds between full-frame detections, which catch people standing still (0.2-600, default 5).'),
    /** With the gate on: grey-level change (0-255, after light compensation) that counts as motion. */
    motionThreshold: intBetween(2, 255).default(20).describe('With the gate on: grey-level change (2-255, after light compensation) that counts as motion (default 20).'),
    /**
     * Sparse detection (#25): `auto` runs the detector every frame only where something depends
     * on it (a track near a counting line, zone or queue edge; a new, tentative or recently lost
     * track; motion no track covers, with the motion gate on) and every `detectEveryFrames`th
     * frame elsewhere; the tracker predicts the frames in between. `off` detects every frame that
     * passes the motion gate. BENCHMARKS.md "Detect less often (#25)" has the measured effect.
     */
    sparseDetection: oneOf(['auto', 'off'])
      .default(SPARSE_DEFAULT)
      .describe(`Sparse detection: auto runs the detector every frame only where something depends on it (tracks near a line, zone or queue edge; new, tentative or recently lost tracks; motion no track covers) and every detectEveryFrames-th frame elsewhere, the tracker predicting the rest; off detects every frame that passes the motion gate (default ${SPARSE_DEFAULT}).`),
    /** With sparse detection: detect at least every this many frames (1 = every frame). */
    detectEveryFrames: intBetween(1, 10).default(DETECT_EVERY_DEFAULT).describe(`With sparse detection: detect at least every this many frames (1-10, default ${DETECT_EVERY_DEFAULT}; 1 = every frame).`),
    /**
     * With sparse detection: the fastest a person moves, in box heights per second; tracks whose
     * foot point is within (this x the time to the next forced detection) box heights of a line or
     * zone edge (plus 8 px) are detected every frame.
     */
    sparseSpeedBoxHeightsPerS: numberBetween(0, 20)
      .default(SPARSE_SPEED_DEFAULT)
      .describe(`With sparse detection: the fastest a person moves, in box heights per second (walking 1.4 m/s is about 0.8); tracks whose foot point is within this speed x the time to the next forced detection (plus 8 px) of a line, zone or queue edge are detected every frame (0-20, default ${SPARSE_SPEED_DEFAULT}).`),
    /** With sparse detection: confirmed tracks younger than this (ms) are detected every frame. */
    sparseNewTrackMs: intBetween(0, 60_000).default(SPARSE_NEW_TRACK_MS_DEFAULT).describe(`With sparse detection: confirmed tracks younger than this (ms) are detected every frame (0-60000, default ${SPARSE_NEW_TRACK_MS_DEFAULT}).`),
  })
  .strict();

/** The detector section as validated (defaults applied). */
export type DetectorConfig = z.output<typeof detectorSection>;

/** The model and session shape the detector falls back to when the configured pool cannot run. */
export const FALLBACK_DETECTOR = { model: FLOAT_MODEL, workers: 1, threads: 2 } as const;

/** The inference pool a detector config asks for: workers (auto: one per core, at most 8) and threads per worker. */
export function detectorPoolOf(d: Pick<DetectorConfig, 'workers' | 'threads'>, cores = availableParallelism()): { workers: number; threads: number } {
  const workers = d.workers === 'auto' ? Math.max(1, Math.min(8, cores)) : d.workers;
  return { workers, threads: d.threads ?? (workers > 1 ? 1 : 2) };
}
