// `footfall bench capacity -- --sustained`: cameras per box measured on the running agent, not
// computed. Each step starts the real agent in this process (Agent: real ffmpeg file sources
// looping at 5 fps, the detector stage and its inference workers, tracker, analytics, SQLite
// store, sync stage with its embedded broker) with N cameras, lets it settle, then measures for
// a fixed window: frames that reached the tracker's output against the 5 fps x N x window the
// cameras should deliver (queue drops and ffmpeg falling behind both count as lost), and the
// p95 latency from frame capture to track/analytics output. N doubles until a step fails
// (> 1 % lost or p95 > 1 s), then bisects. Day mix = half the cameras on the busy clips, half
// on idle scenes made from the same clips (median background + sensor noise + a light ramp,
// encoded to H.264 at the clip's size so decoding costs what a camera would).
// `--only pool` measures the worker pool alone (inferences/s, 1 x 2-thread vs 2 x 1-thread
// sessions) and shows that 1- and 2-thread sessions give the same tracks and counts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../edge/agent.ts';
import { configSchema } from '../../edge/config/index.ts';
import { WorkerPersonDetector } from '../../edge/detect/index.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import { SeededRandom } from '../../edge/shared/random.ts';
import type { TrackFrame } from '../../edge/shared/types.ts';
import type { BenchContext, BenchRow } from './types.ts';

const S = 416;
const FPS = 5;
const MAX_DROP = 0.01;
const MAX_P95_MS = 1000;

export interface SourceClip {
  name: string;
  video: string;
  width: number;
  height: number;
  /** Counting lines for the camera (source pixels). */
  lines: Array<{ name: string; points: Array<[number, number]> }>;
}

interface StepResult {
  cameras: number;
  expected: number;
  delivered: number;
  lostFraction: number;
  queueDropped: number;
  p95Ms: number;
  p50Ms: number;
  inferencesPerS: number;
  holds: boolean;
}

