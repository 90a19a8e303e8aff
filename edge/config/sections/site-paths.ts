// Config of the site's floor plan (floorPlan: shop fronts, kiosks, entrances in floor metres,
// shared by every box of the site) and of mall-wide paths (sitePaths: hand-over between
// cameras, zone visits, transitions A>B and sequences A>B>C, k-anonymity, where fragments go).
// Defaults of the hand-over are chosen on the tuning layouts of scripts/accuracy/splits.json
// ("paths"); BENCHMARKS.md "Mall-wide paths (#24)" reports the validation layouts.
import { z } from 'zod';
import { polygonArea, repeatedVertex, selfIntersection } from '../../shared/geometry.ts';
import { identifier, intBetween, numberBetween, oneOf, uniqueNames } from '../fields.ts';

/** Smallest floor zone: 0.25 m² (half a metre square); smaller cannot hold a person's foot point reliably. */
export const MIN_FLOOR_ZONE_AREA_M2 = 0.25;

const floorPoint = () => {
  const msg = 'must be a floor point [x, y] of two numbers (metres)';
  const coord = z.number({ error: msg }).refine(Number.isFinite, { error: msg }).refine((v) => Math.abs(v) <= 100_000, { error: 'must be within 100 km of the origin' });
  return z.tuple([coord, coord], { error: msg });
};

const floorPolygon = () =>
  z
    .array(floorPoint(), { error: 'must be a list of floor points [[x, y], ...] in metres' })
    .min(3, { error: 'must have at least 3 points' })
    .max(256, { error: 'at most 256 points' })
    .superRefine((pts, ctx) => {
      if (pts.length < 3) return;
      const rep = repeatedVertex(pts);
      if (rep >= 0) {
        ctx.addIssue({ code: 'custom', message: `repeats point ${rep + 1} ([${pts[rep]!.join(', ')}]) as the next point` });
        return;
      }
      const hit = selfIntersection(pts);
      if (hit) {
        ctx.addIssue({ code: 'custom', message: `is self-intersecting: edge ${hit[0] + 1}-${((hit[0] + 1) % pts.length) + 1} crosses edge ${hit[1] + 1}-${((hit[1] + 1) % pts.length) + 1}; list the points in order around the area` });
        return;
      }
      const area = polygonArea(pts);
      if (area < MIN_FLOOR_ZONE_AREA_M2) ctx.addIssue({ code: 'custom', message: `is too small: area ${area.toFixed(3)} m², at least ${MIN_FLOOR_ZONE_AREA_M2} m² needed` });
    });

export const floorZoneSchema = z
  .object({
    /** Zone name (unique in the site): a shop front, kiosk or entrance. Names appear in transitions "A>B". */
    name: identifier().refine((n) => !n.includes('>'), { error: 'must not contain ">"' }).describe('Zone name (unique in the site): a shop front, kiosk or entrance; names appear in transitions "A>B".'),
    /** Polygon in floor metres (the axes of the cameras' calibrations). */
    polygon: floorPolygon().describe('Polygon in floor metres (the axes of the cameras\' calibration points).'),
  })
  .strict();

export type FloorZoneConfig = z.output<typeof floorZoneSchema>;

export const floorPlanSection = z
  .object({
    /** The site's zones in floor metres, shared by every box of the site. */
    zones: z.array(floorZoneSchema).max(1000, { error: 'at most 1000 zones' }).default([]).superRefine(uniqueNames('floor zone', 'floorPlan.zones')).describe("The site's zones in floor metres, shared by every box of the site."),
  })
  .strict();

export type FloorPlanConfig = z.output<typeof floorPlanSection>;

