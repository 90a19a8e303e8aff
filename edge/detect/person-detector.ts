// One ONNX session for one model: preprocess (TensorWriter) -> session.run (async, off
// the event loop) -> family decoder -> greedy NMS -> boxes in source pixels. All buffers
// are allocated once; one detect() at a time per instance.
import './ort-privacy.ts';
import ort from 'onnxruntime-node';
import { customYolov8Info, openModelOrFallback, type ModelInfo, type ModelSearchOptions } from '../../models/index.ts';
import { FootfallError, errorMessage } from '../shared/errors.ts';
import { createDecoder, Candidates, type BoxDecoder } from './decoders/index.ts';
import { inputMapping, type InputMapping } from './geometry.ts';
import { GreedyNms } from './nms.ts';
import { TensorWriter } from './preprocess.ts';

export interface PersonDetectorOptions extends ModelSearchOptions {
  /** Manifest name or path to an .onnx file. */
  model: string;
  /** onnxruntime intra-op threads. */
  threads?: number;
  /** Let onnxruntime threads spin-wait (faster on an idle dedicated box, wasteful when shared). */
  spinThreads?: boolean;
  /** "Is a person" threshold; defaults to the model's own. */
  scoreThreshold?: number;
  nmsIou?: number;
  /** Most boxes kept per frame after NMS. */
  maxDetections?: number;
}

/** Detections of the last frame, boxes x, y, w, h in source pixels; reused per call. */
export interface DetectionResult {
  count: number;
  boxes: Float32Array;
  scores: Float32Array;
}

export interface DetectTimings {
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

export class PersonDetector {
  readonly result: DetectionResult;
  readonly timings: DetectTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly scoreThreshold: number;
  readonly nmsIou: number;
  readonly writer: TensorWriter;
  private readonly tensor: ort.Tensor;
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly outputs: Float32Array[];
  private readonly candidates: Candidates;
  private readonly nms: GreedyNms;
  private mapping: InputMapping | null = null;
  private mapW = 0;
  private mapH = 0;
  private busy = false;
  private closed = false;

  private constructor(
    readonly info: ModelInfo,
    readonly path: string,
    private readonly session: ort.InferenceSession,
    private readonly decoder: BoxDecoder,
    options: PersonDetectorOptions,
    /** Why this detector runs another model than `options.model` (an int8 model fell back to float); else null. */
    readonly modelFallback: string | null = null,
  ) {
    this.inputWidth = info.inputWidth;
    this.inputHeight = info.inputHeight;
    this.scoreThreshold = options.scoreThreshold ?? info.defaultScoreThreshold;
    this.nmsIou = options.nmsIou ?? info.defaultNmsIou;
    this.writer = new TensorWriter(info.inputWidth, info.inputHeight, info.preprocess);
    this.tensor = new ort.Tensor('float32', this.writer.data, [1, 3, info.inputHeight, info.inputWidth]);
    this.feeds = { [session.inputNames[0]!]: this.tensor };
    this.outputs = session.outputNames.map(() => new Float32Array(0));
    this.candidates = new Candidates(decoder.capacity);
    const maxKeep = Math.min(decoder.capacity, options.maxDetections ?? 300);
    this.nms = new GreedyNms(decoder.capacity);
    this.maxKeep = maxKeep;
    this.result = { count: 0, boxes: new Float32Array(maxKeep * 4), scores: new Float32Array(maxKeep) };
  }

  private readonly maxKeep: number;

