// Learns a sensor's near-field RSSI floor without labels. Per 10-minute window each device gets
// one level (the median RSSI of its frames in the window); a window's "top" is its strongest
// device level. Over a day the tops split into two groups: windows with someone near the sensor
// (strong tops) and windows with only far traffic (corridor, neighbours). The floor is placed just
// above the strongest far-only window, so no device of a far-only window counts.
import { FootfallError } from '../shared/errors.ts';

export const LEVEL_WINDOW_MS = 600_000;
/**
 * Floor used until one is learned: the empty-window rule applied to the tuning day (brno
 * 2024-03-16 position 1, a whole empty Saturday) gives -78 dBm. See BENCHMARKS.md (#19).
 */
export const DEFAULT_FLOOR_DBM = -78;
/** Frames kept per device and window for its median (more are ignored; the median barely moves). */
const MAX_FRAMES_PER_WINDOW = 32;

/** One window's device levels, strongest first (at most MAX_LEVELS kept). */
export interface WindowLevels {
  startMs: number;
  devices: number;
  /** Device levels (dBm), strongest first. */
  levels: number[];
}

const MAX_LEVELS = 8;

export interface FloorLearnOptions {
  /** At least this many windows with devices (default 6 = one hour). */
  minWindows?: number;
  /** The two groups of window tops must be at least this far apart (dB, default 10). */
  minGapDb?: number;
  /** Empty-window rule: share of the marked windows whose strongest device may reach the floor (default 0.05). */
  emptyExceedShare?: number;
  /** Signal step of the devices that stay all day (FixedDeviceLearner.levelShiftDb), NaN if unknown. */
  stayingDevicesShiftDb?: number;
  /** More than this step (dB, default 8) means the sensor moved: nothing is learned. */
  maxShiftDb?: number;
}

export interface FloorCalibration {
  floorDbm: number;
  method: 'modes' | 'empty-window';
  /** Median top of the far-only (empty) windows. */
  farLevelDbm: number;
  /** Median top of the windows with near devices (null when learned from an installer's empty window). */
  nearLevelDbm: number | null;
  emptyWindows: number;
  nearWindows: number;
  fromMs: number;
  toMs: number;
}

export type FloorLearnResult = { ok: true; calibration: FloorCalibration } | { ok: false; reason: string; windows: number };

interface DeviceWindow {
  startMs: number;
  n: number;
  values: Int16Array;
}

/** Collects per-device medians per window (feed it frames of devices that are not fixed). */
export class DeviceLevelCollector {
  readonly windows: WindowLevels[] = [];
  private readonly devices = new Map<number, DeviceWindow>();
  private currentStart = NaN;
  private readonly current: number[] = [];
  private currentDevices = 0;

  /** `maxWindows`: keep only the latest windows (the agent keeps a day). */
  constructor(
    private readonly windowMs = LEVEL_WINDOW_MS,
    private readonly maxWindows = Infinity,
  ) {}

  observe(deviceKey: number, tsMs: number, rssiDbm: number): void {
    if (Number.isNaN(rssiDbm)) return;
    const start = tsMs - (tsMs % this.windowMs);
    if (Number.isNaN(this.currentStart)) this.currentStart = start;
    else if (start > this.currentStart) this.closeWindow(start);
    else if (start < this.currentStart) return; // late frame of a closed window
    let d = this.devices.get(deviceKey);
    if (d === undefined) {
      d = { startMs: start, n: 0, values: new Int16Array(MAX_FRAMES_PER_WINDOW) };
      this.devices.set(deviceKey, d);
    } else if (d.startMs !== start) {
      d.startMs = start;
      d.n = 0;
    }
    if (d.n < MAX_FRAMES_PER_WINDOW) d.values[d.n++] = Math.round(rssiDbm);
  }

  /** The closed windows so far (the open one is not included). */
  closed(): readonly WindowLevels[] {
    return this.windows;
  }

  /** Closes the open window (end of a capture). */
  finish(): WindowLevels[] {
    if (!Number.isNaN(this.currentStart)) this.closeWindow(NaN);
    return this.windows;
  }

  private closeWindow(next: number): void {
    const levels = this.current;
    levels.length = 0;
    this.currentDevices = 0;
    for (const [key, d] of this.devices) {
      if (d.startMs !== this.currentStart) {
        this.devices.delete(key);
        continue;
      }
      if (d.n === 0) continue;
      this.currentDevices++;
      levels.push(medianOf(d.values, d.n));
      d.n = 0;
    }
    levels.sort((a, b) => b - a);
    if (this.currentDevices > 0) this.windows.push({ startMs: this.currentStart, devices: this.currentDevices, levels: levels.slice(0, MAX_LEVELS) });
    if (this.windows.length > this.maxWindows) this.windows.splice(0, this.windows.length - this.maxWindows);
    this.currentStart = next;
  }
}