function run(cmd: string, args: string[], input?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout!.on('data', (d: Buffer) => out.push(d));
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} failed (${code}): ${err.slice(-400)}`))));
    if (input) void input(p.stdin!).then(() => p.stdin!.end(), reject);
  });
}

export async function probeClip(video: string): Promise<{ width: number; height: number; durationS: number }> {
  const out = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:format=duration', '-of', 'json', video]);
  const j = JSON.parse(out.toString()) as { streams: Array<{ width: number; height: number }>; format: { duration: string } };
  return { width: j.streams[0]!.width, height: j.streams[0]!.height, durationS: Number(j.format.duration) };
}

/**
 * An idle scene of `clip` as a video file (cached): the per-pixel median of 25 frames spread
 * over the clip (people removed), Gaussian sensor noise (sd 2.5) and a light ramp up to +30 %
 * and back over 60 s (so the loop is seamless), at the clip's own size, H.264.
 */
async function idleVideo(clip: SourceClip, dir: string): Promise<string> {
  const out = join(dir, `idle-${clip.name}.mp4`);
  if (existsSync(out)) return out;
  const { durationS } = await probeClip(clip.video);
  const raw = await run('ffmpeg', ['-v', 'error', '-i', clip.video, '-vf', `fps=${(25 / durationS).toFixed(4)},scale=${S}:${S}:flags=area`, '-frames:v', '25', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']);
  const bytes = S * S * 3;
  const n = Math.floor(raw.length / bytes);
  const bg = new Uint8Array(bytes);
  const vals = new Uint8Array(n);
  for (let p = 0; p < bytes; p++) {
    for (let k = 0; k < n; k++) vals[k] = raw[k * bytes + p]!;
    vals.sort();
    bg[p] = vals[n >> 1]!;
  }
  const rng = new SeededRandom(11);
  const noise = new Int8Array(65536);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.round(rng.normal(0, 2.5));
  const frames = 60 * FPS;
  await run(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${S}x${S}`, '-r', String(FPS), '-i', '-', '-vf', `scale=${clip.width}:${clip.height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', out],
    async (stdin) => {
      for (let f = 0; f < frames; f++) {
        const light = 1 + 0.3 * Math.sin((f / frames) * Math.PI);
        const n0 = rng.int(0, noise.length - 1);
        const frame = Buffer.allocUnsafe(bytes);
        for (let p = 0; p < bytes; p++) {
          const v = bg[p]! * light + noise[(n0 + p) & 65535]!;
          frame[p] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
        if (!stdin.write(frame)) await new Promise<void>((r) => stdin.once('drain', () => r()));
      }
    },
  );
  return out;
}

type Mode = 'gated' | 'every';

/** The detector config of each path: ours (the agent's defaults: gate + pool) and the reference. */
function detectorFor(mode: Mode): Record<string, unknown> {
  // The reference is the float model whatever the default is (the every-frame fp32 baseline).
  return mode === 'gated' ? {} : { model: 'picodet_s_416_coco', motionGate: 'off', sparseDetection: 'off', workers: 1, threads: 2 };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** One step: the real agent with `sources.length` cameras, warmed up, then measured for `measureS`. */
async function runStep(mode: Mode, sources: SourceClip[], warmupS: number, measureS: number): Promise<StepResult> {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-sustained-'));
  const config = configSchema.parse({
    dataDir: dir,
    demoCamera: false,
    status: { enabled: false },
    mqtt: { embedded: { port: 20_000 + Math.floor(Math.random() * 20_000) } },
    detector: detectorFor(mode),
    cameras: sources.map((s, i) => ({ name: `cam${i}`, url: s.video, fps: FPS, loop: true, lines: s.lines })),
  });
  const agent = new Agent({ config, logger: silentLogger(), cwd: process.cwd() });
  const n = sources.length;
  const latencies = new Float64Array(n * FPS * (measureS + 5) * 2);
  let nLat = 0;
  // Per camera: captures in the window (first/last capture time, count) and their outputs.
  const first = new Float64Array(n).fill(NaN);
  const last = new Float64Array(n);
  const captured = new Int32Array(n);
  const output = new Int32Array(n);
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const index = (camera: string) => Number(camera.slice(3));
  try {
    await agent.start();
    // Registered after the stages: runs after the detector has queued the frame, and after
    // the tracker and analytics have handled it.
    agent.bus.on('sustained-bench', 'camera.frame', (f) => {
      if (f.tsMs < windowStart || f.tsMs > windowEnd) return;
      const i = index(f.camera);
      if (Number.isNaN(first[i]!)) first[i] = f.tsMs;
      last[i] = f.tsMs;
      captured[i]!++;
    });
    agent.bus.on('sustained-bench', 'track.frame', (t: TrackFrame) => {
      if (t.tsMs < windowStart || t.tsMs > windowEnd) return;
      output[index(t.camera)]!++;
      if (nLat < latencies.length) latencies[nLat++] = agent.clock.now() - t.tsMs;
    });
    await new Promise((r) => setTimeout(r, warmupS * 1000));
    const before = detectCounters(agent);
    windowStart = agent.clock.now();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, measureS * 1000));
    windowEnd = agent.clock.now();
    // Outputs of frames captured in the window may still come: wait past the latency limit.
    await new Promise((r) => setTimeout(r, MAX_P95_MS + 500));
    const after = detectCounters(agent);
    const countedS = (performance.now() - t0) / 1000;
    // A camera delivering fewer than 5 fps (ffmpeg behind) shows as a longer gap between its
    // first and last capture than its frames explain; a camera that delivered nothing lost all.
    let expected = 0;
    let delivered = 0;
    for (let i = 0; i < n; i++) {
      expected += Number.isNaN(first[i]!) ? measureS * FPS : Math.max(captured[i]!, Math.round(((last[i]! - first[i]!) * FPS) / 1000) + 1);
      delivered += output[i]!;
    }
    const lat = latencies.subarray(0, nLat).sort();
    const lostFraction = Math.max(0, 1 - delivered / expected);
    const p95Ms = quantile(lat, 0.95);
    return {
      cameras: n,
      expected,
      delivered,
      lostFraction,
      queueDropped: after.dropped - before.dropped,
      p95Ms,
      p50Ms: quantile(lat, 0.5),
      inferencesPerS: (after.inferred - before.inferred) / countedS,
      holds: lostFraction <= MAX_DROP && p95Ms <= MAX_P95_MS,
    };
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function detectCounters(agent: Agent): { dropped: number; inferred: number } {
  const m = agent.health().detect?.metrics ?? {};
  let dropped = 0;
  let inferred = 0;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'number') continue;
    if (k.endsWith('.dropped')) dropped += v;
    else if (k.endsWith('.inferred')) inferred += v;
  }
  return { dropped, inferred };
}

function logStep(ctx: BenchContext, label: string, n: number, r: StepResult, suffix: string): void {
  ctx.log(
    `  ${label} N=${n}: ${r.holds ? 'holds' : 'FAILS'} (lost ${(r.lostFraction * 100).toFixed(2)} % of ${r.expected} frames, queue drops ${r.queueDropped}, ` +
      `latency p50 ${r.p50Ms.toFixed(0)} ms p95 ${r.p95Ms.toFixed(0)} ms, ${r.inferencesPerS.toFixed(1)} inferences/s for ${n * FPS} frames/s; load ${loadavg()[0]!.toFixed(1)})${suffix}`,
  );
}

/** Largest N that holds: doubling from `start` until a step fails, then bisection. */
class CameraSearch {
  lo = 0;
  hi = Infinity;
  done = false;
  readonly steps: StepResult[] = [];

  constructor(
    readonly label: string,
    readonly mode: Mode,
    public n: number,
    readonly maxN: number,
  ) {}

  record(r: StepResult): void {
    this.steps.push(r);
    if (r.holds) this.lo = this.n;
    else this.hi = this.n;
    if (this.hi === Infinity) {
      if (this.n >= this.maxN) this.done = true;
      else this.n = Math.min(this.maxN, this.n * 2);
    } else if (this.hi - this.lo <= 1) this.done = true;
    else this.n = Math.floor((this.lo + this.hi) / 2);
  }
}

/**
 * Runs both searches step by step, alternating (reference, ours, reference, ...), so the
 * two see the same stretch of the shared machine's load.
 */
async function searchTogether(ctx: BenchContext, searches: CameraSearch[], sourcesFor: (n: number) => SourceClip[], o: SustainedOptions): Promise<void> {
  while (searches.some((s) => !s.done)) {
    for (const s of searches) {
      if (s.done) continue;
      let r = await runStep(s.mode, sourcesFor(s.n), o.warmupS, o.measureS);
      // Other work on a shared box only ever slows a step: a failure must repeat to count.
      if (!r.holds && o.confirm) {
        logStep(ctx, s.label, s.n, r, ' (retrying once)');
        r = await runStep(s.mode, sourcesFor(s.n), o.warmupS, o.measureS);
      }
      logStep(ctx, s.label, s.n, r, '');
      s.record(r);
    }
  }
}

export interface SustainedOptions {
  busy: SourceClip[];
  warmupS: number;
  measureS: number;
  maxCameras: number;
  /** Re-run a failing step once (a shared box's other work only slows steps down). */
  confirm: boolean;
  only?: string;
}

/** The sustained rows: day mix and busy, gated (the agent's defaults) against every-frame fp32 with one 2-thread session. */
export async function runSustained(ctx: BenchContext, o: SustainedOptions): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const cacheDir = join(tmpdir(), 'footfall-capacity-idle');
  mkdirSync(cacheDir, { recursive: true });
  const idle: SourceClip[] = [];
  for (const c of o.busy) idle.push({ ...c, name: `${c.name}-idle`, video: await idleVideo(c, cacheDir) });
  const busyFor = (n: number) => Array.from({ length: n }, (_, i) => o.busy[i % o.busy.length]!);
  // Day mix: half the camera-time busy, half idle (alternate cameras).
  const dayFor = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? o.busy[(i >> 1) % o.busy.length]! : idle[(i >> 1) % idle.length]!));
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  // Where the doubling starts: about what the box holds (issue 25: ~7 every-frame cameras), so few steps are spent below it.
  const runs: Array<{ row: string; mix: (n: number) => SourceClip[]; startEvery: number; startOurs: number }> = [
    { row: 'cameras_5fps_busy_sustained', mix: busyFor, startEvery: 4, startOurs: 4 },
    { row: 'cameras_5fps_day_mix_sustained', mix: dayFor, startEvery: 4, startOurs: 8 },
  ];
  for (const r of runs) {
    if (o.only && !r.row.includes(o.only)) continue;
    ctx.log(`${r.row}: every frame, fp32, one 2-thread session (reference) and the motion gate + worker pool (the agent's defaults), alternating`);
    const every = new CameraSearch('every-frame', 'every', r.startEvery, o.maxCameras);
    const gated = new CameraSearch('gated+pool', 'gated', r.startOurs, o.maxCameras);
    await searchTogether(ctx, [every, gated], r.mix, o);
    every.n = every.lo;
    gated.n = gated.lo;
    const ratio = every.n > 0 ? Number((gated.n / every.n).toFixed(3)) : null;
    const target = r.row.includes('day') ? 3 : 1.5;
    rows.push({
      name: r.row,
      unit: 'cameras',
      ours: gated.n,
      reference: every.n,
      ratio,
      referenceName: 'every-frame fp32 detection, one 2-thread onnxruntime session',
      target: `>= ${target}`,
      pass: ratio !== null && ratio >= target,
      steps: { gated: gated.steps.length, every: every.steps.length },
    });
  }
  notes.push(
    `sustained: the real agent in-process per step (${o.warmupS} s warm-up, ${o.measureS} s measured); holds = <= ${MAX_DROP * 100} % of the 5 fps frames lost before the tracker's output and p95 capture -> track/analytics latency <= ${MAX_P95_MS} ms; N doubles then bisects${o.confirm ? '; a failing step is re-run once and counts only if it fails again' : ''}`,
  );
  return { rows, notes };
}

