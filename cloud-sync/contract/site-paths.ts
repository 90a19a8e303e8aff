// The body (`data`) of a `site.paths` event in contract v1 (additive, #24): one per site and
// hour from the site's stitcher (source `site`): zone visits, transitions "A>B" and sequences
// "A>B>C" across every camera and box of the site, with every cell below k left out (counted in
// `suppressed`). The refinement makes the privacy rule part of the contract: a published cell
// below k is invalid.
import { z } from 'zod';

const HOUR_MS = 3_600_000;
const count = z.number().int().min(0);
const zoneName = /^[^>]+$/;

const cells = z.record(z.string(), count);
const KEY_FORMS = { visits: [1, 'a zone name'], transitions: [2, '"A>B"'], sequences: [3, '"A>B>C"'] } as const;

export const sitePathsDataSchema = z
  .object({
    /** The hour, ISO-8601 UTC (its start). */
    hour: z.iso.datetime({ error: 'must be an ISO-8601 UTC time' }),
    /** The hour's start, ms since epoch (a multiple of 3,600,000). */
    hourStartMs: z.number().int().min(0).refine((m) => m % HOUR_MS === 0, { error: 'must be the start of an hour (multiple of 3600000)' }),
    /** Privacy threshold in force: cells below it are left out. */
    k: z.number().int().min(1),
    /** Zone visits per zone name. */
    visits: cells,
    /** "A>B": people who visited B next after A. */
    transitions: cells,
    /** "A>B>C": three consecutive visits. */
    sequences: cells,
    /** Cells left out because they were below k. */
    suppressed: z.object({ visits: count, transitions: count, sequences: count }).strict(),
    /** Calibrated cameras that took part. */
    cameras: count,
    /** Devices whose fragments were stitched (this box included). */
    boxes: z.array(z.string().min(1)),
  })
  .passthrough()
  .superRefine((d, ctx) => {
    if (new Date(d.hour).getTime() !== d.hourStartMs) ctx.addIssue({ code: 'custom', path: ['hour'], message: 'must be the same instant as hourStartMs' });
    for (const field of ['visits', 'transitions', 'sequences'] as const) {
      const [parts, form] = KEY_FORMS[field];
      for (const [key, n] of Object.entries(d[field])) {
        const zones = key.split('>');
        if (zones.length !== parts || !zones.every((p) => zoneName.test(p))) ctx.addIssue({ code: 'custom', path: [field, key], message: `key must be ${form}` });
        if (n < d.k) ctx.addIssue({ code: 'custom', path: [field, key], message: `${n} is below k = ${d.k}: must not be published` });
      }
    }
  });

export type SitePathsData = z.output<typeof sitePathsDataSchema>;
