// The manifest of detection models footfall knows: file, checksum, input geometry,
// preprocessing recipe and decoder family. Recipes follow ../shared/models/MODELS.md;
// the .onnx files themselves are never part of the repository.

/** How the source frame becomes the model input. */
export type ResizeMode =
  /** Whole frame stretched to the input size (aspect not kept). */
  | 'stretch'
  /** Scaled by min(inW/W, inH/H), placed at the top-left corner, rest filled with padValue. */
  | 'letterbox-topleft'
  /** Same scale, centred. */
  | 'letterbox-center';

export type DecoderFamily = 'picodet' | 'yolox' | 'fastestdet' | 'yolov8';

export interface PreprocessRecipe {
  resize: ResizeMode;
  /** Channel order of the tensor planes. */
  channels: 'rgb' | 'bgr';
  /** value = (pixel - mean[c]) / std[c], per tensor plane (in `channels` order). */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Pixel value (0-255) of letterbox padding. */
  padValue: number;
}

export interface ModelInfo {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
  inputWidth: number;
  inputHeight: number;
  /** Input and output are always float32 NCHW, batch 1, for the models we know. */
  layout: 'nchw';
  /** Arithmetic inside the graph: `int8` for a statically quantized (QDQ) model; absent = fp32. */
  precision?: 'fp32' | 'int8';
  /**
   * The float model with the same input, recipe and decoder that stands in when this one
   * cannot be used (file missing or not matching, or onnxruntime refuses it): see
   * `resolveModelOrFallback` in loader.ts.
   */
  floatFallback?: string;
  decoder: DecoderFamily;
  preprocess: PreprocessRecipe;
  /** Number of classes in the output and the person class index. */
  classes: number;
  personClass: number;
  /** Person score threshold for "is a person" (scores are not comparable across models). */
  defaultScoreThreshold: number;
  defaultNmsIou: number;
  /**
   * Tracker thresholds for this model's scores, used where the tracker config sets none
   * (scores are not comparable across models). Chosen on the tuning video of
   * scripts/accuracy/splits.json only; absent: the tracker's generic ones.
   */
  trackerThresholds?: { highScore: number; newTrackScore: number };
  license: string;
  sourceUrl: string;
  /** The file ships in the repository's models/ folder (its licence allows it; see NOTICE.md). */
  shipped: boolean;
  /** How to get the file, for the "model not found" message. */
  howToGet: string;
  note: string;
}

const IMAGENET_MEAN = [123.675, 116.28, 103.53] as const;
const IMAGENET_STD = [58.395, 57.12, 57.375] as const;
const SHIPPED_HINT = 'it ships in the repository (models/ beside manifest.ts); restore it with `git checkout -- models/` or copy it to ./models';
const SHARED_HINT = 'it ships in the shared models folder (../shared/models next to the repository); copy it to ./models or set detector.model to its path';

/** PicoDet-S 416, float: the shipped model the int8 default is made from and falls back to. */
const PICODET_S_416: ModelInfo = {
  name: 'picodet_s_416_coco',
  file: 'picodet_s_416_coco.onnx',
  sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2',
  bytes: 4_040_573,
  inputWidth: 416,
  inputHeight: 416,
  layout: 'nchw',
  decoder: 'picodet',
  preprocess: { resize: 'stretch', channels: 'rgb', mean: IMAGENET_MEAN, std: IMAGENET_STD, padValue: 0 },
  classes: 80,
  personClass: 0,
  defaultScoreThreshold: 0.5,
  defaultNmsIou: 0.5,
  // PETS09-S2L1 video (tuning): IDF1 64.6 -> 73.1 at MOTA 76.9 -> 76.6 against the generic 0.5 / 0.6.
  trackerThresholds: { highScore: 0.6, newTrackScore: 0.7 },
  license: 'Apache-2.0 (PaddleDetection weights)',
  sourceUrl: 'https://github.com/hpc203/picodet-onnxruntime/blob/dfe4d6cd0a18cd4126ee381e81df8a0b1e6ad97b/coco/picodet_s_416_coco.onnx',
  shipped: true,
  howToGet: SHIPPED_HINT,
  note: 'the float model: best person AP50 on our pedestrian footage; what the int8 default falls back to',
};

