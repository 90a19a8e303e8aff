// The site stitcher: joins floor fragments from every camera and box of a site into site
// tracks, one per person as far as the evidence allows, and turns each site track into zone
// visits, transitions A>B and sequences A>B>C.
//
// Hand-over (after UCMCTrack's ground-plane association and the geometric stitching of
// overhead-sensor vendors; no appearance, no identity):
// - overlapping views: a new fragment that is at the same floor position at the same time as a
//   live site track joins it (cost: mean squared distance over the common samples / sigma²);
// - a gap between views (or a tracker loss in one view): a new fragment that starts where a
//   dormant site track, walking on at its last velocity, plausibly is after the gap joins it
//   (cost: the meeting-point residual / sigma², sigma growing with the gap; faster than
//   maxSpeed is impossible).
// Every tick, all undecided fragments are matched against all candidate site tracks at once
// (a gated minimum-cost assignment). A decision whose best alternative (another track for the
// fragment, or another fragment for the track) costs less than `ambiguityMargin` more is
// ambiguous: the fragment starts a new site track and the old track takes no more joins, so a
// path is cut rather than guessed (a cut loses a transition; a wrong join invents one).
//
// Determinism: decisions at tick T use only samples with t <= T, and ticks run only up to the
// smallest watermark of the sources, so the same fragments give the same paths whether one box
// or several carry them and whatever the network delay.
import { LinearAssignment } from '../track/index.ts';
import type { HandoverConfig } from '../config/index.ts';
import { cameraKey, doubled, type FragmentChunk } from './fragment.ts';
import { ZoneVisitState, type FloorZones, type VisitListener } from './zone-visits.ts';

export interface StitcherOptions {
  zones: FloorZones;
  handover: HandoverConfig;
  visitMinS: number;
  /** A step out of a zone shorter than this does not end the stay (position noise at its edge), seconds. */
  exitGraceS?: number;
  /** Floor sample period of the fragments (and the site track's step), ms. */
  sampleMs: number;
  /** false: no hand-over at all (each fragment is its own site track): the per-camera baseline. */
  handoverEnabled?: boolean;
}

/** What the stitcher finds: visits, transitions and sequences with the time they happened. */
export interface PathListener {
  visit(zone: string, tsMs: number): void;
  transition(from: string, to: string, tsMs: number): void;
  sequence(a: string, b: string, c: string, tsMs: number): void;
}

export interface StitcherCounters {
  fragments: number;
  droppedShort: number;
  siteTracks: number;
  overlapJoins: number;
  gapJoins: number;
  cuts: number;
  /** Site tracks found to be one person (two cameras, or split earlier) and merged. */
  merged: number;
  lateSamples: number;
  outOfOrderSamples: number;
  closedTracks: number;
}

class Fragment {
  t = new Float64Array(32);
  x = new Float64Array(32);
  y = new Float64Array(32);
  n = 0;
  ended = false;
  site: SiteTrack | null = null;
  dropped = false;
  decided = false;
  constructor(
    readonly key: string,
    readonly camera: string,
  ) {}

  get startMs(): number {
    return this.t[0]!;
  }

  get lastMs(): number {
    return this.t[this.n - 1]!;
  }

  push(t: number, x: number, y: number): void {
    if (this.n === this.t.length) {
      this.t = doubled(this.t);
      this.x = doubled(this.x);
      this.y = doubled(this.y);
    }
    this.t[this.n] = t;
    this.x[this.n] = x;
    this.y[this.n] = y;
    this.n++;
  }

