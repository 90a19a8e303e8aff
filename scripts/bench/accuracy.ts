// bench accuracy: every accuracy figure of the product, tuning and validation halves of
// scripts/accuracy/splits.json side by side, each beside its peer measured in the same
// run (node-moving-things-tracker = OpenDataCam's tracker; for counts, OpenDataCam's
// recipe: that tracker and a plain segment test) and the published ByteTrack / OC-SORT
// figures where they exist:
//   1. tracker only: MOTA / IDF1 / HOTA on MOT sequences, gt+noise and simulated crowds;
//   2. detect -> track -> eval on the real videos (our default model, detections cached);
//   3. line counts against the plain definition (offline/count-accuracy.ts `trueCrossings`, 5 px
//      band) on perfect tracks, through our tracker and through the peer, on simulated
//      crowds (with people who stop on, walk along, skirt and step over the lines) and on
//      PETS09-S2L1 (FRCNN, ACF and our detector's tracks).
//   4. the floor tracker against the image tracker on the sequences with camera calibrations;
//   5. line counts against the detector's noise level (crowd-sim's declared noise model, jitter
//      1-8% of box height, on its exactly calibrated camera): perfect tracks, our tracker with the
//      image counter, with the floor counter, the floor tracker with the floor counter, and the
//      OpenDataCam recipe, for 30- and 100-person crowds (splits.json `floorCounting`).
// `--only tracking|floor|video|counts|noise|sparse` runs one part; `--det-cache DIR` keeps video
// detections; `--model NAME` picks the video part's detector (default: the agent's default model).
import { join } from 'node:path';
import { detectorSection, type TrackerConfig, trackerSection, withModelThresholds } from '../../edge/config/index.ts';
import { findManifestEntry } from '../../models/index.ts';
import { evaluateMot } from '../../edge/track/eval/index.ts';
import { parseMotText, readMotFile, type MotTable } from '../../edge/track/eval/index.ts';
import { packDetections, resultText, runTracker } from '../../edge/track/eval/index.ts';
import { countOnTracks, countOpenDataCam, countThroughTracker, gtTracks, lineConfigs, scoreCounts, truthOf, TRUTH_BAND_PX, zoneConfigs, type CountScores, type Scene, type SceneCounts } from '../accuracy/count-eval.ts';
import { loadNmt, runNmt } from '../accuracy/peer-tracker.ts';
import { HALVES, loadSplits, MOT_DIR, seqInfo, trackingCases, type Half, type Splits, type VideoEntry } from '../accuracy/splits.ts';
import { DEFAULT_DET_CACHE, videoDetections } from '../accuracy/video-detections.ts';
import { scoreCases, scoreFloorCases, summarize, type CaseScore } from '../accuracy/tracker-eval.ts';
import { NOISE_MODEL, simulateCrowd } from '../crowd-sim/simulator.ts';
import { FloorCalibration } from '../../edge/shared/floor-calibration.ts';
import { countAccuracy, type AccuracyReport, type LineCounts } from '../../edge/analytics/offline/index.ts';
import { machineInfo } from './machine.ts';
import { runSparse, type SparseSettings } from '../accuracy/sparse-eval.ts';
import { detectorSection as detectorDefaults } from '../../edge/config/index.ts';
import { PEERS } from './track.ts';
import type { BenchContext, BenchRow, BenchTarget } from './types.ts';

const f1 = (v: number) => Number(v.toFixed(1));
const f3 = (v: number) => Number(v.toFixed(3));
const ratio = (a: number, b: number) => (b !== 0 ? f3(a / b) : null);
/**
 * The peer's detector threshold on probability-like scores (our model on the videos, the
 * simulator): OpenDataCam feeds its tracker thresholded detections. On the MOT det files
 * it runs as its motchallenge CLI does (every score > 0), as in bench track.
 */
const PEER_MIN_SCORE = 0.5;

/** Tracker settings the agent uses with `modelName` on video: config defaults plus the model's thresholds. */
function videoTrackerConfig(modelName: string): TrackerConfig {
  const model = findManifestEntry(modelName);
  return withModelThresholds(trackerSection.parse({}), model?.trackerThresholds);
}

