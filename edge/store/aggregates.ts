// Per-minute aggregates kept beside the events: what each event type adds to the
// `counts` table (n = how many, sum and max of a value). Accumulated in memory for a
// write batch and upserted in the batch's transaction.
import type { NewEvent } from '../shared/types.ts';

export const MINUTE_MS = 60_000;

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
export function countDeltasOf(event: NewEvent, out: CountDelta[]): number {
  const d = event.data;
  out.length = 0;
  switch (event.type) {
    case 'line.cross': {
      const line = str(d.line);
      const dir = d.direction === 'in' || d.direction === 'out' ? d.direction : undefined;
      if (line && dir) out.push({ subject: line, metric: dir, value: 1 });
      break;
    }
    case 'zone.visit': {
      const zone = str(d.zone);
      if (zone) out.push({ subject: zone, metric: 'visits', value: num(d.dwellMs) });
      break;
    }
    case 'zone.occupancy': {
      const zone = str(d.zone);
      if (zone) out.push({ subject: zone, metric: 'occupancy', value: num(d.max ?? d.mean ?? d.count) });
      break;
    }
    case 'queue': {
      const queue = str(d.queue);
      if (queue) {
        out.push({ subject: queue, metric: 'length', value: num(d.length) });
        out.push({ subject: queue, metric: 'waitMs', value: num(d.waitMs) });
      }
      break;
    }
    case 'wifi.visit': {
      const cls = str(d.class) ?? 'unknown';
      out.push({ subject: 'wifi', metric: `visits.${cls}`, value: num(d.dwellMs) });
      break;
    }
    case 'wifi.count': {
      out.push({ subject: 'wifi', metric: 'devices', value: num(d.devices ?? d.all) });
      // Randomized MACs inflate the raw count; the estimator's figure is the one to chart.
      if (typeof d.estimatedDevices === 'number') out.push({ subject: 'wifi', metric: 'estimatedDevices', value: num(d.estimatedDevices) });
      break;
    }
    case 'path': {
      // One row per zone-to-zone step, so the store answers "of people who left A, how many went to B".
      const zones = Array.isArray(d.zones) ? d.zones : [];
      for (let i = 1; i < zones.length; i++) {
        const from = str(zones[i - 1]);
        const to = str(zones[i]);
        if (from && to) out.push({ subject: `${from}>${to}`, metric: 'transitions', value: 1 });
      }
      break;
    }
    case 'alert': {
      const rule = str(d.rule);
      if (rule && d.state === 'raised') out.push({ subject: rule, metric: 'alerts', value: 1 });
      break;
    }
    default:
      break;
  }
  return out.length;
}

export function minuteOf(tsMs: number): number {
  return tsMs - (((tsMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}