  /** Number of samples with t <= tMs. */
  countUpTo(tMs: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! <= tMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Interpolated position at tMs into out[0..1], using samples <= limit only; false outside them. */
  positionAt(tMs: number, limit: number, out: Float64Array): boolean {
    const n = this.countUpTo(limit);
    if (n === 0 || tMs < this.t[0]! || tMs > this.t[n - 1]!) return false;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! <= tMs) lo = mid;
      else hi = mid;
    }
    const t0 = this.t[lo]!;
    const t1 = this.t[hi]!;
    const a = t1 > t0 ? (tMs - t0) / (t1 - t0) : 0;
    out[0] = this.x[lo]! + a * (this.x[hi]! - this.x[lo]!);
    out[1] = this.y[lo]! + a * (this.y[hi]! - this.y[lo]!);
    return true;
  }

  /** Velocity (m/s) over the first or last `spanMs` of the samples <= limit into out[0..1]. */
  velocity(atEnd: boolean, spanMs: number, limit: number, out: Float64Array): void {
    const n = this.countUpTo(limit);
    out[0] = 0;
    out[1] = 0;
    if (n < 2) return;
    let i0: number;
    let i1: number;
    if (atEnd) {
      i1 = n - 1;
      i0 = i1;
      while (i0 > 0 && this.t[i1]! - this.t[i0 - 1]! <= spanMs) i0--;
    } else {
      i0 = 0;
      i1 = 0;
      while (i1 < n - 1 && this.t[i1 + 1]! - this.t[i0]! <= spanMs) i1++;
    }
    const dt = (this.t[i1]! - this.t[i0]!) / 1000;
    if (dt <= 0) return;
    out[0] = (this.x[i1]! - this.x[i0]!) / dt;
    out[1] = (this.y[i1]! - this.y[i0]!) / dt;
  }
}

class SiteTrack {
  readonly members: Fragment[] = [];
  /** No more joins (a cut): ends with its members. */
  blocked = false;
  /** Next step time of the visit walk (ms); NaN before the first. */
  cursorMs = NaN;
  readonly visits: ZoneVisitState;
  /** Zone indexes of the last two distinct visits (-1: none). */
  last = -1;
  beforeLast = -1;
  constructor(
    readonly id: number,
    zones: FloorZones,
    visitMinMs: number,
    exitGraceMs: number,
  ) {
    this.visits = new ZoneVisitState(zones, visitMinMs, exitGraceMs);
  }

  /** Latest sample time of any member (samples <= limit). */
  endMs(limit: number): number {
    let end = -Infinity;
    for (const m of this.members) {
      const n = m.countUpTo(limit);
      if (n > 0 && m.t[n - 1]! > end) end = m.t[n - 1]!;
    }
    return end;
  }

  /** The member whose samples (<= limit) end last. */
  lastMember(limit: number): Fragment | null {
    let best: Fragment | null = null;
    let end = -Infinity;
    for (const m of this.members) {
      const n = m.countUpTo(limit);
      if (n > 0 && m.t[n - 1]! > end) {
        end = m.t[n - 1]!;
        best = m;
      }
    }
    return best;
  }
}

/** Site tracks (or fragments) this close over the last AGREE_SPAN_MS are one person: mean d² / overlapSigma². */
const AGREE_LIMIT = 1;
const AGREE_SPAN_MS = 2000;

/** How long after the walk has passed a member's end it is kept, ms. */
const RETAIN_MS = 2000;

/** Where a site track was last seen (for the candidate grid). */
interface OpenEnd {
  s: SiteTrack;
  end: number;
  x: number;
  y: number;
}

function cellKey(gx: number, gy: number): number {
  return gx * 1_000_003 + gy;
}

/** A column of the hand-over assignment: joining a site track in overlap from one camera, or after a gap. */
interface JoinColumn {
  track: SiteTrack;
  /** The camera of the fragments competing for it (overlap), or '' for the gap join. */
  camera: string;
  gap: boolean;
}

export class Stitcher {
  readonly counters: StitcherCounters = { fragments: 0, droppedShort: 0, siteTracks: 0, overlapJoins: 0, gapJoins: 0, cuts: 0, merged: 0, lateSamples: 0, outOfOrderSamples: 0, closedTracks: 0 };
  private readonly fragments = new Map<string, Fragment>();
  private readonly undecided: Fragment[] = [];
  private readonly tracks = new Set<SiteTrack>();
  private nextTrackId = 1;
  private tickMs = -Infinity;
  private readonly stepMs: number;
  private readonly decideMs: number;
  private readonly maxGapMs: number;
  private readonly waitMaxMs: number;
  private readonly visitMinMs: number;
  private readonly handover: HandoverConfig;
  private readonly handoverEnabled: boolean;
  private readonly assignment = new LinearAssignment();
  private cost = new Float64Array(64);
  private readonly p = new Float64Array(2);
  private readonly q = new Float64Array(2);
  private readonly v = new Float64Array(2);
  private readonly w = new Float64Array(2);
  private readonly visitSink: VisitListener & { track: SiteTrack | null };

