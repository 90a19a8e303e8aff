// Real input for the status stage in tests: frames of the shared PETS09-S2L1 clip decoded
// by ffmpeg into the camera stage's layout (640x640 rgb24, centred grey letterbox), and
// the clip's ground-truth boxes and ids as the detect and track frames of the same moments.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventBus } from '../../shared/event-bus.ts';

export const SHARED_DIR = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const PETS_VIDEO = `${SHARED_DIR}fixtures/video/pets09-s2l1.mp4`;
export const PETS_GT = `${SHARED_DIR}fixtures/mot/PETS09-S2L1/gt.txt`;
export const SOURCE_W = 768;
export const SOURCE_H = 576;
export const MODEL_SIZE = 640;

export interface PetsFrames {
  frames: Buffer[];
  /** Per frame: [id, x, y, w, h] ground-truth persons. */
  boxes: Array<Array<[number, number, number, number, number]>>;
}

/** Decodes the first `count` frames letterboxed like the camera stage does. */
export function decodePetsFrames(count: number): PetsFrames {
  if (!existsSync(PETS_VIDEO)) throw new Error(`shared fixture missing: ${PETS_VIDEO}`);
  const run = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', PETS_VIDEO, '-frames:v', String(count), '-vf', 'scale=640:640:flags=bilinear:force_original_aspect_ratio=decrease,pad=640:640:(ow-iw)/2:(oh-ih)/2:color=0x727272', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error) throw new Error(`ffmpeg is needed for this test (apt-get install -y ffmpeg): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
  const size = MODEL_SIZE * MODEL_SIZE * 3;
  const frames: Buffer[] = [];
  for (let i = 0; i + size <= run.stdout.length; i += size) frames.push(run.stdout.subarray(i, i + size));
  const boxes: PetsFrames['boxes'] = frames.map(() => []);
  for (const line of readFileSync(PETS_GT, 'utf8').split('\n')) {
    const f = line.split(',');
    const frame = Number(f[0]) - 1;
    if (!(frame >= 0 && frame < frames.length) || f[6] === '0') continue;
    boxes[frame]!.push([Number(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])]);
  }
  return { frames, boxes };
}

/** Emits frame `i` (mod count) as camera, detect and track frames on the bus. */
export function emitPetsFrame(bus: EventBus, camera: string, pets: PetsFrames, i: number, tsMs: number): void {
  const k = i % pets.frames.length;
  const persons = pets.boxes[k]!;
  const n = persons.length;
  const boxes = new Float32Array(n * 4);
  const ids = new Int32Array(n);
  const scores = new Float32Array(n);
  persons.forEach(([id, x, y, w, h], j) => {
    boxes.set([x, y, w, h], j * 4);
    ids[j] = id;
    scores[j] = 0.9;
  });
  bus.emit('camera.frame', { camera, tsMs, frameIndex: i, sourceWidth: SOURCE_W, sourceHeight: SOURCE_H, width: MODEL_SIZE, height: MODEL_SIZE, data: pets.frames[k]! });
  bus.emit('detect.frame', { camera, tsMs, frameIndex: i, width: SOURCE_W, height: SOURCE_H, count: n, boxes, scores });
  bus.emit('track.frame', { camera, tsMs, count: n, ids, boxes, endedCount: 0, endedIds: new Int32Array(0) });
}
