// The site's stitcher as a service: takes fragment batches from this box's cameras and (on the
// box that stitches for the site) from the other boxes over the site broker, keeps each
// source's watermark, advances the stitcher to the smallest watermark of the sources still
// heard from, and publishes each hour's paths once (`site.paths`, cells below k left out)
// `publishDelayS` after the hour ends. Only hourly aggregates are kept (in the store's state
// table, so a restart loses at most the paths in progress); fragments never are.
import type { FootfallConfig } from '../config/index.ts';
import type { Logger } from '../shared/log.ts';
import type { EventSink } from '../shared/types.ts';
import { cameraKey, type FragmentBatch, type FragmentChunk } from './fragment.ts';
import { HOUR_MS, PathTally, type HourPaths } from './path-tally.ts';
import { siteFloorOf, type SiteFloor } from './site-floor.ts';
import { Stitcher } from './stitcher.ts';
import { floorZonesOf } from './zone-visits.ts';

export const SITE_PATHS_EVENT = 'site.paths';
const STATE_KEY = 'sitePaths.hours';
/** The cameras that took part in each unpublished hour (for `site.paths.cameras` and `boxes`). */
const CAMERAS_STATE_KEY = 'sitePaths.cameras';

/** Where the unpublished hours are kept across a restart (the store's state table). */
export interface SitePathsState {
  getState(key: string): string | null;
  setState(key: string, value: string): void;
}

export interface SitePathsServiceOptions {
  config: Pick<FootfallConfig, 'site' | 'device' | 'cameras' | 'floorPlan' | 'sitePaths'>;
  sink: EventSink;
  logger: Logger;
  state?: SitePathsState | null;
  /** Wall clock, ms since epoch. */
  now: () => number;
}

export type BatchVerdict = 'ok' | 'unknown-box' | 'clock-skew' | 'empty';

interface Source {
  upToMs: number;
  heardAtMs: number;
}

/** How many cells of an hour were left out for having fewer than k people. */
export interface SuppressedCells {
  visits: number;
  transitions: number;
  sequences: number;
}

/** An hour's paths as they may be shown or published: cells below k left out, and how many were. */
export interface AnonymisedHour extends HourPaths {
  suppressed: SuppressedCells;
}

/** Leaves out every cell with fewer than k occurrences (visits, transitions and sequences alike). */
export function anonymiseHour(h: HourPaths, k: number): AnonymisedHour {
  const kept = (rec: Record<string, number>) => {
    const out: Record<string, number> = {};
    let dropped = 0;
    for (const [key, n] of Object.entries(rec)) {
      if (n >= k) out[key] = n;
      else dropped++;
    }
    return { out, dropped };
  };
  const visits = kept(h.visits);
  const transitions = kept(h.transitions);
  const sequences = kept(h.sequences);
  return {
    hourMs: h.hourMs,
    visits: visits.out,
    transitions: transitions.out,
    sequences: sequences.out,
    suppressed: { visits: visits.dropped, transitions: transitions.dropped, sequences: sequences.dropped },
  };
}

export interface SitePathsCounters {
  batches: number;
  droppedUnknownBox: number;
  droppedClockSkew: number;
  hoursPublished: number;
  cellsSuppressed: number;
}

export class SitePathsService {
  readonly counters: SitePathsCounters = { batches: 0, droppedUnknownBox: 0, droppedClockSkew: 0, hoursPublished: 0, cellsSuppressed: 0 };
  readonly floor: SiteFloor;
  private readonly tally = new PathTally();
  private readonly stitcher: Stitcher;
  private readonly sources = new Map<string, Source>();
  private readonly boxes: Set<string>;
  /** Per hour (start ms): the cameras (box/camera) whose fragments had samples in it. */
  private readonly camerasByHour = new Map<number, Set<string>>();
  private readonly log: Logger;
  private lastSavedMs = 0;

  constructor(private readonly options: SitePathsServiceOptions) {
    const { config } = options;
    this.log = options.logger.child({ module: 'site-paths' });
    this.floor = siteFloorOf(config.cameras, config.floorPlan.zones);
    this.boxes = new Set([config.device, ...config.sitePaths.boxes]);
    this.stitcher = new Stitcher({ zones: floorZonesOf(config.floorPlan.zones), handover: config.sitePaths.handover, visitMinS: config.sitePaths.visitMinS, exitGraceS: config.sitePaths.exitGraceS, sampleMs: config.sitePaths.sampleMs }, this.tally);
    const saved = options.state?.getState(STATE_KEY);
    if (saved && !this.tally.restoreHours(saved)) this.log.warn({ key: STATE_KEY }, 'saved site paths are unreadable; starting without them');
    const savedCameras = options.state?.getState(CAMERAS_STATE_KEY);
    if (savedCameras && !this.restoreCameras(savedCameras)) this.log.warn({ key: CAMERAS_STATE_KEY }, 'saved site path cameras are unreadable; starting without them');
  }

  /** Site tracks in progress. */
  get openTracks(): number {
    return this.stitcher.openTracks;
  }

  get stitcherCounters() {
    return this.stitcher.counters;
  }

