// `footfall bench capacity`: cameras per box at 5 fps with the motion gate (detector.motionGate:
// auto) and with every-frame full-image detection, measured in one run on the same frames.
// Each real video frame is decoded once (real ffmpeg, model input size) and detected once
// (real model); the gated path uses that result only when its gate opens, so both paths see
// identical detections and the costs are measured side by side. Idle scenes are made from the
// videos: the per-pixel median of frames spread over the clip (people removed), plus sensor
// noise and a slow light ramp. PETS09-S2L1 (and TUD-Campus) also run detect -> track -> count
// and MOTA/IDF1 for both paths.
//
// These rows are a CPU budget: cameras = cores x 1000 ms / (5 fps x per-frame cost), the
// per-frame cost being ffmpeg's decode CPU (its -benchmark utime) + motion + the fraction of
// frames inferred x inference ms. `-- --sustained` adds the measured rows (capacity-sustained.ts:
// the real agent raised to N cameras until it drops frames or lags) and the worker pool alone,
// and runs a third path, gated with the pool's 1-thread session, to show the pool's accuracy.
// `--only formula|pool|sustained|busy|day_mix` picks parts of a --sustained run.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { CameraGeometry } from '../../edge/analytics/index.ts';
import { countAccuracy, trueCrossings, motTracksOf, parseMotTracks, runCount } from '../../edge/analytics/offline/index.ts';
import { DEMO_VIDEO_PATH, MotionDetector } from '../../edge/camera/index.ts';
import { type LineConfig, lineSchema, trackerSection, withModelThresholds } from '../../edge/config/index.ts';
import { findManifestEntry } from '../../models/index.ts';
import { DetectionGate, GateDecision, PersonDetector, RegionPlanner } from '../../edge/detect/index.ts';
import { SeededRandom } from '../../edge/shared/random.ts';
import { ByteTracker } from '../../edge/track/index.ts';
import { evaluateMot, parseMotText, readMotFile as readMotTable } from '../../edge/track/eval/index.ts';
import { runPoolThroughput, runSustained, type SourceClip } from './capacity-sustained.ts';
import { machineInfo } from './machine.ts';
import type { BenchRow, BenchTarget } from './types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = join(ROOT, '..', 'shared');
const S = 416;
const CAMERA_FPS = 5;
const FULL_FRAME_EVERY_MS = 5000;

/** The PETS09-S2L1 counting lines. Until the accuracy benchmark's splits land, from the analytics fixture. */
export function pets09Lines(): LineConfig[] {
  const doc = parseDocument(readFileSync(join(ROOT, 'fixtures', 'analytics', 'pets09-s2l1.yaml'), 'utf8')).toJS() as { cameras: Array<{ lines: Array<{ name: string; points: Array<[number, number]> }> }> };
  return doc.cameras[0]!.lines.map((l) => lineSchema.parse({ name: l.name, points: l.points }));
}

interface Clip {
  name: string;
  video: string;
  mot?: string;
  fps: number;
  maxFrames: number;
  /** A real clip with its own idle stretches (empty room between visits): reported apart from the busy clips. */
  realMix?: boolean;
}

interface PathResult {
  inferred: number;
  motionMs: number;
  mot: string[];
}

interface ClipResult {
  name: string;
  frames: number;
  decodeMsPerFrame: number;
  inferMsPerFrame: number;
  gated: PathResult;
  every: PathResult;
  /** Gated, detections from a 1-thread session (the worker pool's), when one is given. */
  pooled: PathResult | null;
  /** Largest |box or score| difference between the 1- and 2-thread sessions' detections, and frames whose counts differ. */
  poolDiff: { maxAbs: number; countMismatches: number };
  background: Uint8Array;
  sourceWidth: number;
  sourceHeight: number;
}

function probe(video: string): Promise<{ w: number; h: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', video]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      const [w, h] = out.trim().split(',').map(Number);
      if (code !== 0 || !w || !h) reject(new Error(`ffprobe failed on ${video}`));
      else resolve({ w, h });
    });
  });
}

