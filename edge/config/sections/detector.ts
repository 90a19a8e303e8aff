// Config of the person detector (edge/detect) and the model loader (models/).
import { z } from 'zod';
import { intBetween, nonEmptyString, numberBetween } from '../fields.ts';

export const detectorSection = z
  .object({
    /** A model name from the manifest (`footfall models`) or a path to an .onnx file. */
    model: nonEmptyString('a model name or path').default('picodet_s_416_coco'),
    /** Extra directories searched for model files, before ./models and ../shared/models. */
    modelDirs: z.array(z.string()).default([]),
    /** onnxruntime intra-op threads. */
    threads: intBetween(1, 64).default(2),
    /** Person score threshold; default depends on the model family. */
    scoreThreshold: numberBetween(0, 1).optional(),
    /** Low floor kept for the tracker's second association stage. */
    lowScoreFloor: numberBetween(0, 1).default(0.1),
    nmsIou: numberBetween(0.05, 0.95).default(0.5),
  })
  .strict();
