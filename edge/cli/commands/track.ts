// `footfall track`: runs the tracker over MOTChallenge detections and writes MOTChallenge results.
import { resolve } from 'node:path';
import { defineCommand, numberOption, requireString, UsageError, type OptionSpec } from '../command.ts';

/** Tracker settings exposed as flags: flag name -> config key. */
const TRACKER_FLAGS: Record<string, { key: string; valueName: string; description: string }> = {
  'score-mapping': { key: 'scoreMapping', valueName: 'MODE', description: 'auto, identity, linear or rank (raw scores -> [0, 1])' },
  'score-min': { key: 'scoreMin', valueName: 'S', description: 'raw score mapped to 0 (linear mapping)' },
  'score-max': { key: 'scoreMax', valueName: 'S', description: 'raw score mapped to 1 (linear mapping)' },
  'high-score': { key: 'highScore', valueName: 'S', description: 'first-association score threshold (mapped score)' },
  'low-score': { key: 'lowScore', valueName: 'S', description: 'detections below this are dropped' },
  'new-track-score': { key: 'newTrackScore', valueName: 'S', description: 'score needed to start a track' },
  'match-iou': { key: 'matchIou', valueName: 'IOU', description: 'minimum IoU of the first association' },
  'low-match-iou': { key: 'lowMatchIou', valueName: 'IOU', description: 'minimum IoU of the low-score association' },
  'confirm-hits': { key: 'confirmHits', valueName: 'N', description: 'matches before a track is confirmed' },
  'max-lost-ms': { key: 'maxLostMs', valueName: 'MS', description: 'how long a lost track can be re-found' },
};

const trackerOptions: Record<string, OptionSpec> = Object.fromEntries(
  Object.entries(TRACKER_FLAGS).map(([flag, f]) => [flag, { type: 'string', valueName: f.valueName, description: f.description } satisfies OptionSpec]),
);

export default defineCommand({
  name: 'track',
  summary: 'track MOTChallenge detections (frame,-1,x,y,w,h,conf,...) into MOTChallenge results',
  usage: ['track --det DET.txt --out RES.txt [--fps N] [--width W --height H] [--calibration CAM_PARA.txt] [tracker options]'],
  options: {
    det: { type: 'string', valueName: 'FILE', description: 'MOTChallenge detections (any frame order, LF or CRLF)' },
    out: { type: 'string', valueName: 'FILE', description: 'results file to write (frame,id,x,y,w,h,conf,-1,-1,-1)' },
    fps: { type: 'string', valueName: 'N', description: 'frame rate of the sequence (frame times = (frame-1)/fps)', default: '30' },
    width: { type: 'string', valueName: 'W', description: 'image width; boxes are clipped to it when given' },
    height: { type: 'string', valueName: 'H', description: 'image height; boxes are clipped to it when given' },
    calibration: { type: 'string', valueName: 'FILE', description: 'track on the floor with this camera calibration (UCMCTrack cam_para: RotationMatrices, TranslationVectors in mm, IntrinsicMatrix)' },
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'take the tracker section of this footfall.yaml as the base settings' },
    ...trackerOptions,
  },
  details: 'Flags override the config file, which overrides the defaults (see `footfall config-schema`, section "tracker").',
  async run(ctx) {
    const detPath = resolve(ctx.cwd, requireString(ctx.values, 'det'));
    const outPath = resolve(ctx.cwd, requireString(ctx.values, 'out'));
    const fps = numberOption(ctx.values, 'fps', 30, 0.01, 1000);
    const width = numberOption(ctx.values, 'width', 0, 1, 100_000);
    const height = numberOption(ctx.values, 'height', 0, 1, 100_000);
    if ((width > 0) !== (height > 0)) throw new UsageError('--width and --height go together');
    const { trackerSection } = await import('../../config/index.ts');
    let base: Record<string, unknown> = {};
    if (typeof ctx.values.config === 'string') {
      const { loadConfig } = await import('../../config/index.ts');
      base = { ...loadConfig({ file: ctx.values.config, env: ctx.env, cwd: ctx.cwd }).config.tracker };
    }
    for (const [flag, f] of Object.entries(TRACKER_FLAGS)) {
      const raw = ctx.values[flag];
      if (typeof raw !== 'string') continue;
      base[f.key] = f.key === 'scoreMapping' ? raw : Number(raw);
    }
    const parsed = trackerSection.safeParse(base);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = String(issue.path[0] ?? '');
      const flag = Object.entries(TRACKER_FLAGS).find(([, f]) => f.key === key)?.[0];
      throw new UsageError(`${flag ? `--${flag}` : `tracker.${key}`}: ${issue.message}, got ${JSON.stringify(base[key])}`);
    }
    const { readMotFile, writeMotResults, describeBadLines, packDetections, runTracker } = await import('../../track/eval/index.ts');
    const det = readMotFile(detPath);
    if (det.badLines > 0) ctx.stderr.write(`footfall track: ${detPath}: ${describeBadLines(det)}\n`);
    if (width > 0) clipBoxes(det.box, det.count, width, height);
    const floor = typeof ctx.values.calibration === 'string' ? await readCalibration(resolve(ctx.cwd, ctx.values.calibration), width, height) : undefined;
    const run = runTracker(packDetections(det), parsed.data, fps, floor);
    writeMotResults(outPath, run);
    const c = run.tracker.counters;
    ctx.stdout.write(
      `tracked ${run.frames} frames, ${det.count} detections -> ${run.rows} track boxes in ${outPath}` +
        ` (${Math.round((run.frames / Math.max(run.trackMs, 1e-6)) * 1000)} frames/s tracker only` +
        `${det.badLines ? `, ${det.badLines} bad lines skipped` : ''}${c.invalidDetections ? `, ${c.invalidDetections} invalid boxes skipped` : ''}` +
        `${floor ? `, on the floor${c.beyondHorizon ? `, ${c.beyondHorizon} detections beyond the horizon skipped` : ''}` : ''})\n`,
    );
    return 0;
  },
});

/** The floor mapping of a cam_para file; a file that cannot be read or used is one usage line naming it. */
async function readCalibration(path: string, width: number, height: number): Promise<{ calibration: import('../../shared/floor-calibration.ts').FloorCalibration }> {
  const { readFileSync } = await import('node:fs');
  const { FloorCalibration, parseCamPara } = await import('../../shared/floor-calibration.ts');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--calibration: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return { calibration: FloorCalibration.fromCamera(parseCamPara(text), width > 0 ? { width, height } : undefined) };
  } catch (err) {
    throw new UsageError(`--calibration: ${path}: ${(err as Error).message}`);
  }
}

/** Clips x, y, w, h boxes to the image; boxes left with no area get w = h = 0 (then skipped). */
function clipBoxes(box: Float64Array, count: number, width: number, height: number): void {
  for (let i = 0; i < count; i++) {
    const x1 = Math.max(0, box[4 * i]!);
    const y1 = Math.max(0, box[4 * i + 1]!);
    const x2 = Math.min(width, box[4 * i]! + box[4 * i + 2]!);
    const y2 = Math.min(height, box[4 * i + 1]! + box[4 * i + 3]!);
    box[4 * i] = x1;
    box[4 * i + 1] = y1;
    box[4 * i + 2] = Math.max(0, x2 - x1);
    box[4 * i + 3] = Math.max(0, y2 - y1);
  }
}