/** The tracker the agent builds for PicoDet-S 416: defaults plus the model's own thresholds. */
const TRACKER_CONFIG = withModelThresholds(trackerSection.parse({}), findManifestEntry('picodet_s_416_coco')?.trackerThresholds);

/** One path (gated or every frame): its own online tracker, fed its own detections. */
class PathRunner {
  readonly tracker = new ByteTracker(TRACKER_CONFIG as ConstructorParameters<typeof ByteTracker>[0]);
  readonly result: PathResult = { inferred: 0, motionMs: 0, mot: [] };
  private readonly empty = { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) };
  readonly trackBoxes = new Float32Array(1024);
  trackCount = 0;

  step(frameNo: number, tsMs: number, det: { count: number; boxes: Float32Array; scores: Float32Array } | null, sx: number, sy: number): void {
    const out = this.tracker.update(tsMs, det ?? this.empty);
    this.trackCount = Math.min(out.count, 256);
    for (let i = 0; i < out.count; i++) {
      const o = i * 4;
      this.result.mot.push(`${frameNo},${out.ids[i]},${out.boxes[o]!.toFixed(2)},${out.boxes[o + 1]!.toFixed(2)},${out.boxes[o + 2]!.toFixed(2)},${out.boxes[o + 3]!.toFixed(2)},1,-1,-1,-1`);
      if (i < 256) {
        this.trackBoxes[o] = out.boxes[o]! * sx;
        this.trackBoxes[o + 1] = out.boxes[o + 1]! * sy;
        this.trackBoxes[o + 2] = out.boxes[o + 2]! * sx;
        this.trackBoxes[o + 3] = out.boxes[o + 3]! * sy;
      }
    }
  }
}