  constructor(
    private readonly options: StitcherOptions,
    private readonly listener: PathListener,
  ) {
    this.stepMs = options.sampleMs;
    this.handover = options.handover;
    this.decideMs = options.handover.decideAfterS * 1000;
    this.maxGapMs = options.handover.maxGapS * 1000;
    this.waitMaxMs = options.handover.waitMaxS * 1000;
    this.visitMinMs = options.visitMinS * 1000;
    this.handoverEnabled = options.handoverEnabled ?? true;
    const names = options.zones.names;
    this.visitSink = {
      track: null,
      onVisit(zone: number, startMs: number): void {
        const s = this.track!;
        listener.visit(names[zone]!, startMs);
        if (zone === s.last) return;
        if (s.last >= 0) listener.transition(names[s.last]!, names[zone]!, startMs);
        if (s.beforeLast >= 0 && s.last >= 0) listener.sequence(names[s.beforeLast]!, names[s.last]!, names[zone]!, startMs);
        s.beforeLast = s.last;
        s.last = zone;
      },
    };
  }

  /** Site tracks in progress. */
  get openTracks(): number {
    return this.tracks.size;
  }

  /** Fragments held (in progress or in a site track in progress). */
  get heldFragments(): number {
    return this.fragments.size;
  }

  /** The latest time decided (ms). */
  get decidedUpToMs(): number {
    return this.tickMs;
  }

