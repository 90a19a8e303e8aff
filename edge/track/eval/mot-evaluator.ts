// MOT evaluation: CLEAR MOT (Bernardin & Stiefelhagen 2008), identity metrics
// (Ristani et al. 2016) and HOTA (Luiten et al. 2021), with the MOTChallenge conventions
// of py-motmetrics and TrackEval (IoU >= 0.5 for CLEAR/ID, HOTA over alpha 0.05..0.95,
// MOT16/17 distractor classes as ignore regions). Offline code: clarity over speed.
import { LinearAssignment } from '../index.ts';
import { gtFormatOf, type MotGtFormat, type MotTable } from './mot-file.ts';

export interface MotMetrics {
  /** Percentages are 0-100. */
  MOTA: number;
  MOTP: number;
  IDF1: number;
  IDP: number;
  IDR: number;
  Recall: number;
  Precision: number;
  HOTA: number;
  DetA: number;
  AssA: number;
  LocA: number;
  DetRe: number;
  DetPr: number;
  AssRe: number;
  AssPr: number;
  FP: number;
  FN: number;
  IDSW: number;
  Frag: number;
  GT: number;
  MT: number;
  PT: number;
  ML: number;
  /** Counts behind the percentages. */
  numGtBoxes: number;
  numResBoxes: number;
  numMatches: number;
  IDTP: number;
  /** Result boxes dropped because they matched an ignore region (MOT16/17 classes 2, 7, 8, 12). */
  ignoredRes: number;
  gtFormat: MotGtFormat;
}

/** MOTChallenge distractor classes: person on vehicle, static person, distractor, reflection. */
const DISTRACTOR_CLASSES = new Set([2, 7, 8, 12]);
const EPS = 2.220446049250313e-16;
const MATCH_IOU = 0.5;

interface EvalFrame {
  /** Dense gt and result id indices of the boxes evaluated in this frame. */
  g: Int32Array;
  h: Int32Array;
  /** IoU, g.length x h.length, row-major. */
  iou: Float64Array;
}

function iouOf(a: Float64Array, ai: number, b: Float64Array, bi: number): number {
  const ax = a[4 * ai]!;
  const ay = a[4 * ai + 1]!;
  const aw = a[4 * ai + 2]!;
  const ah = a[4 * ai + 3]!;
  const bx = b[4 * bi]!;
  const by = b[4 * bi + 1]!;
  const bw = b[4 * bi + 2]!;
  const bh = b[4 * bi + 3]!;
  const iw = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const ih = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = aw * ah + bw * bh - inter;
  return union > 0 ? inter / union : 0;
}

/** Row ranges of a table by frame number. */
function frameRanges(t: MotTable): Map<number, [number, number]> {
  const m = new Map<number, [number, number]>();
  for (let i = 0; i < t.frames.length; i++) m.set(t.frames[i]!, [t.frameStart[i]!, t.frameEnd[i]!]);
  return m;
}