function trackingPart(splits: Splits, config: TrackerConfig, ctx: BenchContext, rows: BenchRow[], md: string[]): void {
  md.push('### Tracker only (MOTA / IDF1 / HOTA; peer = node-moving-things-tracker, same run)', '');
  const byHalf: Record<Half, CaseScore[]> = { tuning: [], validation: [] };
  for (const half of HALVES) byHalf[half] = scoreCases(trackingCases(splits, half), config, true);
  md.push('| half | case | camera | detector | ours | peer (OpenDataCam) | ByteTrack / OC-SORT (published) |', '|---|---|---|---|---|---|---|');
  for (const half of ['validation', 'tuning'] as const) {
    for (const s of byHalf[half]) {
      const o = s.ours;
      const p = s.peer!;
      const pub = PEERS[s.name];
      md.push(
        `| ${half} | ${s.name} | ${s.camera} | ${s.detector} | ${f1(o.MOTA)} / ${f1(o.IDF1)} / ${f1(o.HOTA)} | ${f1(p.MOTA)} / ${f1(p.IDF1)} / ${f1(p.HOTA)} | ${pub ? `${pub.bytetrack.join(' / ')} ; ${pub.ocsort.join(' / ')}` : '-'} |`,
      );
      for (const m of ['MOTA', 'IDF1', 'HOTA'] as const) {
        rows.push({ name: `${half}: ${s.name} ${m}`, unit: '%', ours: f1(o[m]), reference: f1(p[m]), ratio: ratio(o[m], p[m]), referenceName: 'node-moving-things-tracker' });
      }
    }
    const o = summarize(byHalf[half].map((s) => s.ours));
    const p = summarize(byHalf[half].map((s) => s.peer!));
    md.push(`| ${half} | **mean of ${o.cases}** | | | **${f1(o.MOTA)} / ${f1(o.IDF1)} / ${f1(o.HOTA)}** | ${f1(p.MOTA)} / ${f1(p.IDF1)} / ${f1(p.HOTA)} | |`);
    for (const m of ['MOTA', 'IDF1', 'HOTA'] as const) {
      rows.push({ name: `${half}: tracker mean ${m}`, unit: '%', ours: f1(o[m]), reference: f1(p[m]), ratio: ratio(o[m], p[m]), referenceName: 'node-moving-things-tracker', target: half === 'validation' && m !== 'HOTA' ? '>= peer + 5' : undefined, pass: half === 'validation' && m !== 'HOTA' ? o[m] >= p[m] + 5 : undefined });
    }
    ctx.log(`tracker ${half}: ours ${f1(o.MOTA)} / ${f1(o.IDF1)} / ${f1(o.HOTA)}, peer ${f1(p.MOTA)} / ${f1(p.IDF1)} / ${f1(p.HOTA)} over ${o.cases} cases`);
  }
  md.push('');
}

/** Calibrated sequences (UCMCTrack cam_para): the image tracker and the floor tracker side by side. */
function floorPart(splits: Splits, config: TrackerConfig, ctx: BenchContext, rows: BenchRow[], md: string[]): void {
  md.push('### Floor tracker on the calibrated sequences (MOTA / IDF1 / HOTA; reference = our image tracker, same run)', '');
  md.push('| half | case | camera | image tracker | floor tracker | IDF1 gain |', '|---|---|---|---|---|---|');
  for (const half of ['validation', 'tuning'] as const) {
    for (const s of scoreFloorCases(trackingCases(splits, half), config)) {
      const i = s.image;
      const f = s.floor;
      const gain = f.IDF1 - i.IDF1;
      md.push(`| ${half} | ${s.name} | ${s.moving ? 'moving' : 'fixed'} | ${f1(i.MOTA)} / ${f1(i.IDF1)} / ${f1(i.HOTA)} | ${f1(f.MOTA)} / ${f1(f.IDF1)} / ${f1(f.HOTA)} | ${gain >= 0 ? '+' : ''}${f1(gain)} |`);
      for (const m of ['MOTA', 'IDF1', 'HOTA'] as const) {
        const target = m === 'IDF1' && half === 'validation' && !s.moving;
        rows.push({ name: `${half}: floor ${s.name} ${m}`, unit: '%', ours: f1(f[m]), reference: f1(i[m]), ratio: ratio(f[m], i[m]), referenceName: 'our image tracker', target: target ? '>= image + 5' : undefined, pass: target ? f.IDF1 >= i.IDF1 + 5 : undefined });
      }
      ctx.log(`floor ${half} ${s.name}: image IDF1 ${f1(i.IDF1)}, floor ${f1(f.IDF1)}`);
    }
  }
  md.push('', 'Moving cameras (MOT17-10, MOT17-13: a vehicle or a hand-held camera) break the single floor mapping: the floor tracker is for fixed cameras, as in a mall.', '');
}