  /** Takes a chunk of a fragment's samples. */
  add(chunk: FragmentChunk): void {
    const key = `${cameraKey(chunk.box, chunk.camera)}#${chunk.fragment}`;
    let f = this.fragments.get(key);
    if (!f) {
      if (chunk.t.length === 0) return;
      f = new Fragment(key, cameraKey(chunk.box, chunk.camera));
      this.fragments.set(key, f);
      this.undecided.push(f);
      this.counters.fragments++;
    }
    for (let i = 0; i < chunk.t.length; i++) {
      const t = chunk.t[i]!;
      const x = chunk.x[i]!;
      const y = chunk.y[i]!;
      if (!Number.isFinite(t) || !Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (f.n > 0 && t <= f.lastMs) {
        this.counters.outOfOrderSamples++;
        continue;
      }
      if (t <= this.tickMs) this.counters.lateSamples++;
      f.push(t, x, y);
    }
    if (chunk.ended) f.ended = true;
  }

  /** Decides and walks every tick up to `upToMs` (the smallest watermark of the sources). */
  advance(upToMs: number): void {
    if (this.tickMs === -Infinity) {
      let first = Infinity;
      for (const f of this.undecided) if (f.n > 0 && f.startMs < first) first = f.startMs;
      // No sample yet: the clock starts at the watermark (every box has sent all it saw before it),
      // so hours kept across a restart are published even while no one walks.
      if (first === Infinity) first = upToMs;
      if (!Number.isFinite(first)) return;
      this.tickMs = Math.floor(first / this.stepMs) * this.stepMs;
    }
    while (this.tickMs + this.stepMs <= upToMs) {
      this.tickMs += this.stepMs;
      this.tick(this.tickMs);
    }
  }

  /** Ends everything: decides what is pending and closes every site track (end of a file). */
  finish(): void {
    let last = this.tickMs;
    for (const f of this.fragments.values()) if (f.n > 0 && f.lastMs > last) last = f.lastMs;
    if (last === -Infinity) return;
    this.advance(last + this.decideMs + this.maxGapMs + 2 * this.stepMs);
    for (const s of [...this.tracks]) this.close(s, Infinity);
  }

  private tick(T: number): void {
    this.decide(T);
    const settled = T - this.decideMs;
    for (const s of this.tracks) {
      this.walk(s, settled);
      const end = s.endMs(T);
      const wait = s.blocked ? this.stepMs : this.maxGapMs + this.decideMs + this.stepMs;
      if (end + wait < T && s.cursorMs > end) this.close(s, T);
    }
  }

  /** Decides the fragments that have been seen long enough, all candidates at once. */
  private decide(T: number): void {
    if (this.undecided.length === 0) return;
    // Rows: the fragments due now (committed), then undecided ones competing for their columns.
    const rows: Fragment[] = [];
    for (const f of this.undecided) if (f.n > 0 && T - f.startMs >= this.decideMs) rows.push(f);
    if (rows.length === 0) return;
    const due = rows.length;
    for (let i = 0; i < due; i++) rows[i]!.decided = true;
    const columns: JoinColumn[] = [];
    const colIndex = new Map<SiteTrack, Map<string, number>>();
    // Candidate pairs (row, column), pruned by how far the person could have walked: open
    // tracks are hashed on a grid of the largest reach, so each row looks at 3 x 3 cells.
    const pairs: number[] = [];
    if (this.handoverEnabled) {
      const reach = this.handover.maxSpeedMps / 1000;
      const slack = 3 * Math.max(this.handover.gapSigmaM, this.handover.overlapSigmaM) + 1;
      // Live tracks (seen in the last steps) can only be near; dormant ones up to a gap's walk away.
      const liveCell = reach * (this.decideMs + 4 * this.stepMs) + slack;
      const dormantCell = reach * this.maxGapMs + slack;
      const live = new Map<number, OpenEnd[]>();
      const dormant = new Map<number, OpenEnd[]>();
      for (const s of this.tracks) {
        if (s.blocked) continue;
        const last = s.lastMember(T);
        if (!last) continue;
        const n = last.countUpTo(T);
        const o: OpenEnd = { s, end: last.t[n - 1]!, x: last.x[n - 1]!, y: last.y[n - 1]! };
        const isLive = o.end >= T - 2 * this.stepMs;
        const cell = isLive ? liveCell : dormantCell;
        const grid = isLive ? live : dormant;
        const key = cellKey(Math.floor(o.x / cell), Math.floor(o.y / cell));
        const list = grid.get(key);
        if (list) list.push(o);
        else grid.set(key, [o]);
      }
      const scan = (grid: Map<number, OpenEnd[]>, cell: number, radius: number, f: Fragment, each: (o: OpenEnd, overlap: boolean) => void) => {
        const fx = f.x[0]!;
        const fy = f.y[0]!;
        const k = Math.ceil(radius / cell);
        const cx = Math.floor(fx / cell);
        const cy = Math.floor(fy / cell);
        for (let gx = cx - k; gx <= cx + k; gx++) {
          for (let gy = cy - k; gy <= cy + k; gy++) {
            const list = grid.get(cellKey(gx, gy));
            if (!list) continue;
            for (const o of list) {
              const overlap = o.end >= f.startMs - this.stepMs;
              if (!overlap && f.startMs - o.end > this.maxGapMs) continue;
              if (Math.hypot(fx - o.x, fy - o.y) > reach * Math.abs(o.end - f.startMs) + slack) continue;
              each(o, overlap);
            }
          }
        }
      };
      const visit = (f: Fragment, each: (o: OpenEnd, overlap: boolean) => void) => {
        scan(live, liveCell, reach * Math.max(0, T - f.startMs) + slack, f, each);
        scan(dormant, dormantCell, dormantCell, f, each);
      };
      for (let i = 0; i < due; i++) {
        const f = rows[i]!;
        visit(f, (o, overlap) => {
          const camera = overlap ? f.camera : '';
          let byCam = colIndex.get(o.s);
          if (!byCam) colIndex.set(o.s, (byCam = new Map()));
          let j = byCam.get(camera);
          if (j === undefined) {
            j = columns.length;
            byCam.set(camera, j);
            columns.push({ track: o.s, camera, gap: !overlap });
          }
          pairs.push(i, j);
        });
      }
      if (columns.length > 0) {
        for (const f of this.undecided) {
          if (f.n === 0 || f.startMs > T || T - f.startMs >= this.decideMs) continue;
          const i = rows.length;
          let competes = false;
          visit(f, (o, overlap) => {
            const j = colIndex.get(o.s)?.get(overlap ? f.camera : '');
            if (j === undefined) return;
            competes = true;
            pairs.push(i, j);
          });
          if (competes) rows.push(f);
        }
      }
    }
    const nr = rows.length;
    const nc = columns.length;
    if (this.cost.length < nr * nc) this.cost = new Float64Array(Math.max(nr * nc, this.cost.length * 2));
    const cost = this.cost;
    cost.fill(Infinity, 0, nr * nc);
    for (let p = 0; p < pairs.length; p += 2) {
      const i = pairs[p]!;
      const j = pairs[p + 1]!;
      cost[i * nc + j] = this.joinCost(rows[i]!, columns[j]!, T);
    }
    if (nc > 0) this.assignment.solveGated(cost, nr, nc, this.handover.gate);
    const twins: SiteTrack[] = [];
    for (let i = 0; i < due; i++) {
      const f = rows[i]!;
      const spanMs = f.t[f.countUpTo(T) - 1]! - f.startMs;
      if (spanMs < this.handover.minFragmentS * 1000) {
        f.dropped = true;
        this.counters.droppedShort++;
        this.fragments.delete(f.key);
        continue;
      }
      const j = nc > 0 ? this.assignment.rowToCol[i]! : -1;
      if (j < 0) {
        this.startTrack(f);
        continue;
      }
      const col = columns[j]!;
      twins.length = 0;
      const ambiguous = this.ambiguous(i, j, nr, nc, columns, rows, T, twins);
      if (ambiguous && T - f.startMs < this.waitMaxMs && f.lastMs >= T - 2 * this.stepMs) {
        // Still in view: more samples may tell the candidates apart (people walking side by side part).
        f.decided = false;
        continue;
      }
      if (ambiguous) {
        col.track.blocked = true;
        this.counters.cuts++;
        this.startTrack(f);
        continue;
      }
      f.site = col.track;
      col.track.members.push(f);
      for (const t of twins) this.merge(col.track, t);
      if (col.gap) this.counters.gapJoins++;
      else this.counters.overlapJoins++;
    }
    let w = 0;
    for (const f of this.undecided) if (!f.decided) this.undecided[w++] = f;
    this.undecided.length = w;
  }

  /**
   * Whether the pair (row i, column j) of the solved assignment has an alternative within the
   * margin: i taking another track's column (whoever holds it taking j), or another fragment
   * taking j (i taking that fragment's column, or none). Both are swaps of the optimal set.
   */
  private ambiguous(i: number, j: number, nr: number, nc: number, columns: JoinColumn[], rows: Fragment[], T: number, twins: SiteTrack[]): boolean {
    const cost = this.cost;
    const r2c = this.assignment.rowToCol;
    const c2r = this.assignment.colToRow;
    const margin = this.handover.ambiguityMargin;
    const c = cost[i * nc + j]!;
    const track = columns[j]!.track;
    for (let jj = 0; jj < nc; jj++) {
      const other = columns[jj]!.track;
      if (jj === j || other === track) continue;
      const alt = cost[i * nc + jj]!;
      if (!(alt < Infinity)) continue;
      const r = c2r[jj]!;
      const change = r >= 0 ? alt + cost[r * nc + j]! - c - cost[r * nc + jj]! : alt - c;
      if (change >= margin) continue;
      // Two site tracks of one person (seen by two cameras, split earlier): not a choice; merge them.
      if (this.tracksAgree(track, other, T)) {
        if (!twins.includes(other)) twins.push(other);
        continue;
      }
      return true;
    }
    const f = rows[i]!;
    for (let ii = 0; ii < nr; ii++) {
      if (ii === i) continue;
      const alt = cost[ii * nc + j]!;
      if (!(alt < Infinity)) continue;
      const jj = r2c[ii]!;
      const change = jj >= 0 ? alt + cost[i * nc + jj]! - c - cost[ii * nc + jj]! : alt - c;
      if (change >= margin) continue;
      // The same person seen by another camera at the same place: it will join too.
      if (rows[ii]!.camera !== f.camera && this.fragmentsAgree(f, rows[ii]!, T)) continue;
      return true;
    }
    return false;
  }

  /** Whether two site tracks are at the same place over their common last seconds (one person). */
  private tracksAgree(a: SiteTrack, b: SiteTrack, T: number): boolean {
    for (const m of a.members) for (const n of b.members) if (m.camera === n.camera && m.lastMs >= n.startMs && n.lastMs >= m.startMs) return false;
    let sum = 0;
    let k = 0;
    for (let t = T - AGREE_SPAN_MS; t <= T; t += this.stepMs * 2) {
      if (!this.trackPositionAt(a, t, T, this.p) || !this.trackPositionAt(b, t, T, this.w)) continue;
      const dx = this.p[0]! - this.w[0]!;
      const dy = this.p[1]! - this.w[1]!;
      sum += dx * dx + dy * dy;
      k++;
    }
    const sigma = this.handover.overlapSigmaM;
    return k >= 3 && sum / k / (sigma * sigma) < AGREE_LIMIT;
  }

  /** Whether two fragments (of different cameras) are at the same place over their common samples. */
  private fragmentsAgree(f: Fragment, g: Fragment, T: number): boolean {
    const n = f.countUpTo(T);
    let sum = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (!g.positionAt(f.t[i]!, T, this.q)) continue;
      const dx = f.x[i]! - this.q[0]!;
      const dy = f.y[i]! - this.q[1]!;
      sum += dx * dx + dy * dy;
      k++;
    }
    const sigma = this.handover.overlapSigmaM;
    return k >= 3 && sum / k / (sigma * sigma) < AGREE_LIMIT;
  }

