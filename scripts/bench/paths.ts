// `footfall bench paths`: mall-wide paths (#24) on the simulated malls of scripts/mall-sim, the
// layouts, seeds, crowds and noise declared in scripts/accuracy/splits.json ("paths"),
// validation first (the headline), then tuning. For each: the live code offline
// (runSitePathsOffline: floor tracker per camera, fragments, stitcher, zone visits) with
// hand-over (ours) against the obvious baseline (each camera's own tracks, no hand-over), scored
// against the truth from the true floor paths: A>B and A>B>C error (sum |counted - true| /
// sum true), the share of true transitions found (sum min / sum true) and invented
// (sum max(counted - true, 0) / sum counted). Then the stitcher's throughput on a 400-camera
// site (scripts/bench/paths-throughput.ts) against the fragment rate that site produces.
// A sweep shows where it breaks: crowd size against detector noise (exact boxes vs the declared
// 4 %) and boxes clipped at the frame border (seen vs hidden), on the two tuning layouts.
// Options: --only validation|tuning|sweep|throughput
import { loadavg } from 'node:os';
import { configSchema } from '../../edge/config/index.ts';
import { runSitePathsOffline } from '../../edge/site-paths/index.ts';
import { loadSplits, type Half, type PathsEntry } from '../accuracy/splits.ts';
import { MALL_NOISE_MODEL, simulateMall, type MallSimOptions } from '../mall-sim/simulator.ts';
import { machineInfo } from './machine.ts';
import { stitcherThroughput } from './paths-throughput.ts';
import type { BenchRow, BenchTarget } from './types.ts';

type Counts = Record<string, number>;

const total = (r: Counts) => Object.values(r).reduce((a, b) => a + b, 0);

/** sum over cells |counted - true| / sum true. */
export function transitionError(counted: Counts, truth: Counts): number {
  let diff = 0;
  for (const k of new Set([...Object.keys(counted), ...Object.keys(truth)])) diff += Math.abs((counted[k] ?? 0) - (truth[k] ?? 0));
  const t = total(truth);
  return t === 0 ? (diff === 0 ? 0 : Infinity) : diff / t;
}

/** Share of true transitions found: sum min(counted, true) / sum true. */
export function foundShare(counted: Counts, truth: Counts): number {
  let hit = 0;
  for (const k of Object.keys(truth)) hit += Math.min(counted[k] ?? 0, truth[k]!);
  const t = total(truth);
  return t === 0 ? 1 : hit / t;
}

/** Share of counted transitions that are invented: sum max(counted - true, 0) / sum counted. */
export function inventedShare(counted: Counts, truth: Counts): number {
  let extra = 0;
  for (const k of Object.keys(counted)) extra += Math.max(0, counted[k]! - (truth[k] ?? 0));
  const c = total(counted);
  return c === 0 ? 0 : extra / c;
}

export interface PathsCaseResult {
  half: Half;
  entry: PathsEntry;
  cameras: number;
  truth: { visits: number; transitions: number; sequences: number };
  ours: PathsScore;
  baseline: PathsScore;
  simMs: number;
  oursMs: number;
}

export interface PathsScore {
  ab: number;
  abc: number;
  found: number;
  invented: number;
  visits: number;
  transitions: number;
  sequences: number;
  fragments: number;
  siteTracks: number;
  handovers: number;
  cuts: number;
}

export function runPathsCase(half: Half, entry: PathsEntry, overrides: Partial<MallSimOptions> = {}): PathsCaseResult {
  let t0 = performance.now();
  const sim = simulateMall({ layout: entry.layout, people: entry.people, minutes: entry.minutes, seed: entry.seed, jitter: entry.jitter, ...overrides });
  const simMs = performance.now() - t0;
  const config = configSchema.parse(sim.siteConfig);
  const score = (handover: boolean): PathsScore => {
    const r = runSitePathsOffline({ config, detections: sim.detections, fps: sim.options.fps, handover });
    return {
      ab: transitionError(r.transitions, sim.truth.transitions),
      abc: transitionError(r.sequences, sim.truth.sequences),
      found: foundShare(r.transitions, sim.truth.transitions),
      invented: inventedShare(r.transitions, sim.truth.transitions),
      visits: total(r.visits),
      transitions: total(r.transitions),
      sequences: total(r.sequences),
      fragments: r.fragments,
      siteTracks: r.siteTracks,
      handovers: r.handovers,
      cuts: r.cuts,
    };
  };
  t0 = performance.now();
  const ours = score(true);
  const oursMs = performance.now() - t0;
  const baseline = score(false);
  return {
    half,
    entry,
    cameras: sim.cameras.length,
    truth: { visits: total(sim.truth.visits), transitions: total(sim.truth.transitions), sequences: total(sim.truth.sequences) },
    ours,
    baseline,
    simMs,
    oursMs,
  };
}

const f3 = (v: number) => Math.round(v * 1000) / 1000;

function rowsOf(r: PathsCaseResult): BenchRow[] {
  const e = r.entry;
  const name = `${r.half} ${e.layout} seed ${e.seed} ${e.people} people ${e.minutes} min jitter ${Math.round(e.jitter * 100)}%`;
  const lower = (what: string, unit: string, ours: number, ref: number, target?: number): BenchRow => ({
    name: `${name}: ${what}`,
    unit,
    ours: f3(ours),
    reference: f3(ref),
    ratio: ours === 0 ? null : f3(ref / ours),
    referenceName: 'each camera alone (no hand-over)',
    ...(target !== undefined && r.half === 'validation' ? { target: `<= ${target}`, pass: ours <= target } : {}),
  });
  return [
    lower('A>B error', 'error', r.ours.ab, r.baseline.ab, 0.1),
    lower('A>B>C error', 'error', r.ours.abc, r.baseline.abc, 0.2),
    { name: `${name}: true A>B found`, unit: 'share', ours: f3(r.ours.found), reference: f3(r.baseline.found), ratio: r.baseline.found === 0 ? null : f3(r.ours.found / r.baseline.found), referenceName: 'each camera alone (no hand-over)' },
    lower('A>B invented', 'share', r.ours.invented, r.baseline.invented),
  ];
}