interface VideoRun {
  entry: VideoEntry;
  half: Half;
  det: MotTable;
  gt: MotTable;
  /** The tracker settings used with this video's detector. */
  config: TrackerConfig;
}

function videoPart(splits: Splits, model: string, config: TrackerConfig, cacheDir: string, ctx: BenchContext, rows: BenchRow[], md: string[]): VideoRun[] {
  md.push(`### Detect -> track -> eval on the videos (${model}, every frame; MOTA / IDF1 / HOTA)`, '');
  md.push('| half | video | camera | ours (edge/track) | peer (node-moving-things-tracker) | target |', '|---|---|---|---|---|---|');
  const runs: VideoRun[] = [];
  const nmt = loadNmt();
  const targets: Record<string, [number, number]> = { 'PETS09-S2L1': [80, 65], 'TUD-Campus': [70, 78] };
  for (const half of ['validation', 'tuning'] as const) {
    for (const v of splits.videos[half]) {
      const det = videoDetections(v.video, model, cacheDir, (l) => ctx.log(l));
      if (!det) continue;
      const gt = readMotFile(join(MOT_DIR, v.gt));
      const last = gt.frames[gt.frames.length - 1] ?? 0;
      const packed = packDetections(det, last);
      const o = evaluateMot(gt, parseMotText(resultText(runTracker(packed, config, v.fps))));
      const p = evaluateMot(gt, parseMotText(runNmt(nmt, packed, PEER_MIN_SCORE).text));
      const t = targets[v.name];
      const pass = t ? o.MOTA >= t[0] && o.IDF1 >= t[1] : undefined;
      md.push(`| ${half} | ${v.name} | ${v.camera} | ${f1(o.MOTA)} / ${f1(o.IDF1)} / ${f1(o.HOTA)} | ${f1(p.MOTA)} / ${f1(p.IDF1)} / ${f1(p.HOTA)} | ${t ? `>= ${t[0]} / ${t[1]}: ${pass ? 'met' : 'missed'}` : '-'} |`);
      for (const m of ['MOTA', 'IDF1', 'HOTA'] as const) {
        rows.push({ name: `${half}: video ${v.name} ${m}`, unit: '%', ours: f1(o[m]), reference: f1(p[m]), ratio: ratio(o[m], p[m]), referenceName: 'node-moving-things-tracker', target: t && m !== 'HOTA' ? `>= ${m === 'MOTA' ? t[0] : t[1]}` : undefined, pass: t && m !== 'HOTA' ? o[m] >= (m === 'MOTA' ? t[0] : t[1]) : undefined });
      }
      ctx.log(`video ${v.name} (${half}): ours ${f1(o.MOTA)} / ${f1(o.IDF1)}, peer ${f1(p.MOTA)} / ${f1(p.IDF1)}`);
      runs.push({ entry: v, half, det, gt, config });
    }
  }
  md.push('');
  return runs;
}