  /** Moves b's fragments into a (one person); b ends without closing its visits (a's walk goes on). */
  private merge(a: SiteTrack, b: SiteTrack): void {
    if (a === b || !this.tracks.has(b)) return;
    for (const m of b.members) {
      m.site = a;
      a.members.push(m);
    }
    b.members.length = 0;
    this.tracks.delete(b);
    this.counters.merged++;
  }

  private startTrack(f: Fragment): void {
    const s = new SiteTrack(this.nextTrackId++, this.options.zones, this.visitMinMs, (this.options.exitGraceS ?? 0) * 1000);
    s.members.push(f);
    f.site = s;
    this.tracks.add(s);
    this.counters.siteTracks++;
  }

  /** Cost of fragment f joining column c at tick T (Infinity: impossible). */
  private joinCost(f: Fragment, c: JoinColumn, T: number): number {
    const s = c.track;
    const nf = f.countUpTo(T);
    if (nf === 0) return Infinity;
    if (!c.gap) {
      if (c.camera !== f.camera) return Infinity;
      // The same camera cannot see one person as two tracks at once.
      for (const m of s.members) if (m.camera === f.camera && m.countUpTo(T) > 0 && m.t[m.countUpTo(T) - 1]! >= f.startMs) return Infinity;
      let sum = 0;
      let k = 0;
      for (let i = 0; i < nf; i++) {
        if (!this.trackPositionAt(s, f.t[i]!, T, this.p)) continue;
        const dx = f.x[i]! - this.p[0]!;
        const dy = f.y[i]! - this.p[1]!;
        sum += dx * dx + dy * dy;
        k++;
      }
      if (k === 0) return Infinity;
      const sigma = this.handover.overlapSigmaM;
      return sum / k / (sigma * sigma);
    }
    const tail = s.lastMember(T);
    if (!tail) return Infinity;
    const nt = tail.countUpTo(T);
    const endMs = tail.t[nt - 1]!;
    const dt = (f.startMs - endMs) / 1000;
    if (dt < 0 || dt * 1000 > this.maxGapMs) return Infinity;
    const ex = tail.x[nt - 1]!;
    const ey = tail.y[nt - 1]!;
    const sx = f.x[0]!;
    const sy = f.y[0]!;
    const gapSigma = this.handover.gapSigmaM;
    const straight = Math.hypot(sx - ex, sy - ey);
    if (straight > this.handover.maxSpeedMps * dt + 3 * gapSigma) return Infinity;
    tail.velocity(true, 1000, T, this.v);
    f.velocity(false, 1000, T, this.w);
    clampSpeed(this.v, this.handover.maxSpeedMps);
    clampSpeed(this.w, this.handover.maxSpeedMps);
    const rx = ex + (this.v[0]! * dt) / 2 - (sx - (this.w[0]! * dt) / 2);
    const ry = ey + (this.v[1]! * dt) / 2 - (sy - (this.w[1]! * dt) / 2);
    const grow = this.handover.gapSigmaMps * dt;
    const var2 = 2 * gapSigma * gapSigma + grow * grow;
    return (rx * rx + ry * ry) / var2;
  }