/** Builds the per-frame evaluation input: evaluated gt, kept results and their IoUs. */
function prepare(gt: MotTable, res: MotTable, format: MotGtFormat, lap: LinearAssignment) {
  const gtRanges = frameRanges(gt);
  const resRanges = frameRanges(res);
  const allFrames = [...new Set([...gt.frames, ...res.frames])].sort((a, b) => a - b);
  const gtIndex = new Map<number, number>();
  const resIndex = new Map<number, number>();
  const frames: EvalFrame[] = [];
  let ignoredRes = 0;
  for (const f of allFrames) {
    const [gs, ge] = gtRanges.get(f) ?? [0, 0];
    const [rs, re] = resRanges.get(f) ?? [0, 0];
    const ng = ge - gs;
    const nr = re - rs;
    const keepRes = new Uint8Array(nr).fill(1);
    if (format === 'mot16' && ng > 0 && nr > 0) {
      // Drop results matched (IoU >= 0.5, max total IoU) to ignore-region boxes, as the devkit does.
      const cost = new Float64Array(ng * nr);
      for (let i = 0; i < ng; i++) {
        for (let j = 0; j < nr; j++) {
          const s = iouOf(gt.box, gs + i, res.box, rs + j);
          cost[i * nr + j] = s < MATCH_IOU - EPS ? 0 : -s;
        }
      }
      lap.solve(cost, ng, nr);
      for (let i = 0; i < ng; i++) {
        const j = lap.rowToCol[i]!;
        if (j < 0 || !(cost[i * nr + j]! < -EPS)) continue;
        if (DISTRACTOR_CLASSES.has(gt.cls[gs + i]!)) {
          keepRes[j] = 0;
          ignoredRes++;
        }
      }
    }
    const gRows: number[] = [];
    for (let i = gs; i < ge; i++) {
      const evaluated = format === 'mot16' ? gt.conf[i] !== 0 && gt.cls[i] === 1 : gt.conf[i] !== 0;
      if (evaluated) gRows.push(i);
    }
    const hRows: number[] = [];
    for (let j = 0; j < nr; j++) if (keepRes[j]) hRows.push(rs + j);
    const g = new Int32Array(gRows.length);
    const h = new Int32Array(hRows.length);
    gRows.forEach((row, k) => {
      const id = gt.id[row]!;
      let idx = gtIndex.get(id);
      if (idx === undefined) gtIndex.set(id, (idx = gtIndex.size));
      g[k] = idx;
    });
    hRows.forEach((row, k) => {
      const id = res.id[row]!;
      let idx = resIndex.get(id);
      if (idx === undefined) resIndex.set(id, (idx = resIndex.size));
      h[k] = idx;
    });
    const iou = new Float64Array(g.length * h.length);
    for (let a = 0; a < gRows.length; a++) {
      for (let b = 0; b < hRows.length; b++) iou[a * h.length + b] = iouOf(gt.box, gRows[a]!, res.box, hRows[b]!);
    }
    frames.push({ g, h, iou });
  }
  return { frames, numGtIds: gtIndex.size, numResIds: resIndex.size, ignoredRes };
}

/** CLEAR MOT with py-motmetrics' matching: keep last frame's pairs, then min-distance assignment. */
function clear(frames: EvalFrame[], numGt: number, lap: LinearAssignment) {
  const lastH = new Int32Array(numGt).fill(-1);
  const lastMatchFrame = new Int32Array(numGt).fill(-2);
  const present = new Int32Array(numGt);
  const tracked = new Int32Array(numGt);
  // Per gt id: was it tracked at its previous appearance, seen tracked at all, pending misses.
  const prevTracked = new Uint8Array(numGt);
  const everTracked = new Uint8Array(numGt);
  const missRun = new Int32Array(numGt);
  let frag = 0;
  let fp = 0;
  let fn = 0;
  let idsw = 0;
  let matches = 0;
  let iouSum = 0;
  let gtBoxes = 0;
  let resBoxes = 0;
  for (let t = 0; t < frames.length; t++) {
    const { g, h, iou } = frames[t]!;
    const ng = g.length;
    const nh = h.length;
    gtBoxes += ng;
    resBoxes += nh;
    const gDone = new Uint8Array(ng);
    const hDone = new Uint8Array(nh);
    const matchedThisFrame = new Uint8Array(ng);
    // 1. Re-establish the pairs of the previous update when still valid.
    for (let i = 0; i < ng; i++) {
      const o = g[i]!;
      if (lastH[o]! < 0 || lastMatchFrame[o] !== t - 1) continue;
      for (let j = 0; j < nh; j++) {
        if (hDone[j] || h[j] !== lastH[o]) continue;
        if (iou[i * nh + j]! >= MATCH_IOU) {
          gDone[i] = 1;
          hDone[j] = 1;
          matchedThisFrame[i] = 1;
          matches++;
          iouSum += iou[i * nh + j]!;
          lastMatchFrame[o] = t;
        }
        break;
      }
    }
    // 2. Assign the rest: most matches first, then least total distance.
    const BIG = 1e6;
    const cost = new Float64Array(ng * nh);
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nh; j++) {
        const s = iou[i * nh + j]!;
        cost[i * nh + j] = gDone[i] || hDone[j] || s < MATCH_IOU ? BIG : 1 - s;
      }
    }
    lap.solve(cost, ng, nh);
    for (let i = 0; i < ng; i++) {
      const j = lap.rowToCol[i]!;
      if (j < 0 || cost[i * nh + j]! >= BIG) continue;
      const o = g[i]!;
      if (lastH[o]! >= 0 && lastH[o] !== h[j]) idsw++;
      lastH[o] = h[j]!;
      lastMatchFrame[o] = t;
      gDone[i] = 1;
      hDone[j] = 1;
      matchedThisFrame[i] = 1;
      matches++;
      iouSum += iou[i * nh + j]!;
    }
    for (let j = 0; j < nh; j++) if (!hDone[j]) fp++;
    for (let i = 0; i < ng; i++) {
      const o = g[i]!;
      present[o] = present[o]! + 1;
      if (matchedThisFrame[i]) {
        tracked[o] = tracked[o]! + 1;
        // A fragmentation: tracked, then missed, then tracked again.
        if (everTracked[o] && missRun[o]! > 0) frag++;
        everTracked[o] = 1;
        missRun[o] = 0;
        prevTracked[o] = 1;
      } else {
        fn++;
        if (everTracked[o]) missRun[o] = missRun[o]! + 1;
        prevTracked[o] = 0;
      }
    }
  }
  let mt = 0;
  let pt = 0;
  let ml = 0;
  let gtIds = 0;
  for (let o = 0; o < numGt; o++) {
    if (present[o] === 0) continue;
    gtIds++;
    const ratio = tracked[o]! / present[o]!;
    if (ratio >= 0.8) mt++;
    else if (ratio < 0.2) ml++;
    else pt++;
  }
  return { fp, fn, idsw, frag, matches, iouSum, gtBoxes, resBoxes, mt, pt, ml, gtIds };
}