function countRow(md: string[], rows: BenchRow[], half: Half, label: string, s: CountScores): void {
  const worst = s.ours.worst;
  const pw = s.peer?.worst;
  const detail = s.ours.rows.map((r) => `${r.line}.${r.direction} ${r.counted}/${r.truth}`).join(', ');
  const zones = s.zonesOurs.rows.map((r) => `${r.zone} ${r.counted}/${r.truth}`).join(', ');
  md.push(
    `| ${half} | ${label} | ${f3(s.onGt.mean)} | **${f3(s.ours.mean)}** / ${worst?.accuracy != null ? f3(worst.accuracy) : '-'} | ${s.peer ? `${f3(s.peer.mean)} / ${pw?.accuracy != null ? f3(pw.accuracy) : '-'}` : '-'} | ${detail} | ${f3(s.zonesOnGt.mean)} / **${f3(s.zonesOurs.mean)}** (${zones}) |`,
  );
  rows.push(
    { name: `${half}: count ${label}, perfect tracks, mean`, unit: 'accuracy', ours: f3(s.onGt.mean), reference: 1, ratio: f3(s.onGt.mean) },
    { name: `${half}: count ${label}, through our tracker, mean`, unit: 'accuracy', ours: f3(s.ours.mean), reference: s.peer ? f3(s.peer.mean) : null, ratio: s.peer ? ratio(s.ours.mean, s.peer.mean) : null, referenceName: 'OpenDataCam recipe (node-moving-things-tracker + plain segment test)' },
    { name: `${half}: count ${label}, through our tracker, worst line.direction`, unit: 'accuracy', ours: worst?.accuracy != null ? f3(worst.accuracy) : 1, reference: pw?.accuracy != null ? f3(pw.accuracy) : null, ratio: null, referenceName: 'OpenDataCam recipe' },
    { name: `${half}: zone visits ${label}, through our tracker, mean`, unit: 'accuracy', ours: f3(s.zonesOurs.mean), reference: f3(s.zonesOnGt.mean), ratio: ratio(s.zonesOurs.mean, s.zonesOnGt.mean), referenceName: 'our zone counting on the perfect tracks' },
  );
}

function countsPart(splits: Splits, config: TrackerConfig, videos: VideoRun[], ctx: BenchContext, rows: BenchRow[], md: string[]): void {
  md.push(
    `### Line and zone counts against their plain definitions (crossing: foot point from beyond ${TRUTH_BAND_PX} px on one side to beyond ${TRUTH_BAND_PX} px on the other, through the segment; visit: inside for minStayMs, ended by exitGraceMs outside)`,
    '',
    '| half | scene (tracks from) | lines: perfect tracks, mean | lines: through our tracker, mean / worst | lines: OpenDataCam recipe, mean / worst | counted / true per line.direction (ours) | zone visits: perfect / through our tracker, mean (counted/true) |',
    '|---|---|---|---|---|---|---|',
  );
  const frames = splits.crowds.countFrames;
  const nmt = loadNmt();
  for (const half of ['validation', 'tuning'] as const) {
    const crowdLines = lineConfigs(splits.crowds.lines[half]);
    const crowdZones = zoneConfigs(splits.crowds.zones[half]);
    for (const c of splits.crowds[half]) {
      if (c.people > 100) continue; // 200-person crowds: tracker rows only (occlusion caps recall)
      const sim = simulateCrowd({ people: c.people, frames, fps: 10, seed: c.seed, lines: splits.crowds.lines[half].map((l) => l.points) });
      const gt = parseMotText(sim.gt);
      const det = parseMotText(sim.det);
      const scene = { lines: crowdLines, zones: crowdZones, fps: sim.options.fps, width: sim.options.width, height: sim.options.height };
      const s = scoreCounts(
        truthOf(gt, scene),
        countOnTracks(gtTracks(gt), scene),
        countThroughTracker(det, frames, scene, config),
        countOpenDataCam(det, frames, crowdLines, nmt, PEER_MIN_SCORE),
      );
      countRow(md, rows, half, `crowd ${c.people} seed ${c.seed}, ${frames} frames (sim detections)`, s);
      ctx.log(`counts ${half} crowd ${c.people}: perfect ${f3(s.onGt.mean)}, ours ${f3(s.ours.mean)} (worst ${s.ours.worst?.accuracy}), peer ${f3(s.peer!.mean)}`);
    }
    const petsLines = lineConfigs(splits.pets09Lines[half]);
    const gt = readMotFile(`${MOT_DIR}PETS09-S2L1/gt.txt`);
    const info = seqInfo('PETS09-S2L1');
    const last = info.length ?? 795;
    const scene = { lines: petsLines, zones: zoneConfigs(splits.pets09Zones[half]), fps: info.fps, width: info.width, height: info.height };
    const truth = truthOf(gt, scene);
    const onGt = countOnTracks(gtTracks(gt), scene);
    const sources: Array<[string, MotTable, number]> = [];
    for (const d of ['det.txt', 'det-acf.txt']) sources.push([`PETS09-S2L1 (${d.replace('.txt', '')})`, readMotFile(`${MOT_DIR}PETS09-S2L1/${d}`), 0]);
    const video = videos.find((v) => v.entry.name === 'PETS09-S2L1');
    if (video) sources.push(['PETS09-S2L1 (our detector on the video)', video.det, PEER_MIN_SCORE]);
    for (const [label, det, peerMinScore] of sources) {
      const trackerConfig = det === video?.det ? video.config : config;
      const s = scoreCounts(truth, onGt, countThroughTracker(det, last, scene, trackerConfig), countOpenDataCam(det, last, petsLines, nmt, peerMinScore));
      countRow(md, rows, half, `${label}, lines ${petsLines.map((l) => l.name).join(', ')}`, s);
    }
  }
  md.push('');
}

