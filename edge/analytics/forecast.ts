// Visitor forecasts from hourly history: additive seasonal exponential smoothing with a
// weekday-and-hour season (168 hours) once there are `minHistoryWeeks` weeks of history,
// else the mean of the same weekday-hour in past weeks (or the same hour of past days).
// Also a simulated mall history and a rolling one-step backtest (MAPE) to measure it.
import type { LocalZone } from '../shared/local-time.ts';
import { SeededRandom } from '../shared/random.ts';
import { HOUR_MS } from '../shared/time-units.ts';

export const WEEK_HOURS = 168;

export interface ForecastOptions {
  alpha: number;
  gamma: number;
  minHistoryWeeks: number;
  /** The site's local time: the season is the local weekday and hour. */
  zone: LocalZone;
}

export type ForecastMethod = 'seasonal-smoothing' | 'same-hour-mean' | 'same-hour-of-day' | 'last-value' | 'none';

export interface SeriesForecast {
  /** One value per future hour, starting with the hour after the series. */
  values: number[];
  method: ForecastMethod;
}

/** Hour of the week (0..167, Sunday 00:00 = 0) of an instant, in the site's local time. */
export function hourOfWeek(tsMs: number, zone: LocalZone): number {
  return zone.weekday(tsMs) * 24 + zone.hourOfDay(tsMs);
}

/**
 * Forecasts `horizon` hours after an hourly series (series[i] = count of the hour starting
 * at startHourMs + i h). Never negative.
 */
export function forecastSeries(series: ArrayLike<number>, startHourMs: number, horizon: number, options: ForecastOptions): SeriesForecast {
  const n = series.length;
  const values: number[] = [];
  if (n === 0) return { values: new Array<number>(horizon).fill(0), method: 'none' };
  const how = (i: number) => hourOfWeek(startHourMs + i * HOUR_MS, options.zone);
  if (n >= options.minHistoryWeeks * WEEK_HOURS && n >= WEEK_HOURS) {
    // Initialise level and season from the first week, then smooth through the rest.
    const season = new Float64Array(WEEK_HOURS);
    let level = 0;
    for (let i = 0; i < WEEK_HOURS; i++) level += series[i]!;
    level /= WEEK_HOURS;
    for (let i = 0; i < WEEK_HOURS; i++) season[how(i)] = series[i]! - level;
    for (let i = WEEK_HOURS; i < n; i++) {
      const s = how(i);
      const y = series[i]!;
      const newLevel = options.alpha * (y - season[s]!) + (1 - options.alpha) * level;
      season[s] = options.gamma * (y - newLevel) + (1 - options.gamma) * season[s]!;
      level = newLevel;
    }
    for (let k = 0; k < horizon; k++) values.push(Math.max(0, level + season[how(n + k)]!));
    return { values, method: 'seasonal-smoothing' };
  }
  // Short history: same weekday-hour of past weeks, else same hour of past days.
  let method: ForecastMethod = 'same-hour-mean';
  for (let k = 0; k < horizon; k++) {
    const t = n + k;
    let sum = 0;
    let cnt = 0;
    for (let i = t - WEEK_HOURS; i >= 0; i -= WEEK_HOURS) {
      if (i < n) {
        sum += series[i]!;
        cnt++;
      }
    }
    if (cnt === 0) {
      for (let i = t - 24; i >= 0; i -= 24) {
        if (i < n) {
          sum += series[i]!;
          cnt++;
        }
      }
      if (cnt > 0 && method === 'same-hour-mean') method = 'same-hour-of-day';
    }
    if (cnt === 0) {
      values.push(Math.max(0, series[n - 1]!));
      method = 'last-value';
    } else values.push(Math.max(0, sum / cnt));
  }
  return { values, method };
}

export interface HistoryOptions {
  weeks: number;
  seed?: number;
  /** Peak visitors per hour on a weekday. */
  peakPerHour?: number;
  /** Hour start of the first value (default: a Monday 00:00 UTC). */
  startHourMs?: number;
}

/** A shopping centre's hourly visitors: open 9-21, lunch and evening peaks, busier weekends, noise. */
export function simulateHourlyHistory(options: HistoryOptions): { startHourMs: number; values: Float64Array } {
  const rnd = new SeededRandom(options.seed ?? 11);
  const peak = options.peakPerHour ?? 400;
  const startHourMs = options.startHourMs ?? Date.UTC(2026, 0, 5); // Monday
  const values = new Float64Array(options.weeks * WEEK_HOURS);
  const dayFactor = [1.0, 0.9, 0.95, 1.0, 1.2, 1.6, 1.3]; // Mon..Sun
  for (let i = 0; i < values.length; i++) {
    const day = Math.floor(i / 24) % 7;
    const hour = i % 24;
    if (hour < 9 || hour >= 21) continue;
    const shape = 0.35 + 0.45 * Math.exp(-((hour - 13) ** 2) / 4) + 0.55 * Math.exp(-((hour - 18) ** 2) / 5);
    const trend = 1 + 0.02 * Math.floor(i / WEEK_HOURS);
    const mean = peak * shape * dayFactor[day]! * trend;
    values[i] = Math.max(0, Math.round(mean + rnd.normal(0, Math.sqrt(mean) + 0.08 * mean)));
  }
  return { startHourMs, values };
}

export interface BacktestResult {
  /** Mean absolute percentage error over test hours with a non-zero actual, %. */
  mapePct: number;
  hours: number;
  method: ForecastMethod;
}

/** Rolling one-step-ahead backtest over the last `testHours` of the series. */
export function backtestMape(series: ArrayLike<number>, startHourMs: number, testHours: number, options: ForecastOptions): BacktestResult {
  let err = 0;
  let hours = 0;
  let method: ForecastMethod = 'none';
  const values = Array.from(series);
  for (let t = values.length - testHours; t < values.length; t++) {
    const actual = values[t]!;
    const f = forecastSeries(values.slice(0, t), startHourMs, 1, options);
    method = f.method;
    if (actual <= 0) continue;
    err += Math.abs(f.values[0]! - actual) / actual;
    hours++;
  }
  return { mapePct: hours ? (100 * err) / hours : 0, hours, method };
}

/** The naive reference: the same hour one week earlier. */
export function backtestSameHourLastWeek(series: ArrayLike<number>, testHours: number): BacktestResult {
  let err = 0;
  let hours = 0;
  for (let t = series.length - testHours; t < series.length; t++) {
    const actual = series[t]!;
    if (actual <= 0 || t < WEEK_HOURS) continue;
    err += Math.abs(series[t - WEEK_HOURS]! - actual) / actual;
    hours++;
  }
  return { mapePct: hours ? (100 * err) / hours : 0, hours, method: 'same-hour-mean' };
}