export const MODEL_MANIFEST: readonly ModelInfo[] = [
  PICODET_S_416,
  {
    ...PICODET_S_416,
    name: 'picodet_s_416_coco_int8',
    file: 'picodet_s_416_coco_int8.onnx',
    sha256: 'd73cbd124f75c68ab13fc32c6c1d676eab43698a175a90bfe6996a3fc410b066',
    bytes: 3_476_995,
    precision: 'int8',
    floatFallback: 'picodet_s_416_coco',
    // The float model's decoding and tracker thresholds (chosen on the PETS09-S2L1 tuning video); not re-tuned for int8.
    license: 'Apache-2.0 (derived from the PaddleDetection weights of picodet_s_416_coco)',
    sourceUrl: 'made in this repository by scripts/quantize/quantize_picodet.py from models/picodet_s_416_coco.onnx',
    howToGet: SHIPPED_HINT + '; or re-make it with scripts/quantize (README.md there)',
    note: 'default: static int8 (QDQ) of picodet_s_416_coco, calibrated on PETS09-S2L1 tuning frames; see NOTICE.md',
  },
  {
    name: 'picodet_s_320_coco',
    file: 'picodet_s_320_coco.onnx',
    sha256: 'd7852a1508b36bfc2739770ad52ff28bf81e219dc5c15dd7868d5ebdf007b6c8',
    bytes: 4_040_569,
    inputWidth: 320,
    inputHeight: 320,
    layout: 'nchw',
    decoder: 'picodet',
    preprocess: { resize: 'stretch', channels: 'rgb', mean: IMAGENET_MEAN, std: IMAGENET_STD, padValue: 0 },
    classes: 80,
    personClass: 0,
    defaultScoreThreshold: 0.5,
    defaultNmsIou: 0.5,
    license: 'Apache-2.0 (PaddleDetection weights)',
    sourceUrl: 'https://github.com/hpc203/picodet-onnxruntime/blob/dfe4d6cd0a18cd4126ee381e81df8a0b1e6ad97b/coco/picodet_s_320_coco.onnx',
    shipped: false,
    howToGet: SHARED_HINT,
    note: 'faster alternative, same decoder',
  },
  {
    name: 'yolox_nano',
    file: 'yolox_nano.onnx',
    sha256: 'd39bee73564e338080378b0ad567fbb40e818b55bbfaf971de82a0267ed16b8a',
    bytes: 3_713_911,
    inputWidth: 416,
    inputHeight: 416,
    layout: 'nchw',
    decoder: 'yolox',
    preprocess: { resize: 'letterbox-topleft', channels: 'bgr', mean: [0, 0, 0], std: [1, 1, 1], padValue: 114 },
    classes: 80,
    personClass: 0,
    defaultScoreThreshold: 0.5,
    defaultNmsIou: 0.45,
    license: 'Apache-2.0 (YOLOX weights; re-export from hamacom2004jp/iinfer, MIT)',
    sourceUrl: 'https://github.com/hamacom2004jp/iinfer/blob/c7f9a3c5216c6f8b3e8b35886f863dffa2dc0bf9/models/yolox_nano.onnx',
    shipped: false,
    howToGet: SHARED_HINT,
    note: 'fastest of the accurate ones; one output tensor',
  },
  {
    name: 'fastestdet-352',
    file: 'fastestdet-352.onnx',
    sha256: '31cb14c017fce347cb4c846ec62fdf00d76bb3beecdf4be21e7116ac67feb880',
    bytes: 998_169,
    inputWidth: 352,
    inputHeight: 352,
    layout: 'nchw',
    decoder: 'fastestdet',
    preprocess: { resize: 'stretch', channels: 'bgr', mean: [0, 0, 0], std: [255, 255, 255], padValue: 0 },
    classes: 80,
    personClass: 0,
    defaultScoreThreshold: 0.65,
    defaultNmsIou: 0.45,
    license: 'BSD-3-Clause (dog-qiuqiu/FastestDet)',
    sourceUrl: 'https://github.com/dog-qiuqiu/FastestDet/blob/50473cd155cb088aa4a99e64ff6a4b3c24fa07e1/example/onnx-runtime/FastestDet.onnx',
    shipped: false,
    howToGet: SHARED_HINT,
    note: 'tiny fallback and test double; scores run high',
  },
];

/** Recipe for a user's own Ultralytics-style export ([1, 4+C, N], letterboxed RGB /255). */
export function customYolov8Info(file: string, inputWidth: number, inputHeight: number, classes: number): ModelInfo {
  return {
    name: file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''),
    file,
    sha256: '',
    bytes: 0,
    inputWidth,
    inputHeight,
    layout: 'nchw',
    decoder: 'yolov8',
    preprocess: { resize: 'letterbox-center', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255], padValue: 114 },
    classes,
    personClass: 0,
    defaultScoreThreshold: 0.4,
    defaultNmsIou: 0.5,
    license: 'user supplied',
    sourceUrl: '',
    shipped: false,
    howToGet: 'user supplied file',
    note: 'YOLOv8/YOLO11-style export',
  };
}

export function findManifestEntry(nameOrFile: string): ModelInfo | undefined {
  const base = nameOrFile.replace(/^.*[\\/]/, '');
  return MODEL_MANIFEST.find((m) => m.name === nameOrFile || m.file === nameOrFile || m.file === base);
}