/** Line-count accuracy against the detector noise level: where counting breaks, for each way of counting. */
function noisePart(splits: Splits, config: TrackerConfig, ctx: BenchContext, rows: BenchRow[], md: string[]): void {
  const fc = splits.floorCounting;
  const nmt = loadNmt();
  const ways = ['perfect tracks (floor counter)', 'our tracker, image counter', 'our tracker, floor counter', 'floor tracker, floor counter', 'OpenDataCam recipe'] as const;
  md.push(
    `### Line counts against detector noise (#23): mean / worst line.direction, ${fc.frames} frames at 10 fps, truth = crossingsOfPath on the simulated people's exact foot points (${TRUTH_BAND_PX} px band)`,
    '',
    `Noise model: ${NOISE_MODEL}. Jitter = sd of the box centre per frame as a fraction of the box height.`,
    '',
    `| half | people | jitter | ${ways.join(' | ')} |`,
    `|---|---|---|${ways.map(() => '---|').join('')}`,
  );
  const cell = (r: AccuracyReport) => `${f3(r.mean)} / ${f3(r.worst?.accuracy ?? 1)}`;
  for (const half of ['validation', 'tuning'] as const) {
    const lines = lineConfigs(splits.crowds.lines[half]);
    for (const c of fc.crowds[half]) {
      for (const j of fc.jitter[half]) {
        const sim = simulateCrowd({ people: c.people, frames: fc.frames, fps: 10, seed: c.seed, lines: splits.crowds.lines[half].map((l) => l.points), jitter: j });
        const cal = FloorCalibration.fromPoints(sim.calibration);
        const gt = parseMotText(sim.gt);
        const det = parseMotText(sim.det);
        const scene = { lines, zones: [], fps: 10, width: sim.options.width, height: sim.options.height };
        const floorScene = { ...scene, floor: cal };
        const truth = truthOf(gt, scene).lines;
        const counts: LineCounts[] = [
          countOnTracks(gtTracks(gt), floorScene).lines,
          countThroughTracker(det, fc.frames, scene, config).lines,
          countThroughTracker(det, fc.frames, floorScene, config).lines,
          countThroughTracker(det, fc.frames, floorScene, config, undefined, cal).lines,
          countOpenDataCam(det, fc.frames, lines, nmt, PEER_MIN_SCORE),
        ];
        const reports = counts.map((k) => countAccuracy(k, truth));
        md.push(`| ${half} | ${c.people} | ${Math.round(j * 100)}% | ${reports.map(cell).join(' | ')} |`);
        const target = half === 'validation' && j <= 0.06 ? (c.people <= 30 ? 0.95 : 0.9) : undefined;
        const image = reports[1]!.worst?.accuracy ?? 1;
        ways.forEach((w, k) => {
          const worst = reports[k]!.worst?.accuracy ?? 1;
          const ours = k === 3;
          rows.push({
            name: `${half}: noise ${Math.round(j * 100)}% crowd ${c.people} seed ${c.seed}, ${w}, worst line.direction`,
            unit: 'accuracy',
            ours: f3(worst),
            reference: ours ? f3(image) : null,
            ratio: ours ? ratio(worst, image) : null,
            referenceName: ours ? 'our tracker with the image counter' : undefined,
            target: ours && target !== undefined ? `>= ${target} and >= image counter` : undefined,
            pass: ours && target !== undefined ? worst >= target && worst >= image : undefined,
          });
        });
        ctx.log(`noise ${half} ${c.people} people jitter ${j}: ${ways.map((w, k) => `${w} ${cell(reports[k]!)}`).join('; ')}`);
      }
    }
  }
  md.push('');
}

