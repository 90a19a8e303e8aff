// Learning a sensor's near-field floor from its own signal, on real captures: the brno lab day
// with people in it (two groups of windows), its empty Saturday (one group: nothing to learn),
// and bad input: too little data, a day with no empty period, a sensor that moved mid-capture.
// No labels are read here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeCapture } from './capture-summary.ts';
import { CaptureFileReader } from './capture-file.ts';
import { FixedDeviceLearner } from './fixed-devices.ts';
import { PcapWriter } from './pcap-writer.ts';
import { scanCaptureFile } from './probe-scanner.ts';
import { DEFAULT_FLOOR_DBM, DeviceLevelCollector, learnFloorFromEmptyWindows, learnFloorFromModes, parseTimeRange } from './rssi-floor.ts';
import { capture } from './testing/fixtures.ts';

const DAY15 = capture('brno-sc6-61_2024-03-15_pos1.pcap');
const DAY16 = capture('brno-sc6-61_2024-03-16_pos1.pcap');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Windows of device levels of a capture, optionally only frames in [from, to). */
function windowsOf(file: string, range?: [number, number]) {
  const c = new DeviceLevelCollector();
  scanCaptureFile(file, Buffer.from('k'), (p, ts, h) => {
    if (range && (ts < range[0] || ts >= range[1])) return;
    c.observe(h.key53(), ts, p.rssiDbm);
  });
  return c.finish();
}

/** A copy of a brno capture whose signal is `stepDb` stronger after `fromMs`: the sensor was moved closer to everything. */
function movedCopy(file: string, fromMs: number, stepDb: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-moved-'));
  dirs.push(dir);
  const out = join(dir, 'moved.pcap');
  const r = CaptureFileReader.open(file);
  let w: PcapWriter | null = null;
  while (r.next()) {
    w ??= new PcapWriter(out, r.linkType);
    const frame = Buffer.from(r.buffer.subarray(r.dataOffset, r.dataOffset + r.capturedLength));
    // brno radiotap: 14-byte header, present 0x828 (Channel, dBm antenna signal at byte 12, Antenna).
    if (r.tsMs >= fromMs) frame.writeInt8(Math.min(0, frame.readInt8(12) + stepDb), 12);
    w.write(r.tsMs, frame);
  }
  w!.close();
  return out;
}

describe('near-field floor learned from the signal alone', () => {
  it('finds far-only and near windows on the lab day and puts the floor between them', () => {
    const windows = windowsOf(DAY15);
    const r = learnFloorFromModes(windows);
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
    if (!r.ok) return;
    const c = r.calibration;
    expect(c.method).toBe('modes');
    // Every far-only window's strongest device is below the floor; every near window's above it.
    expect(c.floorDbm).toBeGreaterThan(c.farLevelDbm);
    expect(c.floorDbm).toBeLessThan(c.nearLevelDbm!);
    expect(c.nearWindows).toBeGreaterThanOrEqual(6);
    expect(c.emptyWindows).toBeGreaterThan(c.nearWindows);
    const far = windows.filter((w) => w.levels[0]! < c.floorDbm).length;
    expect(far).toBe(c.emptyWindows);
  });

  it('refuses an all-far day (no near device, the empty Saturday) and the summary falls back to the default', () => {
    const r = learnFloorFromModes(windowsOf(DAY16));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/one signal group only/);
    const s = summarizeCapture(DAY16, Buffer.from('k'), { presenceBinMs: 600_000, calibrate: true });
    expect(s.floor).toMatchObject({ source: 'default', floorDbm: DEFAULT_FLOOR_DBM });
    expect(s.floor.failure).toMatch(/one signal group only/);
  });

  it('refuses a day with no empty period (only the occupied hours of the lab day)', () => {
    const r = learnFloorFromModes(windowsOf(DAY15, [Date.parse('2024-03-15T13:10Z'), Date.parse('2024-03-15T14:50Z')]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/one signal group only|far-only windows/);
  });

  it('refuses too little data (a capture of a few frames, no strong frames at all)', () => {
    const r = learnFloorFromModes(windowsOf(capture('test1.pcap')));
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/too little data/);
    expect(learnFloorFromModes([])).toMatchObject({ ok: false });
    expect(learnFloorFromEmptyWindows([])).toMatchObject({ ok: false });
    // Captures without any signal reading: nothing to learn, nothing thrown.
    const s = summarizeCapture(capture('n-02.cap'), Buffer.from('k'), { presenceBinMs: 600_000, calibrate: true, fixedMinHours: 6 });
    expect(s.floor.source).toBe('default');
  });

  it('refuses a capture whose sensor moved half-way (devices that stay all day step by 15 dB)', () => {
    const moved = movedCopy(DAY15, Date.parse('2024-03-15T17:00Z'), 15);
    const fixed = new FixedDeviceLearner({ minHours: 6 });
    scanCaptureFile(moved, Buffer.from('k'), (p, ts, h) => {
      if (!p.randomized) fixed.observe(h.key53(), ts, p.rssiDbm);
    });
    expect(fixed.levelShiftDb()).toBeGreaterThan(10);
    const s = summarizeCapture(moved, Buffer.from('k'), { presenceBinMs: 600_000, calibrate: true, fixedMinHours: 6 });
    expect(s.floor.source).toBe('default');
    expect(s.floor.failure).toMatch(/sensor moved/);
    // The same capture unmoved learns.
    expect(summarizeCapture(DAY15, Buffer.from('k'), { calibrate: true, fixedMinHours: 6 }).floor.source).toBe('learned');
  });

  it('learns from a period the installer marks as empty: the strongest device of 95% of its windows stays below', () => {
    const windows = windowsOf(DAY16);
    const r = learnFloorFromEmptyWindows(windows);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const above = windows.filter((w) => w.levels[0]! >= r.calibration.floorDbm).length;
    expect(above / windows.length).toBeLessThanOrEqual(0.05);
    expect(r.calibration.method).toBe('empty-window');
  });

  it('parses FROM..TO and names what is wrong', () => {
    expect(parseTimeRange('2024-03-15T06:00Z..2024-03-15T08:00Z')).toEqual([Date.parse('2024-03-15T06:00Z'), Date.parse('2024-03-15T08:00Z')]);
    expect(parseTimeRange('1000..2000')).toEqual([1000, 2000]);
    expect(() => parseTimeRange('2024-03-15T08:00Z..2024-03-15T06:00Z')).toThrow(/FROM before TO/);
    expect(() => parseTimeRange('yesterday')).toThrow(/FROM\.\.TO/);
  });
});
