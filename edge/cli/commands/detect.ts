// `footfall detect`: person detection on a still image (boxes, JSON, an annotated copy)
// or on a video file / stream URL written as MOTChallenge detections, so recorded
// footage becomes a tracker fixture.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { VideoDetectionSummary } from '../../detect/index.ts';
import { defineCommand, numberOption, UsageError, type CommandContext } from '../command.ts';

interface PersonBox {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

async function detectImage(ctx: CommandContext, file: string): Promise<number> {
  const { PersonDetector, loadImageForModel } = await import('../../detect/index.ts');
  const v = ctx.values;
  const threads = numberOption(v, 'threads', 2, 1, 64, true);
  const threshold = v.threshold === undefined ? undefined : numberOption(v, 'threshold', 0.5, 0, 1);
  const detector = await PersonDetector.load({ model: (v.model as string | undefined) ?? 'picodet_s_416_coco', cwd: ctx.cwd, threads, scoreThreshold: threshold });
  try {
    const path = resolve(ctx.cwd, file);
    const img = await loadImageForModel(path, detector.info);
    const r = await detector.detect(img.pixels, img.width, img.height, img.sourceWidth, img.sourceHeight);
    const persons: PersonBox[] = [];
    for (let i = 0; i < r.count; i++) {
      persons.push({ x: round1(r.boxes[i * 4]!), y: round1(r.boxes[i * 4 + 1]!), w: round1(r.boxes[i * 4 + 2]!), h: round1(r.boxes[i * 4 + 3]!), score: Number(r.scores[i]!.toFixed(4)) });
    }
    if (typeof v.out === 'string') await drawBoxes(path, resolve(ctx.cwd, v.out), persons);
    if (v.json) {
      ctx.stdout.write(
        `${JSON.stringify({
          image: path,
          model: detector.info.name,
          threshold: detector.scoreThreshold,
          width: img.sourceWidth,
          height: img.sourceHeight,
          count: persons.length,
          persons,
          timingsMs: {
            preprocess: round1(detector.timings.preprocessMs),
            inference: round1(detector.timings.inferenceMs),
            postprocess: round1(detector.timings.postprocessMs),
          },
        })}\n`,
      );
    } else {
      ctx.stdout.write(`${persons.length} person${persons.length === 1 ? '' : 's'} in ${file} (${img.sourceWidth}x${img.sourceHeight}, model ${detector.info.name}, threshold ${detector.scoreThreshold})\n`);
      for (const p of persons) ctx.stdout.write(`  score ${p.score.toFixed(3)}  x ${p.x} y ${p.y} w ${p.w} h ${p.h}\n`);
      if (typeof v.out === 'string') ctx.stdout.write(`annotated image: ${v.out}\n`);
    }
    return 0;
  } finally {
    await detector.close();
  }
}

async function drawBoxes(src: string, dest: string, persons: PersonBox[]): Promise<void> {
  const { default: sharp } = await import('sharp');
  const meta = await sharp(src).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const stroke = Math.max(2, Math.round(Math.min(w, h) / 300));
  const font = Math.max(12, Math.round(Math.min(w, h) / 40));
  const rects = persons
    .map(
      (p) =>
        `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#00ff66" stroke-width="${stroke}"/>` +
        `<text x="${p.x + stroke}" y="${Math.max(font, p.y - stroke)}" font-family="sans-serif" font-size="${font}" fill="#00ff66">${p.score.toFixed(2)}</text>`,
    )
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${rects}</svg>`);
  await sharp(src).composite([{ input: svg, top: 0, left: 0 }]).toFile(dest);
}

async function detectVideo(ctx: CommandContext, url: string): Promise<number> {
  const { PersonDetector, runVideoDetection } = await import('../../detect/index.ts');
  const { sourceKind } = await import('../../camera/index.ts');
  const { FootfallError } = await import('../../shared/errors.ts');
  const { existsSync } = await import('node:fs');
  const v = ctx.values;
  if (typeof v['det-out'] !== 'string') throw new UsageError('--det-out FILE is required with --video');
  const threads = numberOption(v, 'threads', 2, 1, 64, true);
  const floor = numberOption(v, 'floor', 0.1, 0, 1);
  const fps = v.fps === undefined ? undefined : numberOption(v, 'fps', 5, 0.1, 120);
  const input = sourceKind(url) === 'file' ? resolve(ctx.cwd, url) : url;
  if (sourceKind(url) === 'file' && !existsSync(input)) throw new FootfallError('FILE_NOT_FOUND', `video ${input} does not exist`);
  const detector = await PersonDetector.load({ model: (v.model as string | undefined) ?? 'picodet_s_416_coco', cwd: ctx.cwd, threads });
  const out = createWriteStream(resolve(ctx.cwd, v['det-out']));
  const log = ctx.logger.child({ module: 'detect-video' });
  let result: VideoDetectionSummary;
  try {
    result = await runVideoDetection({
      url: input,
      detector,
      logger: ctx.logger,
      fps,
      floor,
      stop: ctx.shutdownSignal,
      onResult: async (frameNo, r) => {
        let lines = '';
        for (let i = 0; i < r.count; i++) {
          const o = i * 4;
          lines += `${frameNo},-1,${r.boxes[o]!.toFixed(2)},${r.boxes[o + 1]!.toFixed(2)},${r.boxes[o + 2]!.toFixed(2)},${r.boxes[o + 3]!.toFixed(2)},${r.scores[i]!.toFixed(4)},-1,-1,-1\n`;
        }
        if (frameNo % 100 === 0) log.info({ frames: frameNo }, 'progress');
        if (lines && !out.write(lines)) await new Promise<void>((r2) => out.once('drain', () => r2()));
      },
    });
  } finally {
    await new Promise<void>((r) => out.end(r));
    await detector.close();
  }
  const { frames, boxes, endError, seconds } = result;
  if (endError && frames === 0) throw new FootfallError('SOURCE_FAILED', `cannot read video ${url}: ${endError}`);
  ctx.stdout.write(`${frames} frames, ${boxes} person boxes (score >= ${floor}) written to ${v['det-out']} in ${seconds.toFixed(1)} s (${(frames / seconds).toFixed(1)} frames/s, model ${detector.info.name})\n`);
  if (endError) ctx.stderr.write(`footfall detect: the video ended with an error after ${frames} frames: ${endError}\n`);
  return endError ? 1 : 0;
}

export default defineCommand({
  name: 'detect',
  summary: 'detect persons in an image, or write MOTChallenge detections for a video',
  usage: [
    'detect --image FILE [--model NAME|PATH] [--threshold S] [--json] [--out annotated.png]',
    'detect --video FILE|URL --det-out DET.txt [--model NAME|PATH] [--fps N] [--floor S]',
  ],
  options: {
    image: { type: 'string', valueName: 'FILE', description: 'a JPEG/PNG/WebP image' },
    video: { type: 'string', valueName: 'FILE|URL', description: 'a video file or stream URL (rtsp://, http://)' },
    model: { type: 'string', valueName: 'NAME|PATH', description: 'model name from `footfall models` or an .onnx path (default picodet_s_416_coco)' },
    threshold: { type: 'string', valueName: 'S', description: 'person score threshold for --image (default: the model\'s own, 0.5 for PicoDet)' },
    json: { type: 'boolean', description: 'print one JSON object (--image)' },
    out: { type: 'string', valueName: 'FILE', description: 'write the image with the boxes drawn (--image)' },
    'det-out': { type: 'string', valueName: 'FILE', description: 'MOTChallenge detections file to write (--video)' },
    fps: { type: 'string', valueName: 'N', description: 'sample N frames/s (--video; default every frame, frame numbers then count sampled frames)' },
    floor: { type: 'string', valueName: 'S', description: 'keep every box with score >= S (--video)', default: '0.1' },
    threads: { type: 'string', valueName: 'N', description: 'onnxruntime threads', default: '2' },
  },
  details:
    'MOT lines are frame,-1,x,y,w,h,score,-1,-1,-1 with 1-based frame numbers and boxes in source pixels.\n' +
    'Low-score boxes are kept on purpose: the tracker uses them in its second association stage.',
  async run(ctx) {
    const image = ctx.values.image as string | undefined;
    const video = ctx.values.video as string | undefined;
    if (image && video) throw new UsageError('give either --image or --video, not both');
    if (image) return detectImage(ctx, image);
    if (video) return detectVideo(ctx, video);
    throw new UsageError('--image FILE or --video FILE|URL is required');
  },
});