/**
 * Sparse detection (#25): the DetectionScheduler + predict-only tracker against every-frame
 * detection on the same detections: MOTA / IDF1 on the videos, line counts on PETS09-S2L1 and
 * the crowds, and the fraction of frames inferred. The interval x speed grid runs on the tuning
 * half (defaults are chosen there); the validation half runs the interval sweep at the default speed.
 */
/** DetectionScheduler rules of the plain interval: every frame off, forced, interval (DetectReason 0-2). */
const PLAIN_INTERVAL_RULES = 0x07;

function sparsePart(splits: Splits, config: TrackerConfig, videos: VideoRun[], ctx: BenchContext, rows: BenchRow[], md: string[]): void {
  const d = detectorDefaults.parse({});
  const speeds = typeof ctx.args['sparse-speeds'] === 'string' ? ctx.args['sparse-speeds'].split(',').map(Number) : [0.75, d.sparseSpeedBoxHeightsPerS, 3];
  const intervals = [1, 2, 3, 4];
  const frames = splits.crowds.countFrames;
  const settings = (every: number, speed: number): SparseSettings => ({ every, speedBoxHeightsPerS: speed, newTrackMs: d.sparseNewTrackMs });
  md.push(
    '### Detect less often (#25): sparse detection vs every frame (same detections; predicted frames drop theirs)',
    '',
    'Cells: value at interval N / change against every frame (N = 1); inferred = fraction of frames the detector ran on.',
    '',
    '| half | scene | speed (box h/s) | N | inferred | MOTA / IDF1 | line counts mean / worst | zone visits mean |',
    '|---|---|---|---|---|---|---|---|',
  );
  interface Case { half: Half; label: string; det: MotTable; gt: MotTable | null; last: number; fps: number; tracker: TrackerConfig; scene: Scene | null; truth: SceneCounts | null }
  const cases: Case[] = [];
  for (const half of HALVES) {
    for (const v of videos.filter((x) => x.half === half || x.entry.name === 'PETS09-S2L1')) {
      const info = seqInfo(v.entry.name);
      const last = v.gt.frames[v.gt.frames.length - 1] ?? 0;
      const pets = v.entry.name === 'PETS09-S2L1';
      const scene: Scene | null = pets ? { lines: lineConfigs(splits.pets09Lines[half]), zones: zoneConfigs(splits.pets09Zones[half]), fps: info.fps, width: info.width, height: info.height } : null;
      if (!pets && v.half !== half) continue;
      cases.push({ half, label: `${v.entry.name} (our detector${pets ? `, ${half} lines` : ''})`, det: v.det, gt: v.gt, last, fps: v.entry.fps, tracker: v.config, scene, truth: scene ? truthOf(v.gt, scene) : null });
    }
    // The declared crowds plus the quiet ones (splits.json crowds.quiet): the density sweep.
    for (const c of [...splits.crowds.quiet[half], ...splits.crowds[half]]) {
      const sim = simulateCrowd({ people: c.people, frames, fps: 10, seed: c.seed, lines: splits.crowds.lines[half].map((l) => l.points) });
      const gt = parseMotText(sim.gt);
      const scene: Scene = { lines: lineConfigs(splits.crowds.lines[half]), zones: zoneConfigs(splits.crowds.zones[half]), fps: 10, width: sim.options.width, height: sim.options.height };
      cases.push({ half, label: `crowd ${c.people} seed ${c.seed} (sim)`, det: parseMotText(sim.det), gt, last: frames, fps: 10, tracker: config, scene, truth: truthOf(gt, scene) });
    }
  }
  const summary: Record<Half, Map<string, { worstDCount: number; worstDMota: number; worstDIdf1: number; inferred: number[] }>> = { tuning: new Map(), validation: new Map() };
  for (const half of ['tuning', 'validation'] as const) {
    for (const c of cases.filter((x) => x.half === half)) {
      let base: { mota: number; idf1: number; count: number; worst: number; zones: number } | null = null;
      const runSpeeds: Array<number | 'plain'> = [...(half === 'tuning' ? speeds : [d.sparseSpeedBoxHeightsPerS]), 'plain'];
      for (const speed of runSpeeds) {
        for (const every of intervals) {
          if (every === 1 && base) continue;
          // 'plain': DeepStream's interval with no rule (every Nth frame only), the cost of coasting alone.
          const set = speed === 'plain' ? { ...settings(every, 0), rules: PLAIN_INTERVAL_RULES } : settings(every, speed);
          const r = runSparse(c.det, c.last, c.fps, c.tracker, set, c.scene);
          const m = c.gt ? evaluateMot(c.gt, parseMotText(resultText(r.result))) : null;
          const acc = c.truth && r.counts ? countAccuracy(r.counts.lines, c.truth.lines) : null;
          const zacc = c.truth && r.counts && Object.keys(c.truth.zones).length > 0 ? zoneAccuracyMean(r.counts.zones, c.truth.zones) : null;
          const cur = { mota: m?.MOTA ?? NaN, idf1: m?.IDF1 ?? NaN, count: acc?.mean ?? NaN, worst: acc?.worst?.accuracy ?? NaN, zones: zacc ?? NaN };
          if (every === 1) base = cur;
          const b = base!;
          const inferred = r.detected / r.frames;
          const dm = cur.mota - b.mota, di = cur.idf1 - b.idf1, dc = cur.count - b.count;
          const sgn = (x: number, f: (v: number) => number) => (Number.isNaN(x) ? '' : ` (${x >= 0 ? '+' : ''}${f(x)})`);
          md.push(
            `| ${half} | ${c.label} | ${every === 1 ? '-' : speed} | ${every} | ${f3(inferred)} | ${m ? `${f1(cur.mota)}${sgn(dm, f1)} / ${f1(cur.idf1)}${sgn(di, f1)}` : '-'} | ${acc ? `${f3(cur.count)}${sgn(dc, f3)} / ${f3(cur.worst)}` : '-'} | ${zacc !== null ? `${f3(cur.zones)}${sgn(cur.zones - b.zones, f3)}` : '-'} |`,
          );
          if (every > 1) {
            const key = `${speed}/${every}`;
            const s = summary[half].get(key) ?? { worstDCount: 0, worstDMota: 0, worstDIdf1: 0, inferred: [] };
            if (!Number.isNaN(dc) && -dc > s.worstDCount) s.worstDCount = -dc;
            if (!Number.isNaN(dm) && -dm > s.worstDMota) s.worstDMota = -dm;
            if (!Number.isNaN(di) && -di > s.worstDIdf1) s.worstDIdf1 = -di;
            s.inferred.push(inferred);
            summary[half].set(key, s);
            rows.push({ name: `${half}: sparse ${c.label} N=${every} speed ${speed}, inferred fraction`, unit: 'fraction', ours: f3(inferred), reference: 1, ratio: f3(inferred) });
            if (m) rows.push({ name: `${half}: sparse ${c.label} N=${every} speed ${speed}, MOTA / IDF1 change`, unit: 'points', ours: f1(Math.min(dm, di)), reference: 0, ratio: null, target: '>= -1', pass: Math.min(dm, di) >= -1 });
            if (acc) rows.push({ name: `${half}: sparse ${c.label} N=${every} speed ${speed}, line count mean change`, unit: 'accuracy', ours: f3(dc), reference: 0, ratio: null, target: '>= -0.01', pass: dc >= -0.01 });
          }
          ctx.log(`sparse ${half} ${c.label} speed ${speed} N=${every}: inferred ${f3(inferred)}, MOTA ${f1(cur.mota)} IDF1 ${f1(cur.idf1)}, counts ${f3(cur.count)} (${f3(dc)})`);
        }
      }
    }
  }
  md.push('', '| half | speed / N | worst count change | worst MOTA change | worst IDF1 change | inferred (mean over scenes) |', '|---|---|---|---|---|---|');
  for (const half of ['validation', 'tuning'] as const) {
    for (const [key, s] of summary[half]) {
      md.push(`| ${half} | ${key} | -${f3(s.worstDCount)} | -${f1(s.worstDMota)} | -${f1(s.worstDIdf1)} | ${f3(s.inferred.reduce((a, b) => a + b, 0) / s.inferred.length)} |`);
    }
  }
  md.push('');
}