/** Identity metrics: one global gt-id <-> result-id assignment maximising matched frames. */
function identity(frames: EvalFrame[], numGt: number, numRes: number, lap: LinearAssignment) {
  const co = new Float64Array(numGt * numRes);
  for (const { g, h, iou } of frames) {
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < h.length; j++) {
        if (iou[i * h.length + j]! >= MATCH_IOU - EPS) co[g[i]! * numRes + h[j]!] = co[g[i]! * numRes + h[j]!]! + 1;
      }
    }
  }
  const cost = new Float64Array(numGt * numRes);
  for (let k = 0; k < cost.length; k++) cost[k] = -co[k]!;
  lap.solve(cost, numGt, numRes);
  let idtp = 0;
  for (let o = 0; o < numGt; o++) {
    const j = lap.rowToCol[o]!;
    if (j >= 0) idtp += co[o * numRes + j]!;
  }
  return idtp;
}

/** HOTA as in TrackEval: alignment-weighted matching per frame, per alpha. */
function hota(frames: EvalFrame[], numGt: number, numRes: number, lap: LinearAssignment) {
  const alphas: number[] = [];
  for (let k = 1; k <= 19; k++) alphas.push(0.05 * k);
  const potential = new Float64Array(numGt * numRes);
  const gtCount = new Float64Array(numGt);
  const resCount = new Float64Array(numRes);
  for (const { g, h, iou } of frames) {
    const ng = g.length;
    const nh = h.length;
    const rowSum = new Float64Array(ng);
    const colSum = new Float64Array(nh);
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nh; j++) {
        rowSum[i] = rowSum[i]! + iou[i * nh + j]!;
        colSum[j] = colSum[j]! + iou[i * nh + j]!;
      }
    }
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nh; j++) {
        const s = iou[i * nh + j]!;
        const denom = rowSum[i]! + colSum[j]! - s;
        if (denom > EPS) potential[g[i]! * numRes + h[j]!] = potential[g[i]! * numRes + h[j]!]! + s / denom;
      }
    }
    for (let i = 0; i < ng; i++) gtCount[g[i]!] = gtCount[g[i]!]! + 1;
    for (let j = 0; j < nh; j++) resCount[h[j]!] = resCount[h[j]!]! + 1;
  }
  const align = new Float64Array(numGt * numRes);
  for (let o = 0; o < numGt; o++) {
    for (let r = 0; r < numRes; r++) {
      const p = potential[o * numRes + r]!;
      align[o * numRes + r] = p / (gtCount[o]! + resCount[r]! - p);
    }
  }
  const na = alphas.length;
  const tp = new Float64Array(na);
  const fnA = new Float64Array(na);
  const fpA = new Float64Array(na);
  const loc = new Float64Array(na);
  const matchCounts = alphas.map(() => new Float64Array(numGt * numRes));
  for (const { g, h, iou } of frames) {
    const ng = g.length;
    const nh = h.length;
    if (ng === 0 || nh === 0) {
      for (let a = 0; a < na; a++) {
        fnA[a] = fnA[a]! + ng;
        fpA[a] = fpA[a]! + nh;
      }
      continue;
    }
    const cost = new Float64Array(ng * nh);
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nh; j++) cost[i * nh + j] = -align[g[i]! * numRes + h[j]!]! * iou[i * nh + j]!;
    }
    lap.solve(cost, ng, nh);
    for (let a = 0; a < na; a++) {
      let n = 0;
      for (let i = 0; i < ng; i++) {
        const j = lap.rowToCol[i]!;
        if (j < 0) continue;
        const s = iou[i * nh + j]!;
        if (s >= alphas[a]! - EPS) {
          n++;
          loc[a] = loc[a]! + s;
          const mc = matchCounts[a]!;
          mc[g[i]! * numRes + h[j]!] = mc[g[i]! * numRes + h[j]!]! + 1;
        }
      }
      tp[a] = tp[a]! + n;
      fnA[a] = fnA[a]! + ng - n;
      fpA[a] = fpA[a]! + nh - n;
    }
  }
  let hSum = 0;
  let detA = 0;
  let assA = 0;
  let locA = 0;
  let detRe = 0;
  let detPr = 0;
  let assRe = 0;
  let assPr = 0;
  for (let a = 0; a < na; a++) {
    const mc = matchCounts[a]!;
    let sa = 0;
    let sr = 0;
    let sp = 0;
    for (let o = 0; o < numGt; o++) {
      for (let r = 0; r < numRes; r++) {
        const c = mc[o * numRes + r]!;
        if (c === 0) continue;
        sa += (c * c) / Math.max(1, gtCount[o]! + resCount[r]! - c);
        sr += (c * c) / Math.max(1, gtCount[o]!);
        sp += (c * c) / Math.max(1, resCount[r]!);
      }
    }
    const t = tp[a]!;
    const aA = sa / Math.max(1, t);
    const dA = t / Math.max(1, t + fnA[a]! + fpA[a]!);
    hSum += Math.sqrt(dA * aA);
    detA += dA;
    assA += aA;
    locA += Math.max(1e-10, loc[a]!) / Math.max(1e-10, t);
    detRe += t / Math.max(1, t + fnA[a]!);
    detPr += t / Math.max(1, t + fpA[a]!);
    assRe += sr / Math.max(1, t);
    assPr += sp / Math.max(1, t);
  }
  return {
    HOTA: hSum / na,
    DetA: detA / na,
    AssA: assA / na,
    LocA: locA / na,
    DetRe: detRe / na,
    DetPr: detPr / na,
    AssRe: assRe / na,
    AssPr: assPr / na,
  };
}