async function runClip(clip: Clip, detector: PersonDetector, poolDetector: PersonDetector | null = null): Promise<ClipResult> {
  const { w, h } = await probe(clip.video);
  const sx = S / w;
  const sy = S / h;
  const frameBytes = S * S * 3;
  const ff = spawn('ffmpeg', ['-benchmark', '-hide_banner', '-nostats', '-v', 'info', '-threads', '1', '-i', clip.video, '-frames:v', String(clip.maxFrames), '-vf', `scale=${S}:${S}:flags=area`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']);
  let stderr = '';
  ff.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((r) => ff.on('close', () => r()));
  const frame = Buffer.alloc(frameBytes);
  let filled = 0;
  let frames = 0;
  let inferMs = 0;
  const motion = new MotionDetector({ frameWidth: S, frameHeight: S });
  const gate = new DetectionGate(new RegionPlanner({ frameWidth: S, frameHeight: S, modelInputPx: S }), FULL_FRAME_EVERY_MS);
  const gated = new PathRunner();
  const every = new PathRunner();
  const pooled = poolDetector ? new PathRunner() : null;
  const pooledMotion = new MotionDetector({ frameWidth: S, frameHeight: S });
  const pooledGate = new DetectionGate(new RegionPlanner({ frameWidth: S, frameHeight: S, modelInputPx: S }), FULL_FRAME_EVERY_MS);
  const poolDiff = { maxAbs: 0, countMismatches: 0 };
  const samples: Buffer[] = [];
  const sampleEvery = Math.max(1, Math.floor(clip.maxFrames / 25));
  const processFrame = async () => {
    frames++;
    const tsMs = ((frames - 1) * 1000) / clip.fps;
    if ((frames - 1) % sampleEvery === 0 && samples.length < 25) samples.push(Buffer.from(frame));
    const t0 = performance.now();
    const r = await detector.detect(frame, S, S, w, h, 0.1);
    inferMs += performance.now() - t0;
    const det = { count: r.count, boxes: r.boxes.slice(0, r.count * 4), scores: r.scores.slice(0, r.count) };
    every.result.inferred++;
    every.step(frames, tsMs, det, sx, sy);
    const m0 = performance.now();
    motion.update(frame);
    const d = gate.decide(tsMs, motion.boxes, motion.count, gated.trackBoxes, gated.trackCount, motion.sceneChanged);
    gated.result.motionMs += performance.now() - m0;
    if (d !== GateDecision.Skip) gated.result.inferred++;
    gated.step(frames, tsMs, d === GateDecision.Skip ? null : det, sx, sy);
    if (pooled && poolDetector) {
      const p = await poolDetector.detect(frame, S, S, w, h, 0.1);
      if (p.count !== det.count) poolDiff.countMismatches++;
      else {
        for (let i = 0; i < p.count * 4; i++) poolDiff.maxAbs = Math.max(poolDiff.maxAbs, Math.abs(p.boxes[i]! - det.boxes[i]!));
        for (let i = 0; i < p.count; i++) poolDiff.maxAbs = Math.max(poolDiff.maxAbs, Math.abs(p.scores[i]! - det.scores[i]!));
      }
      const pdet = { count: p.count, boxes: p.boxes.slice(0, p.count * 4), scores: p.scores.slice(0, p.count) };
      pooledMotion.update(frame);
      const pd = pooledGate.decide(tsMs, pooledMotion.boxes, pooledMotion.count, pooled.trackBoxes, pooled.trackCount, pooledMotion.sceneChanged);
      if (pd !== GateDecision.Skip) pooled.result.inferred++;
      pooled.step(frames, tsMs, pd === GateDecision.Skip ? null : pdet, sx, sy);
    }
  };
  for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - off);
      chunk.copy(frame, filled, off, off + n);
      filled += n;
      off += n;
      if (filled === frameBytes) {
        await processFrame();
        filled = 0;
      }
    }
  }
  await closed;
  const utime = /utime=([\d.]+)s/.exec(stderr);
  const decodeMs = utime ? (Number(utime[1]) * 1000) / Math.max(1, frames) : NaN;
  // Median background over the samples: people move, the floor does not.
  const background = new Uint8Array(frameBytes);
  const vals = new Uint8Array(samples.length);
  for (let p = 0; p < frameBytes; p++) {
    for (let k = 0; k < samples.length; k++) vals[k] = samples[k]![p]!;
    vals.sort();
    background[p] = vals[vals.length >> 1]!;
  }
  return { name: clip.name, frames, decodeMsPerFrame: decodeMs, inferMsPerFrame: inferMs / Math.max(1, frames), gated: gated.result, every: every.result, pooled: pooled?.result ?? null, poolDiff, background, sourceWidth: w, sourceHeight: h };
}