export const handoverSection = z
  .object({
    /** Longest unobserved walk between two views (or a tracker loss in one view) that is still joined, seconds. */
    maxGapS: numberBetween(0, 120).default(8).describe('Longest unobserved walk between two views (or a lost track in one view) that is still joined, seconds.'),
    /** Fastest plausible walk, m/s: a join needing more is impossible. */
    maxSpeedMps: numberBetween(0.5, 10).default(2.5).describe('Fastest plausible walk, m/s: a join needing more is impossible.'),
    /** Position disagreement of one person seen by two calibrated cameras at once (1 sigma, metres). */
    overlapSigmaM: numberBetween(0.05, 5).default(0.5).describe('Position disagreement of one person seen by two calibrated cameras at once (1 sigma, metres).'),
    /** Uncertainty of the end/start position of a fragment (1 sigma, metres). */
    gapSigmaM: numberBetween(0.05, 5).default(0.6).describe('Uncertainty of a fragment\'s end or start position (1 sigma, metres).'),
    /** Growth of the position uncertainty across a gap, m per second unobserved. */
    gapSigmaMps: numberBetween(0, 5).default(0.5).describe('Growth of the position uncertainty across a gap, metres per second unobserved.'),
    /** Largest join cost (chi-square units, 2 dof): above it the fragment starts a new site track. */
    gate: numberBetween(0.1, 100).default(9.2).describe('Largest join cost (chi-square units, 2 degrees of freedom): above it a fragment starts a new site track.'),
    /** An assignment whose best swap costs less than this more is ambiguous: the path is cut, not guessed. */
    ambiguityMargin: numberBetween(0, 100).default(1).describe('An assignment whose best alternative costs less than this more (chi-square units) is ambiguous: the path is cut, not guessed.'),
    /** How much of a new fragment is seen before its hand-over is decided, seconds. */
    decideAfterS: numberBetween(0.2, 30).default(2).describe('How much of a new fragment is seen before its hand-over is decided, seconds.'),
    /** An ambiguous hand-over of a fragment still in view waits for more samples up to this long before it is cut, seconds. */
    waitMaxS: numberBetween(0, 60).default(6).describe('An ambiguous hand-over of a fragment still in view waits for more samples up to this long before it is cut, seconds.'),
    /** Fragments shorter than this are dropped as tracker noise, seconds. */
    minFragmentS: numberBetween(0, 30).default(0.6).describe('Fragments shorter than this are dropped as tracker noise, seconds.'),
  })
  .strict();

export type HandoverConfig = z.output<typeof handoverSection>;

export const sitePathsSection = z
  .object({
    /**
     * auto: on when floorPlan has zones and a camera is calibrated. Cameras without a
     * calibration take no part (said in health).
     */
    enabled: oneOf(['auto', 'on', 'off']).default('auto').describe('auto: on when floorPlan has zones and a camera is calibrated; cameras without calibration take no part (said in health).'),
    /**
     * Where this box's fragments are stitched: `local` (in this agent: a single-box site, or the
     * box that stitches for the site), `broker` (published on the site's broker to the site's
     * stitcher; this box stitches nothing).
     */
    role: oneOf(['local', 'broker']).default('local').describe("Where this box's fragments are stitched: local (in this agent; the site's stitcher) or broker (published on the site's broker for the site's stitcher)."),
    /** With role local: also stitch fragments other boxes publish on the broker (their device names). */
    boxes: z.array(identifier()).max(1000).default([]).describe('With role local: the other boxes (device names) whose fragments this agent stitches from the broker.'),
    /** A visit is at least this long continuously inside a zone, seconds. */
    visitMinS: numberBetween(0.2, 600).default(3).describe('A visit is at least this long continuously inside a zone, seconds.'),
    /** A step out of a zone shorter than this does not end a visit (floor position noise at the zone's edge), seconds. */
    exitGraceS: numberBetween(0, 60).default(1).describe("A step out of a zone shorter than this does not end a visit (floor position noise at the zone's edge), seconds."),
    /** Privacy: a transition, sequence or visit cell with fewer people than k is not published or shown. */
    k: intBetween(1, 1000).default(10).describe('Privacy: a transition, sequence or visit cell with fewer people than k is not published or shown.'),
    /** An hour's paths are published this long after the hour ends (walks in progress finish), seconds. */
    publishDelayS: intBetween(0, 3600).default(600).describe("An hour's paths are published this long after the hour ends (walks in progress finish), seconds."),
    /** Floor sample period of fragments, ms. */
    sampleMs: intBetween(50, 2000).default(200).describe('Floor sample period of fragments, ms.'),
    /** Fragments with times further than this from the stitcher's clock are dropped (counted), seconds. */
    maxClockSkewS: numberBetween(1, 3600).default(30).describe("Fragments with times further than this from the stitcher's clock are dropped and counted, seconds."),
    /** A box (or camera) silent this long no longer holds back the stitcher, seconds. */
    silentAfterS: numberBetween(1, 600).default(15).describe('A box or camera silent this long no longer holds back the stitcher, seconds.'),
    /** Hand-over between cameras and across tracker losses. */
    handover: handoverSection.prefault({}).describe('Hand-over between cameras and across tracker losses.'),
  })
  .strict();

export type SitePathsConfig = z.output<typeof sitePathsSection>;
