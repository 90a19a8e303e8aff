// bench int8 (#25): the static int8 PicoDet-S 416 against the float model it was made from,
// in one run. `--only ap50`: person AP50 (scripts/accuracy/detector-ap50.ts, the method of
// ../shared/models/MODELS.md) through the product's own path (ffmpeg scaling, TensorWriter,
// the PicoDet decoder, NMS: runVideoDetection + PersonDetector) on TUD-Campus (all 71 frames,
// validation) and PETS09-S2L1 (every 10th frame from frame 1, 80 frames). `--only latency`:
// median session.run of both models with 1 and with 2 intra-op threads on the same real frame,
// runs interleaved (fp32, int8, fp32, ...) so load drift on a shared box hits both alike.
// The int8 model was calibrated on PETS09-S2L1 frames 6, 16, 26, ... (0-based index % 10 == 5,
// scripts/quantize), never on an evaluated frame.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { buildFfmpegArgs } from '../../edge/camera/index.ts';
import { PersonDetector, TensorWriter, runVideoDetection } from '../../edge/detect/index.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import { findManifestEntry, resolveModel } from '../../models/index.ts';
import { loadTruth, personAp50, type ApResult, type FrameDetections } from '../accuracy/detector-ap50.ts';
import { countThroughTracker, lineConfigs } from '../accuracy/count-eval.ts';
import { randomLines, scoreSweep, type SweepScore } from '../accuracy/line-sweep.ts';
import { MOT_DIR, seqInfo, VIDEO_DIR } from '../accuracy/splits.ts';
import { DEFAULT_DET_CACHE, videoDetections } from '../accuracy/video-detections.ts';
import { trackerSection, withModelThresholds } from '../../edge/config/index.ts';
import { readMotFile } from '../../edge/track/eval/index.ts';
import { machineInfo } from './machine.ts';
import type { BenchRow, BenchTarget } from './types.ts';

const SEQUENCES = [
  { name: 'TUD-Campus', video: 'tud-campus.mp4', gt: 'TUD-Campus/gt.txt', keep: (_f: number) => true, frames: 'all 71 frames', half: 'validation' },
  { name: 'PETS09-S2L1', video: 'pets09-s2l1.mp4', gt: 'PETS09-S2L1/gt.txt', keep: (f: number) => (f - 1) % 10 === 0, frames: 'every 10th frame (1, 11, ... 791)', half: 'tuning scene; calibration used other frames' },
] as const;

const round = (v: number, d = 1) => Number(v.toFixed(d));
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function detectionsOf(model: string, seq: (typeof SEQUENCES)[number]): Promise<FrameDetections[]> {
  const detector = await PersonDetector.load({ model, threads: 2 });
  const out: FrameDetections[] = [];
  try {
    const summary = await runVideoDetection({
      url: join(VIDEO_DIR, seq.video),
      detector,
      logger: silentLogger(),
      floor: 0.05,
      onResult: (frame, r) => {
        if (!seq.keep(frame)) return;
        const boxes: number[][] = [];
        const scores: number[] = [];
        for (let i = 0; i < r.count; i++) {
          boxes.push([r.boxes[i * 4]!, r.boxes[i * 4 + 1]!, r.boxes[i * 4 + 2]!, r.boxes[i * 4 + 3]!]);
          scores.push(r.scores[i]!);
        }
        out.push({ frame, boxes, scores });
      },
    });
    if (summary.endError) throw new Error(`${seq.video}: ${summary.endError}`);
  } finally {
    await detector.close();
  }
  return out;
}