function medianOf(values: Int16Array, n: number): number {
  const v = Array.from(values.subarray(0, n)).sort((a, b) => a - b);
  return v[(n - 1) >> 1]!;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** The floor above the strongest device of all but `exceedShare` of these empty windows. */
function floorAbove(empty: readonly WindowLevels[], exceedShare: number): number {
  const tops = empty.map((w) => w.levels[0]!).sort((a, b) => a - b);
  return quantile(tops, 1 - exceedShare) + 1;
}

/** Splits window tops into far-only and near groups (Otsu on the tops): the highest far top and the lowest near top. */
function splitByTop(windows: readonly WindowLevels[]): { farTop: number; nearTop: number; gap: number } {
  const tops = windows.map((w) => w.levels[0]!).sort((a, b) => a - b);
  let best = -1;
  let cut = 0;
  let sumLo = 0;
  const sum = tops.reduce((a, x) => a + x, 0);
  for (let i = 1; i < tops.length; i++) {
    sumLo += tops[i - 1]!;
    if (tops[i] === tops[i - 1]) continue;
    const m0 = sumLo / i;
    const m1 = (sum - sumLo) / (tops.length - i);
    const between = i * (tops.length - i) * (m1 - m0) ** 2;
    if (between > best) {
      best = between;
      cut = i;
    }
  }
  if (cut === 0) return { farTop: tops[tops.length - 1]!, nearTop: tops[tops.length - 1]!, gap: 0 };
  return { farTop: tops[cut - 1]!, nearTop: tops[cut]!, gap: quantile(tops.slice(cut), 0.5) - quantile(tops.slice(0, cut), 0.5) };
}

/**
 * Learns the floor from a day of windows: it needs both far-only windows and windows with
 * near devices (two groups of window tops at least `minGapDb` apart), and devices that stay all
 * day keeping their signal (`stayingDevicesShiftDb`: a sensor that moved shifts them all).
 */
export function learnFloorFromModes(windows: readonly WindowLevels[], options: FloorLearnOptions = {}): FloorLearnResult {
  const minWindows = options.minWindows ?? 6;
  const minGap = options.minGapDb ?? 10;
  const maxShift = options.maxShiftDb ?? 8;
  const n = windows.length;
  if (n < minWindows) return { ok: false, reason: `too little data: ${n} windows with devices, need ${minWindows}`, windows: n };
  const { farTop, nearTop, gap } = splitByTop(windows);
  if (!(gap >= minGap)) {
    const topMedian = quantile(windows.map((w) => w.levels[0]!).sort((a, b) => a - b), 0.5);
    return {
      ok: false,
      reason: `one signal group only (window tops within ${gap.toFixed(0)} dB, median ${topMedian} dBm): no near devices or no empty period to tell apart`,
      windows: n,
    };
  }
  const empty = windows.filter((w) => w.levels[0]! <= farTop);
  const near = windows.filter((w) => w.levels[0]! >= nearTop);
  if (empty.length < 3 || near.length < 1) {
    return { ok: false, reason: `need at least 3 far-only windows and one with near devices, got ${empty.length} and ${near.length}`, windows: n };
  }
  const farOf = (ws: readonly WindowLevels[]) => quantile(ws.map((w) => w.levels[0]!).sort((a, b) => a - b), 0.5);
  const shift = options.stayingDevicesShiftDb ?? NaN;
  if (Math.abs(shift) > maxShift) {
    return { ok: false, reason: `devices that stay all day changed signal by ${shift.toFixed(0)} dB during the capture: the sensor moved (or its surroundings changed)`, windows: n };
  }
  // Just above the strongest far-only window: near devices are often much stronger than the
  // weakest near window's top (a PC beside the sensor), so a midpoint would drop phones in pockets.
  const floorDbm = farTop + 1;
  return {
    ok: true,
    calibration: {
      floorDbm,
      method: 'modes',
      farLevelDbm: farOf(empty),
      nearLevelDbm: farOf(near),
      emptyWindows: empty.length,
      nearWindows: near.length,
      fromMs: windows[0]!.startMs,
      toMs: windows[n - 1]!.startMs + LEVEL_WINDOW_MS,
    },
  };
}

/** Learns the floor from windows an installer marked as empty (everything in them is far). */
export function learnFloorFromEmptyWindows(windows: readonly WindowLevels[], options: FloorLearnOptions = {}): FloorLearnResult {
  const exceed = options.emptyExceedShare ?? 0.05;
  if (windows.length < 3) return { ok: false, reason: `${windows.length} ten-minute windows with devices (not fixed) in the marked empty period; need 3`, windows: windows.length };
  const floorDbm = floorAbove(windows, exceed);
  return {
    ok: true,
    calibration: {
      floorDbm: Math.max(floorDbm, -100),
      method: 'empty-window',
      farLevelDbm: quantile(windows.map((w) => w.levels[0]!).sort((a, b) => a - b), 0.5),
      nearLevelDbm: null,
      emptyWindows: windows.length,
      nearWindows: 0,
      fromMs: windows[0]!.startMs,
      toMs: windows[windows.length - 1]!.startMs + LEVEL_WINDOW_MS,
    },
  };
}

/** Parses "FROM..TO" (ISO times or epoch ms) into [fromMs, toMs). */
export function parseTimeRange(text: string): [number, number] {
  const parts = text.split('..');
  const at = (s: string) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s));
  const from = parts.length === 2 ? at(parts[0]!) : NaN;
  const to = parts.length === 2 ? at(parts[1]!) : NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(to > from)) {
    throw new FootfallError('INPUT_INVALID', `expected FROM..TO with ISO times (e.g. 2024-03-15T06:00Z..2024-03-15T08:00Z) or epoch ms, FROM before TO; got ${JSON.stringify(text)}`);
  }
  return [from, to];
}