  /** A box's batch (this box's own, or another's from the site broker). */
  add(batch: FragmentBatch): BatchVerdict {
    const now = this.options.now();
    if (!this.boxes.has(batch.box)) {
      this.counters.droppedUnknownBox++;
      return 'unknown-box';
    }
    const skewMs = this.options.config.sitePaths.maxClockSkewS * 1000;
    if (batch.box !== this.options.config.device && (Math.abs(batch.upToMs - now) > skewMs || !samplesWithin(batch, now - skewMs, now + skewMs))) {
      this.counters.droppedClockSkew++;
      return 'clock-skew';
    }
    this.counters.batches++;
    for (const chunk of batch.chunks) {
      this.stitcher.add(chunk);
      this.noteCamera(chunk);
    }
    const src = this.sources.get(batch.box);
    if (!src) this.sources.set(batch.box, { upToMs: batch.upToMs, heardAtMs: now });
    else {
      if (batch.upToMs > src.upToMs) src.upToMs = batch.upToMs;
      src.heardAtMs = now;
    }
    return batch.chunks.length > 0 ? 'ok' : 'empty';
  }

  /** The boxes whose watermark holds the stitcher back (heard from within silentAfterS). */
  liveSources(): string[] {
    const now = this.options.now();
    const silentMs = this.options.config.sitePaths.silentAfterS * 1000;
    return [...this.sources.entries()].filter(([, s]) => now - s.heardAtMs <= silentMs).map(([box]) => box);
  }

  /** Advances to the smallest live watermark and publishes the hours that are done. */
  tick(): void {
    let upTo = Infinity;
    for (const box of this.liveSources()) upTo = Math.min(upTo, this.sources.get(box)!.upToMs);
    if (upTo !== Infinity) this.stitcher.advance(upTo);
    const decided = this.stitcher.decidedUpToMs;
    if (decided === -Infinity) return;
    const cutoffMs = decided - this.options.config.sitePaths.publishDelayS * 1000;
    const hours = this.tally.takeHoursBefore(cutoffMs, 1);
    for (const h of hours) this.publish(h);
    // Hours past the cut-off with no paths publish nothing: forget their cameras too.
    for (const hour of this.camerasByHour.keys()) if (hour + HOUR_MS <= cutoffMs) this.camerasByHour.delete(hour);
    const now = this.options.now();
    if (hours.length > 0 || now - this.lastSavedMs > 60_000) this.save(now);
  }

  /** Unpublished hours with cells below k left out, and how many were (for the status page). */
  hoursInProgress(): AnonymisedHour[] {
    const k = this.options.config.sitePaths.k;
    return this.tally.hoursHeld(1).map((h) => anonymiseHour(h, k));
  }

  /** Keeps the unpublished hours (at stop). */
  save(now = this.options.now()): void {
    this.lastSavedMs = now;
    try {
      this.options.state?.setState(STATE_KEY, this.tally.saveHours());
      this.options.state?.setState(CAMERAS_STATE_KEY, JSON.stringify([...this.camerasByHour].map(([hour, keys]) => [hour, [...keys]])));
    } catch (err) {
      this.log.warn({ err }, 'could not keep the site paths in progress');
    }
  }

  /** Records the chunk's camera in every hour its samples fall in. */
  private noteCamera(chunk: FragmentChunk): void {
    const n = chunk.t.length;
    if (n === 0) return;
    const key = cameraKey(chunk.box, chunk.camera);
    for (let hour = Math.floor(chunk.t[0]! / HOUR_MS) * HOUR_MS; hour <= chunk.t[n - 1]!; hour += HOUR_MS) {
      let keys = this.camerasByHour.get(hour);
      if (!keys) this.camerasByHour.set(hour, (keys = new Set()));
      keys.add(key);
    }
  }

  private restoreCameras(text: string): boolean {
    try {
      const rows = JSON.parse(text) as unknown;
      if (!Array.isArray(rows)) return false;
      for (const row of rows) {
        if (!Array.isArray(row) || typeof row[0] !== 'number' || !Array.isArray(row[1])) return false;
        this.camerasByHour.set(row[0], new Set((row[1] as unknown[]).filter((k): k is string => typeof k === 'string' && k.includes('/'))));
      }
      return true;
    } catch {
      return false;
    }
  }

  private publish(h: HourPaths): void {
    const k = this.options.config.sitePaths.k;
    const { visits, transitions, sequences, suppressed } = anonymiseHour(h, k);
    this.counters.hoursPublished++;
    // The cameras and boxes whose fragments fell in the hour (every box's, not only this one's).
    const keys = [...(this.camerasByHour.get(h.hourMs) ?? [])];
    for (const hour of this.camerasByHour.keys()) if (hour <= h.hourMs) this.camerasByHour.delete(hour);
    this.counters.cellsSuppressed += suppressed.visits + suppressed.transitions + suppressed.sequences;
    this.options.sink.append({
      tsMs: h.hourMs,
      type: SITE_PATHS_EVENT,
      source: 'site',
      data: {
        hour: new Date(h.hourMs).toISOString(),
        hourStartMs: h.hourMs,
        k,
        visits,
        transitions,
        sequences,
        suppressed,
        cameras: keys.length,
        boxes: [...new Set(keys.map((k) => k.slice(0, k.indexOf('/'))))].sort(),
      },
    });
    this.log.info({ hour: new Date(h.hourMs).toISOString(), transitions: Object.keys(transitions).length, suppressed }, 'site paths of the hour published');
  }
}

export { HOUR_MS };

/** Whether every sample time of the batch lies in [from, to]. */
function samplesWithin(batch: FragmentBatch, from: number, to: number): boolean {
  for (const c of batch.chunks) {
    for (let i = 0; i < c.t.length; i++) {
      const t = c.t[i]!;
      if (!(t >= from && t <= to)) return false;
    }
  }
  return true;
}