export interface EvaluateOptions {
  /** Force the ground-truth format; by default 9 columns = MOT16/17, else MOT15. */
  gtFormat?: MotGtFormat;
}

export function evaluateMot(gt: MotTable, res: MotTable, options: EvaluateOptions = {}): MotMetrics {
  const format = options.gtFormat ?? gtFormatOf(gt);
  const lap = new LinearAssignment();
  const { frames, numGtIds, numResIds, ignoredRes } = prepare(gt, res, format, lap);
  const c = clear(frames, numGtIds, lap);
  const idtp = identity(frames, numGtIds, numResIds, lap);
  const hm = hota(frames, numGtIds, numResIds, lap);
  const pct = (x: number) => 100 * x;
  const div = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    MOTA: pct(1 - div(c.fn + c.fp + c.idsw, c.gtBoxes)),
    MOTP: pct(div(c.iouSum, c.matches)),
    IDF1: pct(div(2 * idtp, c.gtBoxes + c.resBoxes)),
    IDP: pct(div(idtp, c.resBoxes)),
    IDR: pct(div(idtp, c.gtBoxes)),
    Recall: pct(div(c.matches, c.gtBoxes)),
    Precision: pct(div(c.matches, c.matches + c.fp)),
    HOTA: pct(hm.HOTA),
    DetA: pct(hm.DetA),
    AssA: pct(hm.AssA),
    LocA: pct(hm.LocA),
    DetRe: pct(hm.DetRe),
    DetPr: pct(hm.DetPr),
    AssRe: pct(hm.AssRe),
    AssPr: pct(hm.AssPr),
    FP: c.fp,
    FN: c.fn,
    IDSW: c.idsw,
    Frag: c.frag,
    GT: c.gtIds,
    MT: c.mt,
    PT: c.pt,
    ML: c.ml,
    numGtBoxes: c.gtBoxes,
    numResBoxes: c.resBoxes,
    numMatches: c.matches,
    IDTP: idtp,
    ignoredRes,
    gtFormat: format,
  };
}
