// `footfall bench site-stitcher`: can one box stitch a 400-camera site? A synthetic site (a grid
// of camera views, 10 x 8 m each, 1 m overlaps along x and 2 m gaps along y, one shop zone per
// view) with `--per-view` people per view on average walking between random shops with dwell;
// their floor samples (every 200 ms, 10 cm of noise per camera) become fragments of `--boxes`
// boxes, one batch per box per second, exactly as the site broker delivers them. Measured in one
// run: the wire (decoding the boxes' fragments messages, FragmentSubscriber's work) and the site's
// stitcher (SitePathsService: hand-over, visits, hourly tally) over `--seconds` of site time.
// Reference: the site's own pace (site-seconds per second = 1); ratio = headroom (wall time;
// coreShare is the stitcher's CPU time per site-second, which a loaded machine inflates less).
// The fragment generation is outside the timing.
import { decodeFragmentBatch, encodeFragmentBatch } from '../../cloud-sync/contract/index.ts';
import { configSchema } from '../../edge/config/index.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import { SeededRandom } from '../../edge/shared/random.ts';
import type { FragmentBatch, FragmentChunk } from '../../edge/site-paths/index.ts';
import { SitePathsService } from '../../edge/site-paths/index.ts';
import { machineInfo } from './machine.ts';
import type { BenchRow, BenchTarget } from './types.ts';

const VIEW_W = 10;
const VIEW_H = 8;
const STEP_X = 9; // 1 m overlap
const STEP_Y = 10; // 2 m gap
const SAMPLE_MS = 200;

interface Site {
  cols: number;
  rows: number;
  zones: Array<{ name: string; polygon: Array<[number, number]> }>;
}

function siteOf(cameras: number): Site {
  const cols = Math.ceil(Math.sqrt(cameras));
  const rows = Math.ceil(cameras / cols);
  const zones = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols && r * cols + c < cameras; c++) {
      const x0 = c * STEP_X + 3;
      const y0 = r * STEP_Y + 5.5;
      zones.push({ name: `shop-${r}-${c}`, polygon: [[x0, y0], [x0 + 4, y0], [x0 + 4, y0 + 2], [x0, y0 + 2]] as Array<[number, number]> });
    }
  }
  return { cols, rows, zones };
}

/** Per box, per second: the batches of the site (fragments of every camera seeing each person). */
function generate(site: Site, cameras: number, boxes: number, people: number, seconds: number, t0: number, seed: number): { batches: FragmentBatch[][]; samples: number; fragments: number } {
  const rnd = new SeededRandom(seed);
  const stepsPerS = 1000 / SAMPLE_MS;
  const boxOf = (cam: number) => `box-${cam % boxes}`;
  interface Person {
    x: number;
    y: number;
    tx: number;
    ty: number;
    speed: number;
    dwell: number;
    open: Map<number, FragmentChunk>;
  }
  const shop = (): [number, number] => {
    const z = site.zones[rnd.int(0, site.zones.length - 1)]!.polygon;
    return [z[0]![0] + 2 + rnd.normal(0, 0.5), z[0]![1] + 1 + rnd.normal(0, 0.3)];
  };
  const ps: Person[] = [];
  for (let p = 0; p < people; p++) {
    const [x, y] = shop();
    const [tx, ty] = shop();
    ps.push({ x, y, tx, ty, speed: 1 + rnd.next() * 0.5, dwell: rnd.next() * 10, open: new Map() });
  }
  let nextFragment = 1;
  let samples = 0;
  let fragments = 0;
  const out: FragmentBatch[][] = [];
  const pending = new Map<string, FragmentChunk[]>();
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < stepsPerS; k++) {
      const t = t0 + s * 1000 + k * SAMPLE_MS;
      for (const p of ps) {
        if (p.dwell > 0) {
          p.dwell -= SAMPLE_MS / 1000;
        } else {
          const dx = p.tx - p.x;
          const dy = p.ty - p.y;
          const d = Math.hypot(dx, dy);
          const step = (p.speed * SAMPLE_MS) / 1000;
          if (d <= step) {
            p.x = p.tx;
            p.y = p.ty;
            p.dwell = 4 + rnd.next() * 20;
            // Mostly a nearby shop: people do not cross a 200 m mall between every two shops.
            const [nx, ny] = shop();
            p.tx = p.x + Math.max(-40, Math.min(40, nx - p.x));
            p.ty = p.y + Math.max(-30, Math.min(30, ny - p.y));
          } else {
            p.x += (dx / d) * step;
            p.y += (dy / d) * step;
          }
        }
        // Cameras whose view holds the person.
        const c0 = Math.max(0, Math.floor((p.x - VIEW_W) / STEP_X) + 1);
        const c1 = Math.min(site.cols - 1, Math.floor(p.x / STEP_X));
        const r0 = Math.max(0, Math.floor((p.y - VIEW_H) / STEP_Y) + 1);
        const r1 = Math.min(site.rows - 1, Math.floor(p.y / STEP_Y));
        const seen = new Set<number>();
        for (let r = r0; r <= r1; r++) {
          for (let c = c0; c <= c1; c++) {
            const cam = r * site.cols + c;
            if (cam >= cameras) continue;
            const vx = c * STEP_X;
            const vy = r * STEP_Y;
            if (p.x < vx || p.x >= vx + VIEW_W || p.y < vy || p.y >= vy + VIEW_H) continue;
            seen.add(cam);
            let f = p.open.get(cam);
            if (!f) {
              f = { box: boxOf(cam), camera: `cam-${cam}`, fragment: nextFragment++, t: [], x: [], y: [], ended: false };
              fragments++;
              p.open.set(cam, f);
            }
            (f.t as number[]).push(t);
            (f.x as number[]).push(p.x + rnd.normal(0, 0.1));
            (f.y as number[]).push(p.y + rnd.normal(0, 0.1));
            samples++;
          }
        }
        for (const [cam, f] of p.open) {
          if (seen.has(cam)) continue;
          f.ended = true;
          p.open.delete(cam);
          const list = pending.get(f.box) ?? [];
          list.push(f);
          pending.set(f.box, list);
        }
      }
    }
    // Flush once a second: every open fragment's new samples, and the ended ones.
    const second: FragmentBatch[] = [];
    for (let b = 0; b < boxes; b++) second.push({ box: `box-${b}`, upToMs: t0 + (s + 1) * 1000 - SAMPLE_MS, chunks: pending.get(`box-${b}`) ?? [] });
    pending.clear();
    for (const p of ps) {
      for (const [cam, f] of p.open) {
        if (f.t.length === 0) continue;
        second[cam % boxes]!.chunks.push({ ...f });
        p.open.set(cam, { ...f, t: [], x: [], y: [] });
      }
    }
    out.push(second);
  }
  return { batches: out, samples, fragments };
}