/** Mean over zones of min(counted, truth) / max(counted, truth) visits (1 when both 0). */
function zoneAccuracyMean(counted: Record<string, number>, truth: Record<string, number>): number {
  const names = Object.keys(truth);
  let sum = 0;
  for (const n of names) {
    const c = counted[n] ?? 0;
    const t = truth[n]!;
    sum += Math.max(c, t) === 0 ? 1 : Math.min(c, t) / Math.max(c, t);
  }
  return names.length > 0 ? sum / names.length : 1;
}

const target: BenchTarget = {
  name: 'accuracy',
  summary: 'tracker, end-to-end and line-count accuracy on the tuning and validation halves of scripts/accuracy/splits.json, beside the OpenDataCam tracker',
  async run(ctx) {
    const only = typeof ctx.args.only === 'string' ? ctx.args.only : undefined;
    const cacheDir = typeof ctx.args['det-cache'] === 'string' ? ctx.args['det-cache'] : DEFAULT_DET_CACHE;
    // --model NAME: the video part's detector (default: the agent's default model).
    const model = typeof ctx.args.model === 'string' ? ctx.args.model : detectorSection.parse({}).model;
    const splits = loadSplits();
    const config = trackerSection.parse({});
    const rows: BenchRow[] = [];
    const md: string[] = [];
    if (!only || only === 'tracking') trackingPart(splits, config, ctx, rows, md);
    if (!only || only === 'floor') floorPart(splits, config, ctx, rows, md);
    const videos = !only || only === 'video' || only === 'counts' || only === 'sparse' ? videoPart(splits, model, videoTrackerConfig(model), cacheDir, ctx, rows, md) : [];
    if (!only || only === 'counts') countsPart(splits, config, videos, ctx, rows, md);
    if (!only || only === 'noise') noisePart(splits, config, ctx, rows, md);
    if (!only || only === 'sparse') sparsePart(splits, config, videos, ctx, rows, md);
    for (const line of md) ctx.log(line);
    return {
      target: 'accuracy',
      machine: machineInfo(),
      results: rows,
      notes: [
        'Halves from scripts/accuracy/splits.json; defaults are chosen on the tuning half only, the validation half is the headline.',
        'Peer = node-moving-things-tracker 0.9.1 (OpenDataCam), run in the same process on the same detections as its motchallenge CLI mode.',
        `Truth of line counts: trueCrossings (edge/analytics/offline/count-accuracy.ts) on ground-truth tracks, band ${TRUTH_BAND_PX} px.`,
      ],
    };
  },
};

export default target;