  /**
   * Finds, verifies and opens the model; throws MODEL_NOT_FOUND / MODEL_INVALID. A model with a
   * float fallback in the manifest (the int8 PicoDet) that is missing, does not verify or does not
   * open runs as that float model instead, and `modelFallback` says why.
   */
  static async load(options: PersonDetectorOptions): Promise<PersonDetector> {
    const { resolved, value: session } = await openModelOrFallback(options.model, options, (r) => openSession(r.path, options));
    try {
      const inputShape = tensorShape(session.inputMetadata[0]);
      const outputShapes = session.outputMetadata.map((m) => tensorShape(m));
      let info = resolved.info;
      if (!info) {
        const [, channels, h, w] = inputShape;
        const out = outputShapes[0];
        if (inputShape.length !== 4 || channels !== 3 || !(h! > 0) || !(w! > 0) || outputShapes.length !== 1 || !out || out.length !== 3 || !(out[1]! > 4)) {
          throw new FootfallError(
            'MODEL_INVALID',
            `model ${resolved.path} is not in the manifest and does not look like a YOLOv8-style export (input [1,3,H,W], output [1,4+C,N]): input ${JSON.stringify(inputShape)}, outputs ${JSON.stringify(outputShapes)}`,
          );
        }
        info = customYolov8Info(resolved.path, w!, h!, out[1]! - 4);
      } else if (inputShape.length === 4 && (inputShape[2] !== info.inputHeight || inputShape[3] !== info.inputWidth)) {
        throw new FootfallError('MODEL_INVALID', `model ${resolved.path} has input ${JSON.stringify(inputShape)}, the manifest says ${info.inputWidth}x${info.inputHeight}`);
      }
      const decoder = createDecoder(info.decoder, outputShapes, info.inputWidth, info.inputHeight, info.classes, info.personClass);
      return new PersonDetector(info, resolved.path, session, decoder, options, resolved.fallbackReason);
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
  }

  /** Fills the input tensor from rgb24 pixels (frame size may differ from the input size). */
  preprocess(pixels: Uint8Array, frameWidth: number, frameHeight: number): void {
    const t0 = performance.now();
    this.writer.write(pixels, frameWidth, frameHeight);
    this.timings.preprocessMs = performance.now() - t0;
  }

  /** Runs the session on the current input tensor; the raw outputs stay in `outputs`. */
  async infer(): Promise<void> {
    if (this.closed) throw new FootfallError('INTERNAL', 'detector is closed');
    const t0 = performance.now();
    const res = await this.session.run(this.feeds);
    const names = this.session.outputNames;
    for (let i = 0; i < names.length; i++) this.outputs[i] = res[names[i]!]!.data as Float32Array;
    this.timings.inferenceMs = performance.now() - t0;
  }

  /** Decodes the last outputs into `result` for a source frame of the given size. */
  postprocess(sourceWidth: number, sourceHeight: number, minScore: number): DetectionResult {
    const t0 = performance.now();
    const c = this.candidates;
    c.count = 0;
    this.decoder.decode(this.outputs, minScore, c);
    const kept = this.nms.run(c, this.nmsIou, this.maxKeep);
    if (!this.mapping || this.mapW !== sourceWidth || this.mapH !== sourceHeight) {
      this.mapping = inputMapping(this.info.preprocess.resize, sourceWidth, sourceHeight, this.inputWidth, this.inputHeight);
      this.mapW = sourceWidth;
      this.mapH = sourceHeight;
    }
    const m = this.mapping;
    const r = this.result;
    for (let k = 0; k < kept; k++) {
      const i = this.nms.kept[k]!;
      const o = i * 4;
      const x1 = clamp((c.boxes[o]! - m.padX) / m.scaleX, sourceWidth);
      const y1 = clamp((c.boxes[o + 1]! - m.padY) / m.scaleY, sourceHeight);
      const x2 = clamp((c.boxes[o + 2]! - m.padX) / m.scaleX, sourceWidth);
      const y2 = clamp((c.boxes[o + 3]! - m.padY) / m.scaleY, sourceHeight);
      r.boxes[k * 4] = x1;
      r.boxes[k * 4 + 1] = y1;
      r.boxes[k * 4 + 2] = x2 - x1;
      r.boxes[k * 4 + 3] = y2 - y1;
      r.scores[k] = c.scores[i]!;
    }
    r.count = kept;
    this.timings.postprocessMs = performance.now() - t0;
    return r;
  }

  /**
   * Full pass on rgb24 pixels (at the input size as ffmpeg delivers them, or any size):
   * person boxes with score >= minScore in source pixels. One call at a time.
   */
  async detect(
    pixels: Uint8Array,
    frameWidth: number,
    frameHeight: number,
    sourceWidth = frameWidth,
    sourceHeight = frameHeight,
    minScore = this.scoreThreshold,
  ): Promise<DetectionResult> {
    if (this.busy) throw new FootfallError('INTERNAL', 'PersonDetector.detect called while a frame is in flight');
    this.busy = true;
    try {
      this.preprocess(pixels, frameWidth, frameHeight);
      await this.infer();
      return this.postprocess(sourceWidth, sourceHeight, minScore);
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

async function openSession(path: string, options: PersonDetectorOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      intraOpNumThreads: options.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // PicoDet prints ~150 harmless "initializer in graph inputs" warnings otherwise.
      logSeverityLevel: 3,
      extra: options.spinThreads ? {} : { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new FootfallError('MODEL_INVALID', `cannot load model ${path}: ${errorMessage(err).split('\n')[0]}`, { cause: err });
  }
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}

function tensorShape(meta: ort.InferenceSession.ValueMetadata | undefined): number[] {
  if (!meta || !meta.isTensor) return [];
  return meta.shape.map((d) => (typeof d === 'number' ? d : -1));
}
