// The person detector behind a worker thread, with the same detect() contract as
// PersonDetector: pixels are copied synchronously (the caller may reuse its buffer as
// soon as detect() returns its promise), results come back in shared, reused arrays.
import { Worker } from 'node:worker_threads';
import type { ModelInfo } from '../../models/index.ts';
import { FootfallError } from '../shared/errors.ts';
import type { DetectionResult, DetectTimings, PersonDetectorOptions } from './person-detector.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';

const BOOT = new URL('./inference-worker-boot.mjs', import.meta.url);

export class WorkerPersonDetector {
  readonly result: DetectionResult;
  readonly timings: DetectTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  readonly inputWidth: number;
  readonly inputHeight: number;
  private pixels: Uint8Array;
  private pending: { resolve: (r: DetectionResult) => void; reject: (e: Error) => void } | null = null;
  private dead: string | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    ready: Extract<WorkerReply, { type: 'ready' }>,
  ) {
    this.info = ready.info;
    this.path = ready.path;
    this.modelFallback = ready.modelFallback;
    this.scoreThreshold = ready.scoreThreshold;
    this.inputWidth = ready.info.inputWidth;
    this.inputHeight = ready.info.inputHeight;
    this.pixels = new Uint8Array(ready.pixels);
    this.result = { count: 0, boxes: new Float32Array(ready.boxes), scores: new Float32Array(ready.scores) };
    worker.on('message', (m: WorkerReply) => this.onReply(m));
    worker.on('error', (err) => this.fail(`inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`inference worker exited (code ${code})`));
  }

  readonly info: ModelInfo;
  readonly path: string;
  /** Why the worker runs another model than asked (an int8 model fell back to float); else null. */
  readonly modelFallback: string | null;
  readonly scoreThreshold: number;

  /** Starts the worker and loads the model there; rejects with the loader's error code. */
  static load(options: PersonDetectorOptions): Promise<WorkerPersonDetector> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(BOOT, { workerData: { ...options } });
      const onMessage = (m: WorkerReply) => {
        cleanup();
        if (m.type === 'ready') resolve(new WorkerPersonDetector(worker, m));
        else if (m.type === 'error') {
          void worker.terminate();
          reject(new FootfallError(m.code, m.message));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new FootfallError('INTERNAL', `inference worker failed to start: ${err.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new FootfallError('INTERNAL', `inference worker exited (code ${code}) before the model was loaded`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
  }

  detect(pixels: Uint8Array, frameWidth: number, frameHeight: number, sourceWidth = frameWidth, sourceHeight = frameHeight, minScore = this.scoreThreshold): Promise<DetectionResult> {
    if (this.dead) return Promise.reject(new FootfallError('INTERNAL', this.dead));
    if (this.pending) return Promise.reject(new FootfallError('INTERNAL', 'WorkerPersonDetector.detect called while a frame is in flight'));
    const bytes = frameWidth * frameHeight * 3;
    if (pixels.length < bytes) return Promise.reject(new RangeError(`frame buffer holds ${pixels.length} bytes, ${frameWidth}x${frameHeight} rgb24 needs ${bytes}`));
    let replaced: SharedArrayBuffer | undefined;
    if (bytes > this.pixels.length) {
      replaced = new SharedArrayBuffer(bytes);
      this.pixels = new Uint8Array(replaced);
    }
    this.pixels.set(pixels.subarray(0, bytes));
    const msg: WorkerRequest = { type: 'detect', width: frameWidth, height: frameHeight, sourceWidth, sourceHeight, minScore, pixels: replaced };
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  private onReply(m: WorkerReply): void {
    const p = this.pending;
    if (m.type === 'result' && p) {
      this.pending = null;
      this.result.count = m.count;
      this.timings.preprocessMs = m.preprocessMs;
      this.timings.inferenceMs = m.inferenceMs;
      this.timings.postprocessMs = m.postprocessMs;
      p.resolve(this.result);
    } else if (m.type === 'failed' && p) {
      this.pending = null;
      p.reject(new FootfallError('INTERNAL', m.message));
    }
  }

  private fail(reason: string): void {
    if (this.closing) return;
    this.dead = reason;
    const p = this.pending;
    this.pending = null;
    p?.reject(new FootfallError('INTERNAL', reason));
  }

  /** Why the worker is gone (it crashed or exited), or null while it runs. */
  get failure(): string | null {
    return this.dead;
  }

  /**
   * Makes the worker thread die of an uncaught error after its current inference, as a crash
   * would (fault tests). Not worker.terminate(): terminating a thread inside onnxruntime-node's
   * session.run aborts the whole process (Napi::Error, measured).
   */
  crash(): void {
    this.worker.postMessage({ type: 'crash' } satisfies WorkerRequest);
  }

  /** Releases the session and ends the worker. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.dead) return resolve();
      const timer = setTimeout(() => void this.worker.terminate(), 5_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    });
    return this.closing;
  }
}
