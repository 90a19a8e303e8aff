// The site's paths of one local day (or one hour of it) for the status page: the day's stored
// `site.paths` events plus the hours the site-paths stage still holds, merged into visits per
// zone, a from x to transition matrix and the top sequences. k-anonymity holds for the sums too:
// only the cells an hour shows (k or more people in that hour, against the k in force now) are
// added, so no day's cell can be made of hours that were withheld; the answer says how many cells
// were left out, never which (naming a withheld cell would say someone walked it).
import { sitePathsSection } from '../config/index.ts';
import { HOUR_MS, SITE_PATHS_EVENT, type SitePathsView, type SuppressedCells } from '../site-paths/index.ts';
import type { LocalZone } from '../shared/local-time.ts';
import type { DayWindow } from './day-summary.ts';
import type { StatusStoreReader } from './store-reader.ts';

/** The k of a box whose site paths are off and whose stored hours say none. */
export const DEFAULT_SITE_PATHS_K: number = sitePathsSection.parse({}).k;
/** How many sequences the answer lists. */
export const TOP_SEQUENCES = 10;
/** More stored events than a day can hold (25 hours, a few republished): the rest is not read. */
const MAX_EVENTS = 1_000;

export const SITE_PATHS_HOUR_MESSAGE = 'hour: must be the start of an hour of the day, ms since epoch (as in hours[].hourStartMs)';

/** Where this box's site paths are stitched. */
export type StitchingRole = 'local' | 'broker' | 'off';

export interface SitePathsHourRow {
  hourStartMs: number;
  /** The UTC hour, ISO (hours are UTC hours; `localTime` is their start on the site's clock). */
  hour: string;
  localTime: string;
  /** A stored `site.paths` event holds it (published); `inProgress`: the stage still counts it. */
  published: boolean;
  inProgress: boolean;
  /** Sums of the cells shown (each k or more). */
  visits: number;
  transitions: number;
  sequences: number;
  /** Cells left out for having fewer than k people. */
  withheld: SuppressedCells;
}

export interface SitePathsDay {
  day: string;
  fromMs: number;
  toMs: number;
  timeZone: string;
  utcOffsetMinutes: number;
  /** The hour the figures are of (its start, ms), or null for the whole day. */
  hour: number | null;
  k: number;
  stitching: { role: StitchingRole; cameras: string[]; uncalibrated: string[]; unseenZones: string[]; sources: string[] };
  /** Every hour of the day with site paths, oldest first (the figures below may be of one). */
  hours: SitePathsHourRow[];
  /** The matrix's axis: every zone with a count shown, by name. */
  zones: string[];
  visits: Record<string, number>;
  /** transitions[i][j]: people going from zones[i] to zones[j]; null: none shown (none, or fewer than k in every hour). */
  transitions: Array<Array<number | null>>;
  transitionsTotal: number;
  topSequences: Array<{ sequence: string; n: number }>;
  /** Hour cells left out for having fewer than k people (a day's count sums only the hours that showed it). */
  withheld: SuppressedCells;
}

interface HourCells {
  visits: Map<string, number>;
  transitions: Map<string, number>;
  sequences: Map<string, number>;
  withheld: SuppressedCells;
  published: boolean;
  inProgress: boolean;
}

const noneWithheld = (): SuppressedCells => ({ visits: 0, transitions: 0, sequences: 0 });

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The cells of a stored record: keys of `parts` zone names joined by ">", positive whole counts. */
function cellsOf(rec: unknown, parts: number): Array<[string, number]> {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return [];
  const out: Array<[string, number]> = [];
  for (const [key, n] of Object.entries(rec as Record<string, unknown>)) {
    if (!isCount(n) || n === 0) continue;
    const names = key.split('>');
    if (names.length !== parts || names.some((z) => z.length === 0)) continue;
    out.push([key, n]);
  }
  return out;
}