const target: BenchTarget = {
  name: 'site-stitcher',
  summary: "the site's stitcher and the fragments wire for a 400-camera site, against the site's own pace",
  async run(ctx) {
    const cameras = Number(ctx.args.cameras ?? 400);
    const boxes = Number(ctx.args.boxes ?? 16);
    const perView = Number(ctx.args['per-view'] ?? 4);
    const seconds = Number(ctx.args.seconds ?? 120);
    const people = Math.round(cameras * perView);
    const site = siteOf(cameras);
    const t0 = Date.UTC(2026, 11, 5, 10, 0, 0);
    ctx.log(`generating ${seconds} s of a ${cameras}-camera site (${site.cols} x ${site.rows} views), ${people} people, ${boxes} boxes`);
    const gen = generate(site, cameras, boxes, people, seconds, t0, 11);
    // The wire: what the stitcher's subscriber decodes (encoding is the boxes' work, outside the timing).
    const messages: string[] = [];
    for (const second of gen.batches) for (const b of second) messages.push(...encodeFragmentBatch('bench', b));
    const bytes = messages.reduce((n, m) => n + m.length, 0);
    let w0 = performance.now();
    let decodedSamples = 0;
    for (const m of messages) {
      const r = decodeFragmentBatch(m);
      if (!r.ok) throw new Error(r.error);
      for (const c of r.batch.chunks) decodedSamples += c.t.length;
    }
    const wireMs = performance.now() - w0;
    // The stitcher.
    const config = configSchema.parse({
      site: 'bench',
      device: 'box-0',
      floorPlan: { zones: site.zones },
      sitePaths: { boxes: Array.from({ length: boxes - 1 }, (_, i) => `box-${i + 1}`), publishDelayS: 0 },
    });
    let now = t0;
    const service = new SitePathsService({ config, sink: { append: () => '' }, logger: silentLogger(), now: () => now });
    let worstSecondMs = 0;
    const cpu0 = process.cpuUsage();
    w0 = performance.now();
    for (const second of gen.batches) {
      const s0 = performance.now();
      now = second[0]!.upToMs;
      for (const b of second) service.add(b);
      service.tick();
      worstSecondMs = Math.max(worstSecondMs, performance.now() - s0);
    }
    const stitchMs = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    // CPU time, not wall time, says what the stitcher costs on a shared, loaded machine.
    const stitchCpuMs = (cpu.user + cpu.system) / 1000;
    const c = service.stitcherCounters;
    ctx.log(`samples ${gen.samples}, fragments ${gen.fragments}, site tracks ${c.siteTracks}, hand-overs ${c.overlapJoins + c.gapJoins}, cuts ${c.cuts}; wire ${(bytes / seconds / 1024).toFixed(0)} KiB/s`);
    const rows: BenchRow[] = [
      {
        name: `stitcher, ${cameras} cameras, ${people} people`,
        unit: 'site-s/s',
        ours: Number(((seconds * 1000) / stitchMs).toFixed(2)),
        reference: 1,
        ratio: Number(((seconds * 1000) / stitchMs).toFixed(2)),
        referenceName: "the site's own pace",
        samplesPerS: Math.round(gen.samples / (stitchMs / 1000)),
        fragmentsPerS: Math.round(gen.fragments / (stitchMs / 1000)),
        siteFragmentsPerS: Number((gen.fragments / seconds).toFixed(1)),
        siteSamplesPerS: Math.round(gen.samples / seconds),
        worstSecondMs: Number(worstSecondMs.toFixed(1)),
        wallShare: Number((stitchMs / (seconds * 1000)).toFixed(4)),
        coreShare: Number((stitchCpuMs / (seconds * 1000)).toFixed(4)),
        cpuSiteSPerS: Number(((seconds * 1000) / stitchCpuMs).toFixed(2)),
      },
      {
        name: `fragments wire decode, ${cameras} cameras`,
        unit: 'site-s/s',
        ours: Number(((seconds * 1000) / wireMs).toFixed(2)),
        reference: 1,
        ratio: Number(((seconds * 1000) / wireMs).toFixed(2)),
        referenceName: "the site's own pace",
        samplesPerS: Math.round(decodedSamples / (wireMs / 1000)),
        messagesPerS: Number((messages.length / seconds).toFixed(1)),
        kibPerS: Math.round(bytes / seconds / 1024),
        coreShare: Number((wireMs / (seconds * 1000)).toFixed(4)),
      },
    ];
    return { target: 'site-stitcher', results: rows, machine: machineInfo(), notes: [`${seconds} s of site time, ${boxes} boxes, ${perView} people per view on average`] };
  },
};

export default target;