/** One real PETS09 frame as the model input (ffmpeg scales it exactly as a camera would). */
function realInput(model: string): { data: Float32Array; w: number; h: number } {
  const info = findManifestEntry(model);
  if (!info) throw new Error(`unknown model ${model}`);
  const a = buildFfmpegArgs({ url: join(VIDEO_DIR, 'pets09-s2l1.mp4'), geometry: { width: info.inputWidth, height: info.inputHeight, resize: info.preprocess.resize, padValue: info.preprocess.padValue } });
  const r = spawnSync('ffmpeg', [...a.inputOptions.map((o) => (o === 'info' ? 'error' : o)), '-i', a.input, '-frames:v', '1', ...a.outputOptions, '-'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString().slice(-500)}`);
  const w = new TensorWriter(info.inputWidth, info.inputHeight, info.preprocess);
  w.write(new Uint8Array(r.stdout), info.inputWidth, info.inputHeight);
  return { data: w.data, w: info.inputWidth, h: info.inputHeight };
}

async function session(path: string, threads: number): Promise<ort.InferenceSession> {
  // The options PersonDetector.load uses (threads do not spin: the agent's default).
  return ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}

const target: BenchTarget = {
  name: 'int8',
  summary: 'static int8 PicoDet-S 416 vs fp32: person AP50 on TUD-Campus and PETS09-S2L1, session.run latency at 1 and 2 threads',
  async run(ctx) {
    const fp32 = String(ctx.args.fp32 ?? 'picodet_s_416_coco');
    const int8 = String(ctx.args.int8 ?? 'picodet_s_416_coco_int8');
    const only = typeof ctx.args.only === 'string' ? ctx.args.only : null;
    const runs = Number(ctx.args.runs ?? 40);
    const rows: BenchRow[] = [];
    const notes: string[] = [`load average at start (1/5/15 min): ${loadavg().map((v) => v.toFixed(2)).join(' / ')}`];

    if (!only || only === 'ap50') {
      const seqs = typeof ctx.args.seq === 'string' ? SEQUENCES.filter((s) => s.name === ctx.args.seq) : SEQUENCES;
      if (seqs.length === 0) throw new Error(`--seq must be one of ${SEQUENCES.map((s) => s.name).join(', ')}`);
      for (const seq of seqs) {
        const truth = loadTruth(join(MOT_DIR, seq.gt), seq.keep);
        const res: Record<string, ApResult> = {};
        for (const model of [fp32, int8]) {
          ctx.log(`detecting ${seq.name} with ${model}`);
          const dets = await detectionsOf(model, seq);
          res[model] = personAp50(truth, dets, new Set(dets.map((d) => d.frame)));
        }
        const a = res[int8]!;
        const b = res[fp32]!;
        ctx.log(`${seq.name}: AP50 int8 ${a.ap50.toFixed(1)} fp32 ${b.ap50.toFixed(1)} (${a.frames} frames, ${a.gt} gt boxes)`);
        rows.push({
          name: `person AP50, ${seq.name}, ${seq.frames} (${seq.half})`,
          unit: 'AP50 %',
          ours: round(a.ap50),
          reference: round(b.ap50),
          referenceName: `${fp32} through the same path`,
          ratio: round(a.ap50 / b.ap50, 3),
          deltaPoints: round(a.ap50 - b.ap50, 2),
          target: 'within 1 point',
          pass: a.ap50 >= b.ap50 - 1,
          frames: a.frames,
          gtBoxes: a.gt,
        });
        const rp = (r: ApResult) => r.at.map((x) => `${x.recall.toFixed(0)}/${x.precision.toFixed(0)} @${x.threshold}`).join(', ');
        notes.push(`${seq.name} recall/precision %: int8 ${rp(a)}; fp32 ${rp(b)}`);
      }
    }

    if (!only || only === 'counts') {
      // Line counts through the tracker on each model's own detections of the whole video, on
      // lines placed at random where people walk (a line-placement sweep), beside the fixed lines.
      const cacheDir = typeof ctx.args['det-cache'] === 'string' ? ctx.args['det-cache'] : DEFAULT_DET_CACHE;
      const nLines = Number(ctx.args.lines ?? 60);
      for (const seq of [{ name: 'PETS09-S2L1', video: 'pets09-s2l1.mp4' }, { name: 'TUD-Campus', video: 'tud-campus.mp4' }]) {
        const gt = readMotFile(join(MOT_DIR, seq.name, 'gt.txt'));
        const info = seqInfo(seq.name);
        const last = info.length ?? gt.frames[gt.frames.length - 1] ?? 0;
        const { lines, truth } = randomLines(gt, { lines: nLines, seed: 25, width: info.width, height: info.height, fps: info.fps, minCrossings: 3 });
        const scene = { lines: lineConfigs(lines), zones: [], fps: info.fps, width: info.width, height: info.height };
        const scores: Record<string, SweepScore> = {};
        for (const model of [fp32, int8]) {
          const det = videoDetections(seq.video, model, cacheDir, (l) => ctx.log(l));
          if (!det) throw new Error(`${seq.video} missing in ../shared/fixtures/video`);
          const tracker = withModelThresholds(trackerSection.parse({}), findManifestEntry(model)?.trackerThresholds);
          scores[model] = scoreSweep(lines, countThroughTracker(det, last, scene, tracker).lines, truth);
        }
        const a = scores[int8]!;
        const b = scores[fp32]!;
        let worse = 0;
        let better = 0;
        for (let i = 0; i < lines.length; i++) {
          if (a.errors[i]! > b.errors[i]!) worse++;
          else if (a.errors[i]! < b.errors[i]!) better++;
        }
        const crossings = Object.values(truth).reduce((s, t) => s + t.in + t.out, 0);
        ctx.log(`${seq.name}, ${lines.length} random lines (${crossings} true crossings): total error int8 ${(a.totalError * 100).toFixed(2)} % fp32 ${(b.totalError * 100).toFixed(2)} %; mean accuracy int8 ${a.mean.toFixed(3)} fp32 ${b.mean.toFixed(3)}; int8 worse on ${worse} lines, better on ${better}`);
        rows.push({
          name: `line counts, ${seq.name}, ${lines.length} random lines, mean accuracy per line.direction`,
          unit: 'accuracy',
          ours: round(a.mean, 3),
          reference: round(b.mean, 3),
          referenceName: `${fp32} detections through the same tracker`,
          ratio: round(a.mean / b.mean, 3),
          target: 'within 0.01',
          pass: a.mean >= b.mean - 0.01,
          totalErrorOurs: round(a.totalError, 4),
          totalErrorReference: round(b.totalError, 4),
          linesWorse: worse,
          linesBetter: better,
          trueCrossings: crossings,
        });
      }
    }

    if (!only || only === 'latency') {
      const input = realInput(fp32);
      const feeds = (s: ort.InferenceSession) => ({ [s.inputNames[0]!]: new ort.Tensor('float32', input.data, [1, 3, input.h, input.w]) });
      for (const threads of [1, 2]) {
        const sessions = [await session(resolveModel(fp32).path, threads), await session(resolveModel(int8).path, threads)];
        const f = sessions.map(feeds);
        const times: number[][] = [[], []];
        for (let i = 0; i < 3; i++) for (let k = 0; k < 2; k++) await sessions[k]!.run(f[k]!);
        for (let i = 0; i < runs; i++) {
          // Alternate which model goes first, so neither always runs right after the other.
          for (const k of i % 2 ? [1, 0] : [0, 1]) {
            const t0 = performance.now();
            await sessions[k]!.run(f[k]!);
            times[k]!.push(performance.now() - t0);
          }
        }
        await Promise.all(sessions.map((s) => s.release()));
        const [mf, mi] = [median(times[0]!), median(times[1]!)];
        ctx.log(`session.run ${threads} thread(s): fp32 ${mf.toFixed(1)} ms, int8 ${mi.toFixed(1)} ms, x${(mf / mi).toFixed(2)}`);
        rows.push({
          name: `session.run, ${threads} intra-op thread${threads > 1 ? 's' : ''}, median of ${runs} interleaved`,
          unit: 'ms (lower is better)',
          ours: round(mi, 2),
          reference: round(mf, 2),
          referenceName: `${fp32}, same options, same frame, interleaved`,
          ratio: round(mf / mi, 3),
          target: '> 1 (int8 faster)',
          pass: mf / mi > 1,
        });
      }
    }
    notes.push(`load average at end: ${loadavg().map((v) => v.toFixed(2)).join(' / ')}`);
    return { target: 'int8', machine: machineInfo(), results: rows, notes };
  },
};

export default target;
