// A model's detections of a fixture video (every frame, boxes >= 0.1), made once per model by
// `footfall detect --video` (the product's own path) and cached as a MOT det file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMotFile, type MotTable } from '../../edge/track/eval/index.ts';
import { VIDEO_DIR } from './splits.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where `bench accuracy` and `bench int8` keep the cached detections (unless --det-cache says). */
export const DEFAULT_DET_CACHE = join(ROOT, 'data', 'cache', 'accuracy');

/** `video` (a file in ../shared/fixtures/video) detected by `model`; null when the video is absent. */
export function videoDetections(video: string, model: string, cacheDir: string, log: (line: string) => void): MotTable | null {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `${video.replace(/\.[^.]+$/, '')}.${model.replace(/[^A-Za-z0-9_.-]/g, '_')}.det.txt`);
  if (!existsSync(path)) {
    const src = join(VIDEO_DIR, video);
    if (!existsSync(src)) return null;
    log(`detecting people in ${video} with ${model} (once; cached in ${path})`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'footfall.js'), 'detect', '--video', src, '--model', model, '--det-out', path, '--floor', '0.1'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`footfall detect --video ${src} --model ${model} failed (exit ${r.status})`);
  }
  return readMotFile(path);
}