const target: BenchTarget = {
  name: 'paths',
  summary: 'mall-wide transitions A>B, A>B>C on simulated malls: hand-over against each camera alone; stitcher throughput for 400 cameras',
  async run(ctx) {
    const only = typeof ctx.args.only === 'string' ? ctx.args.only : undefined;
    if (only && !['validation', 'tuning', 'sweep', 'throughput'].includes(only)) throw new Error(`--only must be validation, tuning, sweep or throughput, got "${only}"`);
    const splits = loadSplits();
    const results: BenchRow[] = [];
    const notes: string[] = [`noise: ${MALL_NOISE_MODEL}`, `load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`];
    const table = ['| half | layout | cameras | seed | people | jitter | visits ours / true | true A>B / A>B>C | A>B err ours / base | A>B>C err ours / base | found ours / base | invented ours / base | site tracks / handovers / cuts |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
    for (const half of ['validation', 'tuning'] as const) {
      if (only && only !== half) continue;
      for (const entry of splits.paths[half]) {
        const r = runPathsCase(half, entry);
        results.push(...rowsOf(r));
        const line = `| ${half} | ${entry.layout} | ${r.cameras} | ${entry.seed} | ${entry.people} | ${Math.round(entry.jitter * 100)}% | ${r.ours.visits} / ${r.truth.visits} | ${r.truth.transitions} / ${r.truth.sequences} | ${r.ours.ab.toFixed(3)} / ${r.baseline.ab.toFixed(3)} | ${r.ours.abc.toFixed(3)} / ${r.baseline.abc.toFixed(3)} | ${r.ours.found.toFixed(2)} / ${r.baseline.found.toFixed(2)} | ${r.ours.invented.toFixed(2)} / ${r.baseline.invented.toFixed(2)} | ${r.ours.siteTracks} / ${r.ours.handovers} / ${r.ours.cuts} |`;
        table.push(line);
        ctx.log(`${line}  (sim ${(r.simMs / 1000).toFixed(1)} s, ours ${(r.oursMs / 1000).toFixed(1)} s)`);
      }
    }
    if (!only || only === 'sweep') {
      const sweep = ['', '| layout | people | detections | visits ours / true | true A>B | A>B err ours / base | found ours / base | invented ours | site tracks / cuts |', '|---|---|---|---|---|---|---|---|---|'];
      const conditions: Array<[string, Partial<MallSimOptions>]> = [
        ['no jitter, FP or installer error; boxes clipped at the border', { jitter: 0, falsePositiveRate: 0, installerPx: 0, installerM: 0 }],
        ['no jitter, FP or installer error; feet-in-frame boxes only', { jitter: 0, falsePositiveRate: 0, installerPx: 0, installerM: 0, hideCutFeet: true }],
        ['declared noise 4 %', { jitter: 0.04 }],
      ];
      for (const layout of ['street-overlap', 'tee-gaps']) {
        for (const people of [10, 40, 150]) {
          for (const [what, overrides] of conditions) {
            const r = runPathsCase('tuning', { layout, seed: 301, people, minutes: 10, jitter: 0.04 }, overrides);
            const line = `| ${layout} | ${people} | ${what} | ${r.ours.visits} / ${r.truth.visits} | ${r.truth.transitions} | ${r.ours.ab.toFixed(3)} / ${r.baseline.ab.toFixed(3)} | ${r.ours.found.toFixed(2)} / ${r.baseline.found.toFixed(2)} | ${r.ours.invented.toFixed(2)} | ${r.ours.siteTracks} / ${r.ours.cuts} |`;
            sweep.push(line);
            ctx.log(`sweep ${line}`);
            results.push({ name: `sweep ${layout} seed 301 ${people} people, ${what}: A>B error`, unit: 'error', ours: f3(r.ours.ab), reference: f3(r.baseline.ab), ratio: r.ours.ab === 0 ? null : f3(r.baseline.ab / r.ours.ab), referenceName: 'each camera alone (no hand-over)' });
          }
        }
      }
      table.push(...sweep);
    }
    if (!only || only === 'throughput') {
      const t = stitcherThroughput({ people: 4000, simulatedS: 30 });
      ctx.log(`stitcher: ${t.cameras} cameras, ${t.people} people, ${t.simulatedS} s simulated: ${t.fragments} fragments, ${t.samples} samples in ${(t.wallMs / 1000).toFixed(1)} s wall; ${t.fragmentsPerS.toFixed(0)} fragments/s against ${t.siteFragmentsPerS.toFixed(0)} the site produces (headroom ${t.headroom.toFixed(2)}x)`);
      results.push({
        name: `stitcher throughput, ${t.cameras}-camera site, ${t.people} people`,
        unit: 'fragments/s',
        ours: Math.round(t.fragmentsPerS),
        reference: Math.round(t.siteFragmentsPerS),
        ratio: f3(t.headroom),
        referenceName: 'fragments/s the simulated 400-camera site produces',
        target: '>= 1 (keeps up)',
        pass: t.headroom >= 1,
        samplesPerS: Math.round(t.samplesPerS),
      });
    }
    notes.push(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (table.length > 2 || only === 'sweep') ctx.log(['', ...table].join('\n'));
    return { target: 'paths', results, machine: machineInfo(), notes };
  },
};

export default target;
