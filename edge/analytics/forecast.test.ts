import { LocalZone } from '../shared/local-time.ts';
import { describe, expect, it } from 'vitest';
import { backtestMape, backtestSameHourLastWeek, forecastSeries, simulateHourlyHistory, WEEK_HOURS } from './forecast.ts';

const OPTS = { alpha: 0.2, gamma: 0.3, minHistoryWeeks: 2, zone: LocalZone.fixed(0) };

describe('forecast', () => {
  it('uses seasonal smoothing with enough history and beats same-hour-last-week on simulated history', () => {
    const h = simulateHourlyHistory({ weeks: 8, seed: 3 });
    const ours = backtestMape(h.values, h.startHourMs, 2 * WEEK_HOURS, OPTS);
    const naive = backtestSameHourLastWeek(h.values, 2 * WEEK_HOURS);
    expect(ours.method).toBe('seasonal-smoothing');
    expect(ours.hours).toBeGreaterThan(150);
    expect(ours.mapePct).toBeLessThan(naive.mapePct);
    expect(ours.mapePct).toBeLessThan(15);
  });

  it('falls back to the mean of the same weekday-hour with short history', () => {
    // Ten days: hour 10 of day d has value 10 + d.
    const series = new Array<number>(240).fill(0).map((_, i) => (i % 24 === 10 ? 10 + Math.floor(i / 24) : 0));
    const start = Date.UTC(2026, 0, 5);
    const f = forecastSeries(series, start, 24, OPTS);
    expect(f.method).toBe('same-hour-mean');
    // Hour 240 + 10 = day 10, hour 10: one week earlier is day 3 (value 13).
    expect(f.values[10]).toBe(13);
    const short = forecastSeries(series.slice(0, 48), start, 24, OPTS);
    expect(short.method).toBe('same-hour-of-day');
    expect(short.values[10]).toBe(10.5);
    expect(forecastSeries([], start, 3, OPTS)).toEqual({ values: [0, 0, 0], method: 'none' });
  });

  it('never forecasts negative visitors', () => {
    const h = simulateHourlyHistory({ weeks: 3, seed: 9 });
    const f = forecastSeries(h.values, h.startHourMs, 48, OPTS);
    expect(Math.min(...f.values)).toBeGreaterThanOrEqual(0);
  });
});
