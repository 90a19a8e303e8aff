// Messages between WorkerPersonDetector (main thread) and inference-worker.ts.
import type { FootfallErrorCode } from '../shared/errors.ts';
import type { ModelInfo } from '../../models/index.ts';

export type WorkerRequest =
  | { type: 'detect'; width: number; height: number; sourceWidth: number; sourceHeight: number; minScore: number; pixels?: SharedArrayBuffer }
  | { type: 'close' }
  /** Fault tests: die of an uncaught error, as a crashing worker would. */
  | { type: 'crash' };

export type WorkerReply =
  | { type: 'ready'; info: ModelInfo; path: string; modelFallback: string | null; scoreThreshold: number; pixels: SharedArrayBuffer; boxes: SharedArrayBuffer; scores: SharedArrayBuffer }
  | { type: 'error'; code: FootfallErrorCode; message: string }
  | { type: 'result'; count: number; preprocessMs: number; inferenceMs: number; postprocessMs: number }
  | { type: 'failed'; message: string };