  /** The site track's position at tMs (mean of the members that see it then); false if none does. */
  private trackPositionAt(s: SiteTrack, tMs: number, limit: number, out: Float64Array): boolean {
    let sx = 0;
    let sy = 0;
    let k = 0;
    for (const m of s.members) {
      if (m.positionAt(tMs, limit, this.q)) {
        sx += this.q[0]!;
        sy += this.q[1]!;
        k++;
      }
    }
    if (k === 0) return false;
    out[0] = sx / k;
    out[1] = sy / k;
    return true;
  }

  /** Walks the site track's merged trajectory up to `settled`, reporting visits. */
  private walk(s: SiteTrack, settled: number): void {
    const first = s.members[0]!;
    if (Number.isNaN(s.cursorMs)) s.cursorMs = Math.ceil(first.startMs / this.stepMs) * this.stepMs;
    this.visitSink.track = s;
    while (s.cursorMs <= settled) {
      const g = s.cursorMs;
      if (!this.trackPositionAt(s, g, settled, this.p)) {
        // Between members (a gap join): walk the straight line from the end of one to the start of the next.
        if (!this.bridgeAt(s, g, settled, this.p)) break;
      }
      s.visits.step(g, this.p[0]!, this.p[1]!, this.visitSink);
      s.cursorMs = g + this.stepMs;
    }
    this.visitSink.track = null;
    this.retire(s, settled);
  }

