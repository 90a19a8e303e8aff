import { describe, expect, it } from 'vitest';
import { LocalZone } from '../shared/local-time.ts';
import type { NewEvent } from '../shared/types.ts';
import { countDeltasOf, type CountDelta } from '../store/index.ts';
import { runCount } from './offline/index.ts';
import { SiteOccupancy } from './site-occupancy.ts';
import { tracksOf, walk } from './offline/index.ts';

const BERLIN = LocalZone.of('Europe/Berlin');
const at = (hhmm: string, day = '2026-11-16') => BERLIN.at(day, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)));

function site(closingTime: string | null = '22:00') {
  const events: NewEvent[] = [];
  const s = new SiteOccupancy({ sink: { append: (e) => (events.push(e), '') }, zone: BERLIN, closingTime });
  return { s, events };
}

describe('site occupancy', () => {
  it('counts people inside from entrance crossings, never below zero, with one event per active minute', () => {
    const { s, events } = site();
    s.onCross('out', at('09:00')); // nobody inside yet: stays 0, noted
    s.onCross('in', at('09:00') + 10_000);
    s.onCross('in', at('09:00') + 20_000);
    s.onCross('in', at('09:01') + 5_000);
    s.onCross('out', at('09:02') + 5_000);
    s.advance(at('09:03') + 1);
    expect(s.figures()).toMatchObject({ occupancy: 2, inSinceReset: 3, outSinceReset: 2, exitsAtZero: 1 });
    const minutes = events.filter((e) => e.type === 'site.occupancy').map((e) => [BERLIN.clock(e.tsMs), e.data]);
    expect(minutes).toEqual([
      ['09:00', { occupancy: 2, max: 2, in: 2, out: 1 }],
      ['09:01', { occupancy: 3, max: 3, in: 1, out: 0 }],
      ['09:02', { occupancy: 2, max: 3, in: 0, out: 1 }],
    ]);
  });

  it('starts over at closing time and reports the drift left', () => {
    const { s, events } = site('22:00');
    for (let i = 0; i < 5; i++) s.onCross('in', at('21:00') + i * 1000);
    for (let i = 0; i < 3; i++) s.onCross('out', at('21:30') + i * 1000);
    s.advance(at('22:05'));
    const reset = events.find((e) => e.type === 'site.reset')!;
    expect(BERLIN.clock(reset.tsMs)).toBe('22:00');
    expect(reset.data).toMatchObject({ drift: 2, in: 5, out: 3 });
    expect(s.figures()).toMatchObject({ occupancy: 0, inSinceReset: 0, lastDrift: 2 });
    // The next closing is tomorrow at 22:00.
    s.onCross('in', at('10:00', '2026-11-17'));
    s.advance(at('22:00', '2026-11-17') + 1);
    expect(events.filter((e) => e.type === 'site.reset')).toHaveLength(2);
  });

  it('picks up after a restart from the stored entries and exits since the last closing', () => {
    const rows = [
      { minute: at('21:50', '2026-11-15'), n: 9, metric: 'site.in' }, // before last closing: not counted
      { minute: at('09:00'), n: 7, metric: 'site.in' },
      { minute: at('10:00'), n: 3, metric: 'site.out' },
    ];
    const history = {
      countsBetween: (from: number, to: number, f?: { metric?: string }) => rows.filter((r) => r.minute >= from && r.minute < to && (!f?.metric || r.metric === f.metric)),
    };
    const { s } = site('22:00');
    s.restore(history, at('12:00'));
    expect(s.figures()).toMatchObject({ occupancy: 4, inSinceReset: 7, outSinceReset: 3 });
  });

  it('feeds the per-minute counts: entrance crossings as site.in / site.out, occupancy and drift', () => {
    const out: CountDelta[] = [];
    const metrics = (e: NewEvent) => out.slice(0, countDeltasOf(e, out)).map((d) => `${d.subject}/${d.metric}=${d.value}`);
    expect(metrics({ tsMs: 0, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'out', site: 'in' } })).toEqual(['door/out=1', 'site/site.in=1']);
    expect(metrics({ tsMs: 0, type: 'line.cross', source: 'cam', data: { line: 'inner', direction: 'in' } })).toEqual(['inner/in=1']);
    expect(metrics({ tsMs: 0, type: 'site.occupancy', source: 'site', data: { occupancy: 12, max: 14, in: 3, out: 1 } })).toEqual(['site/site.occupancy=12']);
    expect(metrics({ tsMs: 0, type: 'site.reset', source: 'site', data: { drift: 2 } })).toEqual(['site/site.drift=2']);
  });

  it('an entrance line says which way is into the site on every crossing', () => {
    // Door A -> B along y = 100: walking down is `in` for the line; this door's inside is up (intoSite: out).
    const door = { name: 'door', points: [[100, 100], [300, 100]] as [[number, number], [number, number]], minDistancePx: 8, minSideMs: 250, bandM: 0.15, holdS: 0.25, bandNoiseBoxFraction: 0.06, minDistanceBoxFraction: 0, role: 'entrance' as const, intoSite: 'out' as const };
    const r = runCount({ tracks: tracksOf([{ id: 1, startFrame: 1, points: walk([200, 40], [200, 170], 20) }, { id: 2, startFrame: 30, points: walk([220, 170], [220, 40], 20) }]), camera: { name: 'cam', lines: [door], zones: [] }, fps: 10 });
    expect(r.events.filter((e) => e.type === 'line.cross').map((e) => [e.data.direction, e.data.site])).toEqual([
      ['in', 'out'],
      ['out', 'in'],
    ]);
  });
});
