// Per-minute aggregates kept beside the events: what each event type adds to the
// `counts` table (n = how many, sum and max of a value). Accumulated in memory for a
// write batch and upserted in the batch's transaction.
import type { NewEvent } from '../shared/types.ts';
import { MINUTE_MS } from '../shared/time-units.ts';

export interface CountDelta {
  subject: string;
  metric: string;
  /** Value added to `sum` and compared with `max`; n always grows by 1. */
  value: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * The count rows an event feeds. Unknown types feed none (they are still stored).
 * `subject` is the line, zone, queue or sensor; `metric` what is counted.
 */
/** Writes a delta into slot n of `out` (slots are reused from event to event) and returns n + 1. */
function setDelta(out: CountDelta[], n: number, subject: string, metric: string, value: number): number {
  const slot = out[n];
  if (slot) {
    slot.subject = subject;
    slot.metric = metric;
    slot.value = value;
  } else out.push({ subject, metric, value });
  return n + 1;
}

const VISIT_METRIC: Record<string, string> = { visitor: 'visits.visitor', passerby: 'visits.passerby', staff: 'visits.staff', unknown: 'visits.unknown' };

export function countDeltasOf(event: NewEvent, out: CountDelta[]): number {
  const d = event.data;
  let n = 0;
  switch (event.type) {
    case 'line.cross': {
      const line = str(d.line);
      const dir = d.direction === 'in' || d.direction === 'out' ? d.direction : undefined;
      if (line && dir) n = setDelta(out, n, line, dir, 1);
      // A site entrance's crossing is also a site entry or exit (summed over the box's cameras).
      if (d.site === 'in' || d.site === 'out') n = setDelta(out, n, 'site', `site.${d.site}`, 1);
      break;
    }
    case 'site.occupancy': {
      n = setDelta(out, n, 'site', 'site.occupancy', num(d.occupancy));
      break;
    }
    case 'site.reset': {
      n = setDelta(out, n, 'site', 'site.drift', num(d.drift));
      break;
    }
    case 'zone.visit': {
      const zone = str(d.zone);
      if (zone) n = setDelta(out, n, zone, 'visits', num(d.dwellMs));
      break;
    }
    case 'zone.occupancy': {
      const zone = str(d.zone);
      if (zone) n = setDelta(out, n, zone, 'occupancy', num(d.max ?? d.mean ?? d.count));
      break;
    }
    case 'queue': {
      const queue = str(d.queue);
      if (queue) {
        n = setDelta(out, n, queue, 'length', num(d.length));
        n = setDelta(out, n, queue, 'waitMs', num(d.waitMs));
      }
      break;
    }
    case 'wifi.visit': {
      const cls = str(d.class) ?? 'unknown';
      n = setDelta(out, n, 'wifi', VISIT_METRIC[cls] ?? `visits.${cls}`, num(d.dwellMs));
      break;
    }
    case 'wifi.count': {
      n = setDelta(out, n, 'wifi', 'devices', num(d.devices ?? d.all));
      // Randomized MACs inflate the raw count; the estimator's figure is the one to chart.
      if (typeof d.estimatedDevices === 'number') n = setDelta(out, n, 'wifi', 'estimatedDevices', num(d.estimatedDevices));
      break;
    }
    case 'path': {
      // One row per zone-to-zone step, so the store answers "of people who left A, how many went to B".
      const zones = Array.isArray(d.zones) ? d.zones : [];
      for (let i = 1; i < zones.length; i++) {
        const from = str(zones[i - 1]);
        const to = str(zones[i]);
        if (from && to) n = setDelta(out, n, `${from}>${to}`, 'transitions', 1);
      }
      break;
    }
    case 'alert': {
      const rule = str(d.rule);
      if (rule && d.state === 'raised') n = setDelta(out, n, rule, 'alerts', 1);
      break;
    }
    default:
      break;
  }
  return n;
}

export function minuteOf(tsMs: number): number {
  return tsMs - (((tsMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}