/** Inferences per second of `workers` worker sessions x `threads` threads, each worker kept busy, for `seconds`. */
async function poolThroughput(frames: Buffer[], workers: number, threads: number, seconds: number): Promise<number> {
  const pool = await Promise.all(Array.from({ length: workers }, () => WorkerPersonDetector.load({ model: 'picodet_s_416_coco', threads })));
  try {
    // Warm-up: one inference each.
    await Promise.all(pool.map((d) => d.detect(frames[0]!, S, S)));
    let done = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      pool.map(async (d, w) => {
        for (let i = w; performance.now() < end; i++) {
          await d.detect(frames[i % frames.length]!, S, S);
          done++;
        }
      }),
    );
    return done / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(pool.map((d) => d.close()));
  }
}

/** The pool alone: 1 x 2-thread against 2 x 1-thread sessions, alternated `rounds` times in one run. */
export async function runPoolThroughput(ctx: BenchContext, video: string, seconds: number, rounds: number): Promise<BenchRow> {
  const raw = await run('ffmpeg', ['-v', 'error', '-i', video, '-frames:v', '40', '-vf', `scale=${S}:${S}:flags=area`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']);
  const frames: Buffer[] = [];
  for (let o = 0; o + S * S * 3 <= raw.length; o += S * S * 3) frames.push(raw.subarray(o, o + S * S * 3));
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < rounds; r++) {
    one.push(await poolThroughput(frames, 1, 2, seconds));
    two.push(await poolThroughput(frames, 2, 1, seconds));
    ctx.log(`pool round ${r + 1}: 1 x 2-thread ${one.at(-1)!.toFixed(1)} inferences/s, 2 x 1-thread ${two.at(-1)!.toFixed(1)} inferences/s`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  const ours = median(two);
  const reference = median(one);
  return {
    name: 'detector_inferences_per_s_pool',
    unit: 'inferences/s',
    ours: Number(ours.toFixed(1)),
    reference: Number(reference.toFixed(1)),
    ratio: Number((ours / reference).toFixed(3)),
    referenceName: 'one worker, one 2-thread session (PicoDet-S 416)',
    target: '-',
    pass: ours > reference,
    detail: `2 workers x 1 thread, median of ${rounds} alternated ${seconds}-s rounds`,
  };
}