/** An idle scene from a clip's background: sensor noise and a slow light ramp, 5 fps. Returns frames inferred and motion ms. */
function runIdle(bg: Uint8Array, frames: number, seed: number): { inferred: number; motionMs: number; sceneChanges: number } {
  const rng = new SeededRandom(seed);
  const motion = new MotionDetector({ frameWidth: S, frameHeight: S });
  const gate = new DetectionGate(new RegionPlanner({ frameWidth: S, frameHeight: S, modelInputPx: S }), FULL_FRAME_EVERY_MS);
  const none = new Float32Array(0);
  const frame = new Uint8Array(bg.length);
  const noise = new Int8Array(65536);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.round(rng.normal(0, 2.5));
  let inferred = 0;
  let motionMs = 0;
  for (let f = 0; f < frames; f++) {
    const light = 1 + 0.3 * Math.sin((f / frames) * Math.PI); // up to +30 % over the clip
    const n0 = rng.int(0, noise.length - 1);
    for (let p = 0; p < bg.length; p++) {
      const v = bg[p]! * light + noise[(n0 + p) & 65535]!;
      frame[p] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    const t0 = performance.now();
    motion.update(frame);
    const d = gate.decide((f * 1000) / CAMERA_FPS, motion.boxes, motion.count, none, 0, motion.sceneChanged);
    motionMs += performance.now() - t0;
    if (d !== GateDecision.Skip) inferred++;
  }
  return { inferred, motionMs, sceneChanges: motion.stats.sceneChanges };
}

function camerasFor(msPerFrame: number): number {
  return Math.floor((cpus().length * 1000) / (CAMERA_FPS * msPerFrame));
}

const target: BenchTarget = {
  name: 'capacity',
  summary: 'cameras per box at 5 fps, motion-gated vs every-frame detection, and PETS09 counts/MOTA with and without the gate',
  async run(ctx) {
    const maxFrames = Number(ctx.args['max-frames'] ?? 800);
    const clips: Clip[] = [
      { name: 'PETS09-S2L1', video: join(SHARED, 'fixtures/video/pets09-s2l1.mp4'), mot: join(SHARED, 'fixtures/mot/PETS09-S2L1'), fps: 7, maxFrames },
      { name: 'TUD-Stadtmitte', video: join(SHARED, 'fixtures/video/tud-stadtmitte.mp4'), fps: 25, maxFrames },
      { name: 'TUD-Campus', video: join(SHARED, 'fixtures/video/tud-campus.mp4'), mot: join(SHARED, 'fixtures/mot/TUD-Campus'), fps: 25, maxFrames },
      { name: 'vtest', video: DEMO_VIDEO_PATH, fps: 10, maxFrames: Math.min(maxFrames, 300) },
      { name: 'one-by-one', video: join(SHARED, 'fixtures/video/one-by-one-person-detection.mp4'), fps: 10, maxFrames: 1400, realMix: true },
    ].filter((c) => existsSync(c.video));
    const sustained = ctx.args.sustained === true || ctx.args.sustained === 'true';
    const only = sustained && typeof ctx.args.only === 'string' ? ctx.args.only : undefined;
    const want = (part: 'formula' | 'pool' | 'sustained') => !only || only === part || (part === 'sustained' && (only === 'busy' || only === 'day_mix'));
    const results: BenchRow[] = [];
    const notes: string[] = [];
    if (want('formula')) await formulaRows(ctx, clips, sustained, results, notes);
    if (sustained && want('pool')) {
      results.push(await runPoolThroughput(ctx, clips[0]!.video, Number(ctx.args['pool-seconds'] ?? 8), Number(ctx.args['pool-rounds'] ?? 3)));
    }
    if (sustained && want('sustained')) {
      const busy: SourceClip[] = [];
      for (const c of clips) {
        if (c.realMix) continue;
        const { w, h } = await probe(c.video);
        const lines = c.name === 'PETS09-S2L1' ? pets09Lines().map((l) => ({ name: l.name, points: l.points as Array<[number, number]> })) : [{ name: 'mid', points: [[Math.round(w * 0.1), Math.round(h / 2)], [Math.round(w * 0.9), Math.round(h / 2)]] as Array<[number, number]> }];
        busy.push({ name: c.name, video: c.video, width: w, height: h, lines });
      }
      const s = await runSustained(ctx, {
        busy,
        warmupS: Number(ctx.args['warmup-s'] ?? 5),
        measureS: Number(ctx.args['measure-s'] ?? 15),
        maxCameras: Number(ctx.args['max-cameras'] ?? 64),
        confirm: ctx.args.confirm !== 'off',
        only: only === 'busy' || only === 'day_mix' ? only : undefined,
      });
      results.unshift(...s.rows);
      notes.push(...s.notes);
    }
    return { target: 'capacity', results, machine: machineInfo(), notes };
  },
};

/** Today's formula rows (CPU budget), and with `pool` the gated path on a 1-thread session beside them. */
async function formulaRows(ctx: Parameters<BenchTarget['run']>[0], clips: Clip[], pool: boolean, results: BenchRow[], notes: string[]): Promise<void> {
  {
    const detector = await PersonDetector.load({ model: 'picodet_s_416_coco', cwd: ctx.cwd, threads: 2 });
    // The worker pool's session: same model, 1 intra-op thread.
    const poolDetector = pool ? await PersonDetector.load({ model: 'picodet_s_416_coco', cwd: ctx.cwd, threads: 1 }) : null;
    let busyGated = 0, busyEvery = 0, idleGated = 0, idleEvery = 0;
    let pets: { gated: number; every: number } | null = null;
    let busyClips = 0;
    for (const clip of clips) {
      const r = await runClip(clip, detector, poolDetector);
      if (r.pooled) ctx.log(`${clip.name}: 1-thread against 2-thread session detections: ${r.poolDiff.countMismatches} frames with a different count, largest box/score difference ${r.poolDiff.maxAbs.toExponential(2)}`);
      const gatedFrac = r.gated.inferred / r.frames;
      const gatedMs = r.decodeMsPerFrame + r.gated.motionMs / r.frames + gatedFrac * r.inferMsPerFrame;
      const everyMs = r.decodeMsPerFrame + r.inferMsPerFrame;
      // Without ground truth, the gate's cost in accuracy is how far its tracks drift from the
      // every-frame tracks of the same detector (MOTA/IDF1 of one against the other).
      const agree = evaluateMot(parseMotText(r.every.mot.join('\n')), parseMotText(r.gated.mot.join('\n')));
      ctx.log(`${clip.name}: gated tracks against every-frame tracks MOTA ${agree.MOTA.toFixed(1)} / IDF1 ${agree.IDF1.toFixed(1)}`);
      if (clip.realMix) {
        const row = { ours: camerasFor(gatedMs), reference: camerasFor(everyMs) };
        ctx.log(`${clip.name} (real clip with idle stretches): ${r.frames} frames, gate ran the detector on ${(gatedFrac * 100).toFixed(1)} %`);
        results.push({ name: 'cameras_5fps_real_mix', unit: 'cameras', ...row, ratio: Number((row.ours / row.reference).toFixed(3)), referenceName: `every-frame full-image detection, ${clip.name} clip`, target: '-', pass: true });
        results.push({ name: 'one_by_one_agreement_mota', unit: 'MOTA %', ours: Number(agree.MOTA.toFixed(2)), reference: 100, ratio: Number((agree.MOTA / 100).toFixed(3)), referenceName: 'every-frame tracks as the truth', target: '-', pass: true });
        continue;
      }
      busyClips++;
      const idle = runIdle(r.background, 300, 11);
      const idleGatedMs = r.decodeMsPerFrame + idle.motionMs / 300 + (idle.inferred / 300) * r.inferMsPerFrame;
      busyGated += gatedMs; busyEvery += everyMs; idleGated += idleGatedMs; idleEvery += everyMs;
      ctx.log(`${clip.name}: ${r.frames} frames, decode ${r.decodeMsPerFrame.toFixed(1)} ms, inference ${r.inferMsPerFrame.toFixed(1)} ms, motion ${(r.gated.motionMs / r.frames).toFixed(2)} ms; gate ran the detector on ${(gatedFrac * 100).toFixed(1)} % of busy frames, ${((idle.inferred / 300) * 100).toFixed(1)} % of idle frames (scene changes ${idle.sceneChanges})`);
      if (clip.mot && existsSync(join(clip.mot, 'gt.txt'))) {
        const gt = readMotTable(join(clip.mot, 'gt.txt'));
        const m = (p: PathResult) => evaluateMot(gt, parseMotText(p.mot.join('\n')));
        const mg = m(r.gated), me = m(r.every);
        ctx.log(`${clip.name} MOTA / IDF1: gated ${mg.MOTA.toFixed(1)} / ${mg.IDF1.toFixed(1)}, every frame ${me.MOTA.toFixed(1)} / ${me.IDF1.toFixed(1)}`);
        if (r.pooled) {
          const mp = m(r.pooled);
          ctx.log(`${clip.name} MOTA / IDF1, gated on the pool's 1-thread session: ${mp.MOTA.toFixed(1)} / ${mp.IDF1.toFixed(1)}`);
          results.push({ name: `${clip.name.toLowerCase()}_mota_gated_pool`, unit: 'MOTA %', ours: Number(mp.MOTA.toFixed(2)), reference: Number(me.MOTA.toFixed(2)), ratio: Number((mp.MOTA / me.MOTA).toFixed(3)), referenceName: 'every-frame detection, one 2-thread session', target: 'within 1 point', pass: Math.abs(mp.MOTA - me.MOTA) <= 1 });
          results.push({ name: `${clip.name.toLowerCase()}_idf1_gated_pool`, unit: 'IDF1 %', ours: Number(mp.IDF1.toFixed(2)), reference: Number(me.IDF1.toFixed(2)), ratio: Number((mp.IDF1 / me.IDF1).toFixed(3)), referenceName: 'every-frame detection, one 2-thread session', target: 'within 1 point', pass: Math.abs(mp.IDF1 - me.IDF1) <= 1 });
        }
        results.push({ name: `${clip.name.toLowerCase()}_mota`, unit: 'MOTA %', ours: Number(mg.MOTA.toFixed(2)), reference: Number(me.MOTA.toFixed(2)), ratio: Number((mg.MOTA / me.MOTA).toFixed(3)), referenceName: 'every-frame detection, same tracker', target: '>= 1', pass: mg.MOTA >= me.MOTA });
        results.push({ name: `${clip.name.toLowerCase()}_idf1`, unit: 'IDF1 %', ours: Number(mg.IDF1.toFixed(2)), reference: Number(me.IDF1.toFixed(2)), ratio: Number((mg.IDF1 / me.IDF1).toFixed(3)), referenceName: 'every-frame detection, same tracker', target: '>= 1', pass: mg.IDF1 >= me.IDF1 });
      }
      if (clip.name === 'PETS09-S2L1') {
        const lines = pets09Lines();
        const geometry: CameraGeometry = { name: 'pets09', lines, zones: [], queues: [] } as unknown as CameraGeometry;
        const truth = trueCrossings(motTracksOf(readMotTable(join(clip.mot!, 'gt.txt'))), lines, 5);
        const acc = (p: PathResult) => countAccuracy(runCount({ tracks: parseMotTracks(p.mot.join('\n')), camera: geometry, fps: clip.fps, keepEvents: false }).totals.lines, truth).mean;
        pets = { gated: acc(r.gated), every: acc(r.every) };
        ctx.log(`PETS09 line-count accuracy: gated ${pets.gated.toFixed(3)}, every frame ${pets.every.toFixed(3)}`);
        if (r.pooled) {
          const ap = acc(r.pooled);
          ctx.log(`PETS09 line-count accuracy, gated on the pool's 1-thread session: ${ap.toFixed(3)}`);
          results.push({ name: 'pets09_line_count_accuracy_gated_pool', unit: 'accuracy', ours: Number(ap.toFixed(4)), reference: Number(pets.every.toFixed(4)), ratio: Number((ap / pets.every).toFixed(3)), referenceName: 'every-frame detection, one 2-thread session', target: 'within 0.01', pass: Math.abs(ap - pets.every) <= 0.01 });
        }
      }
    }
    const n = busyClips;
    const row = (name: string, g: number, e: number, tgt: number): BenchRow => {
      const ours = camerasFor(g / n), reference = camerasFor(e / n);
      return { name, unit: 'cameras', ours, reference, ratio: Number((ours / reference).toFixed(3)), referenceName: 'every-frame full-image detection', target: `>= ${tgt}`, pass: ours / reference >= tgt };
    };
    results.unshift(
      row('cameras_5fps_day_mix', (busyGated + idleGated) / 2, (busyEvery + idleEvery) / 2, 3),
      row('cameras_5fps_busy', busyGated, busyEvery, 1.3),
      row('cameras_5fps_idle', idleGated, idleEvery, 1),
    );
    if (pets) results.splice(3, 0, { name: 'pets09_line_count_accuracy', unit: 'accuracy', ours: Number(pets.gated.toFixed(4)), reference: Number(pets.every.toFixed(4)), ratio: Number((pets.gated / pets.every).toFixed(3)), referenceName: 'every-frame detection, same tracker and lines', target: '>= 0.99', pass: pets.gated / pets.every >= 0.99 });
    await detector.close();
    await poolDetector?.close();
    notes.push('capacity = cores x 1000 / (5 fps x per-frame CPU ms): decode (ffmpeg -benchmark utime) + motion + inferred fraction x inference ms; not a sustained-load search');
  }
}

export default target;