/** Adds an hour's shown cells: those below `k` (an hour published with a smaller k) are withheld now. */
function addHour(into: HourCells, h: { visits?: unknown; transitions?: unknown; sequences?: unknown; suppressed?: unknown }, k: number): void {
  const s = h.suppressed && typeof h.suppressed === 'object' ? (h.suppressed as Record<string, unknown>) : {};
  for (const [kind, parts] of [['visits', 1], ['transitions', 2], ['sequences', 3]] as const) {
    const map = into[kind];
    if (isCount(s[kind])) into.withheld[kind] += s[kind];
    for (const [key, n] of cellsOf(h[kind], parts)) {
      if (n < k) into.withheld[kind]++;
      else map.set(key, (map.get(key) ?? 0) + n);
    }
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The day's site paths. `hour` (an hour start inside the day) narrows the figures to that hour;
 * `view` is the site-paths stage's view (null: site paths are off on this box).
 */
export function summarizeSitePaths(store: StatusStoreReader, w: DayWindow, zone: LocalZone, view: SitePathsView | null, nowMs: number, hour: number | null = null): SitePathsDay {
  const events = store.eventsBetween(w.fromMs, w.toMs, SITE_PATHS_EVENT, MAX_EVENTS);
  const eventKs = events.map((e) => e.data.k).filter((k): k is number => isCount(k) && k >= 1);
  // Off, the strictest k the stored hours were published with (a later, lower k cannot reveal more).
  const k = view?.k ?? (eventKs.length > 0 ? Math.max(...eventKs) : DEFAULT_SITE_PATHS_K);
  const hours = new Map<number, HourCells>();
  const hourOf = (hourMs: number): HourCells => {
    let h = hours.get(hourMs);
    if (!h) hours.set(hourMs, (h = { visits: new Map(), transitions: new Map(), sequences: new Map(), withheld: noneWithheld(), published: false, inProgress: false }));
    return h;
  };
  for (const e of events) {
    const start = typeof e.data.hourStartMs === 'number' && Number.isFinite(e.data.hourStartMs) ? e.data.hourStartMs : e.tsMs;
    if (start < w.fromMs || start >= w.toMs) continue;
    const h = hourOf(start);
    h.published = true;
    addHour(h, e.data, k);
  }
  for (const held of view?.hours ?? []) {
    if (held.hourMs < w.fromMs || held.hourMs >= w.toMs) continue;
    const h = hourOf(held.hourMs);
    h.inProgress = true;
    addHour(h, held, k);
  }
  const rows: SitePathsHourRow[] = [...hours.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hourStartMs, h]) => ({
      hourStartMs,
      hour: new Date(hourStartMs).toISOString(),
      localTime: zone.clock(hourStartMs),
      published: h.published,
      inProgress: h.inProgress,
      visits: sum(h.visits),
      transitions: sum(h.transitions),
      sequences: sum(h.sequences),
      withheld: h.withheld,
    }));

  // The figures: every hour's shown cells added up (each is k or more, so every sum is too).
  const picked = hour === null ? [...hours.values()] : hours.has(hour) ? [hours.get(hour)!] : [];
  const total = { visits: new Map<string, number>(), transitions: new Map<string, number>(), sequences: new Map<string, number>() };
  const withheld = noneWithheld();
  for (const h of picked) {
    for (const kind of ['visits', 'transitions', 'sequences'] as const) {
      withheld[kind] += h.withheld[kind];
      for (const [key, n] of h[kind]) total[kind].set(key, (total[kind].get(key) ?? 0) + n);
    }
  }
  // Guards the invariant above: a sum below k is never answered, whatever went into it.
  for (const kind of ['visits', 'transitions', 'sequences'] as const) {
    for (const [key, n] of total[kind]) {
      if (n < k) {
        total[kind].delete(key);
        withheld[kind]++;
      }
    }
  }
  const zoneSet = new Set<string>(total.visits.keys());
  for (const key of total.transitions.keys()) for (const z of key.split('>')) zoneSet.add(z);
  const zones = [...zoneSet].sort(byName);
  const index = new Map(zones.map((z, i) => [z, i]));
  const transitions = zones.map(() => zones.map((): number | null => null));
  for (const [key, n] of total.transitions) {
    const [from, to] = key.split('>') as [string, string];
    transitions[index.get(from)!]![index.get(to)!] = n;
  }
  const visits: Record<string, number> = {};
  for (const z of zones) if (total.visits.has(z)) visits[z] = total.visits.get(z)!;
  const topSequences = [...total.sequences.entries()]
    .sort(([ka, a], [kb, b]) => b - a || byName(ka, kb))
    .slice(0, TOP_SEQUENCES)
    .map(([sequence, n]) => ({ sequence, n }));
  return {
    day: w.day,
    fromMs: w.fromMs,
    toMs: w.toMs,
    timeZone: zone.name,
    utcOffsetMinutes: zone.offsetMinutesAt(Math.min(Math.max(nowMs, w.fromMs), w.toMs - 1)),
    hour,
    k,
    stitching: {
      role: view?.role ?? 'off',
      cameras: view?.cameras ?? [],
      uncalibrated: view?.uncalibrated ?? [],
      unseenZones: view?.unseenZones ?? [],
      sources: view?.sources ?? [],
    },
    hours: rows,
    zones,
    visits,
    transitions,
    transitionsTotal: sum(total.transitions),
    topSequences,
    withheld,
  };
}

/** Parses the `hour` query: the start of a UTC hour inside the day, else null. */
export function parseSitePathsHour(text: string, w: DayWindow): number | null {
  if (!/^\d{1,15}$/.test(text)) return null;
  const ms = Number(text);
  return ms % HOUR_MS === 0 && ms >= w.fromMs && ms < w.toMs ? ms : null;
}
