// Runs a PersonDetector inside a worker thread. onnxruntime-node's session.run keeps the
// calling thread busy for the whole inference (measured: event-loop delay p50 ~ run time),
// so the agent's main thread, which serves HTTP and MQTT, must not call it. Pixels and
// results travel through SharedArrayBuffers allocated once; messages carry only sizes.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, isFootfallError } from '../shared/errors.ts';
import { PersonDetector, type PersonDetectorOptions } from './person-detector.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';

const port = parentPort!;
const options = workerData as PersonDetectorOptions;

let detector: PersonDetector;
try {
  detector = await PersonDetector.load(options);
} catch (err) {
  port.postMessage({ type: 'error', code: isFootfallError(err) ? err.code : 'MODEL_INVALID', message: errorMessage(err) } satisfies WorkerReply);
  process.exit(0);
}
const maxKeep = detector.result.scores.length;
let pixelsSab = new SharedArrayBuffer(detector.inputWidth * detector.inputHeight * 3);
let pixels = new Uint8Array(pixelsSab);
const boxesSab = new SharedArrayBuffer(maxKeep * 4 * 4);
const scoresSab = new SharedArrayBuffer(maxKeep * 4);
const boxes = new Float32Array(boxesSab);
const scores = new Float32Array(scoresSab);
port.postMessage({
  type: 'ready',
  info: detector.info,
  path: detector.path,
  modelFallback: detector.modelFallback,
  scoreThreshold: detector.scoreThreshold,
  pixels: pixelsSab,
  boxes: boxesSab,
  scores: scoresSab,
} satisfies WorkerReply);

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    void detector.close().finally(() => process.exit(0));
    return;
  }
  if (msg.type === 'crash') throw new Error('inference worker crashed on request (fault test)');
  if (msg.pixels) {
    pixelsSab = msg.pixels;
    pixels = new Uint8Array(pixelsSab);
  }
  detector
    .detect(pixels, msg.width, msg.height, msg.sourceWidth, msg.sourceHeight, msg.minScore)
    .then((r) => {
      boxes.set(r.boxes.subarray(0, r.count * 4));
      scores.set(r.scores.subarray(0, r.count));
      const t = detector.timings;
      port.postMessage({ type: 'result', count: r.count, preprocessMs: t.preprocessMs, inferenceMs: t.inferenceMs, postprocessMs: t.postprocessMs } satisfies WorkerReply);
    })
    .catch((err: unknown) => port.postMessage({ type: 'failed', message: errorMessage(err) } satisfies WorkerReply));
});