  /**
   * Lets go of members the walk has passed (ended RETAIN_MS before the cursor), except the one
   * that ends last (a gap join starts from it): a long visit keeps a few fragments, not all.
   */
  private retire(s: SiteTrack, limit: number): void {
    if (s.members.length < 2) return;
    const last = s.lastMember(limit);
    let w = 0;
    for (const m of s.members) {
      const n = m.countUpTo(limit);
      if (m !== last && n > 0 && n === m.n && m.t[n - 1]! < s.cursorMs - RETAIN_MS) {
        this.fragments.delete(m.key);
        continue;
      }
      s.members[w++] = m;
    }
    s.members.length = w;
  }

  /** Linear bridge across a gap between members at tMs; false when no member starts after it (yet). */
  private bridgeAt(s: SiteTrack, tMs: number, limit: number, out: Float64Array): boolean {
    let before: Fragment | null = null;
    let beforeEnd = -Infinity;
    let after: Fragment | null = null;
    for (const m of s.members) {
      const n = m.countUpTo(limit);
      if (n === 0) continue;
      const end = m.t[n - 1]!;
      if (end < tMs && end > beforeEnd) {
        beforeEnd = end;
        before = m;
      }
      if (m.startMs > tMs && (!after || m.startMs < after.startMs)) after = m;
    }
    if (!before || !after) return false;
    const nb = before.countUpTo(limit);
    const a = (tMs - beforeEnd) / (after.startMs - beforeEnd);
    out[0] = before.x[nb - 1]! + a * (after.x[0]! - before.x[nb - 1]!);
    out[1] = before.y[nb - 1]! + a * (after.y[0]! - before.y[nb - 1]!);
    return true;
  }

  private close(s: SiteTrack, limit: number): void {
    this.walk(s, Math.min(limit, s.endMs(limit)));
    for (const m of s.members) this.fragments.delete(m.key);
    this.tracks.delete(s);
    this.counters.closedTracks++;
  }
}

function clampSpeed(v: Float64Array, max: number): void {
  const s = Math.hypot(v[0]!, v[1]!);
  if (s > max) {
    v[0] = (v[0]! * max) / s;
    v[1] = (v[1]! * max) / s;
  }
}
