// Capture time faults on a real capture (#27): one record of brno-sc6-61 2024-03-15 moved two
// days ahead, and the whole capture in reverse order. The offline summary counts in time order
// and skips the far-off record (saying so); the live stage drops it (health) and writes no row
// in the future, yet accepts a real step once several frames agree with it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.ts';
import type { NewEvent } from '../shared/types.ts';
import { summarizeCapture } from './capture-summary.ts';
import { CaptureTimeFilter, TimeVerdict } from './capture-time.ts';
import { capture } from './testing/fixtures.ts';
import { WifiStage } from './wifi-stage.ts';

const CLEAN = capture('brno-sc6-61_2024-03-15_pos1.pcap');
const TWO_DAYS_S = 2 * 86_400;
const BIN = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'footfall-capture-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The records of a little-endian microsecond pcap: header bytes and [record bytes]. */
function records(file: string): { header: Buffer; recs: Buffer[] } {
  const b = readFileSync(file);
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const recs: Buffer[] = [];
  for (let pos = 24; pos + 16 <= b.length; ) {
    const end = pos + 16 + b.readUInt32LE(pos + 8);
    recs.push(Buffer.from(b.subarray(pos, end)));
    pos = end;
  }
  return { header: b.subarray(0, 24), recs };
}

function writeCapture(name: string, header: Buffer, recs: Buffer[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([header, ...recs]));
  return path;
}

/** The clean capture with record `index` (a probe request in the busy afternoon) moved `seconds` ahead. */
function moved(index: number, seconds: number, name: string): string {
  const { header, recs } = records(CLEAN);
  recs[index]!.writeUInt32LE(recs[index]!.readUInt32LE(0) + seconds, 0);
  return writeCapture(name, header, recs);
}

const { header, recs } = records(CLEAN);
const MIDDLE = recs.length >> 1;
const JUMPED = moved(MIDDLE, TWO_DAYS_S, 'jumped.pcap');
const REVERSED = writeCapture('reversed.pcap', header, [...recs].reverse());
const KEY = Buffer.from('capture-time');

describe('capture time in the offline summary', () => {
  it('one record two days ahead is skipped and counted; presence per minute is the clean one', () => {
    const clean = summarizeCapture(CLEAN, KEY, { presenceBinMs: 60_000, minRssiDbm: -128 });
    const jumped = summarizeCapture(JUMPED, KEY, { presenceBinMs: 60_000, minRssiDbm: -128 });
    expect(clean.outOfOrder).toBe(0);
    expect(clean.timeSkipped).toBe(0);
    expect(jumped.timeSkipped).toBe(1);
    expect(jumped.lastMs).toBe(clean.lastMs);
    expect(jumped.presence.length).toBe(clean.presence.length);
    const devices = (s: typeof clean) => s.presence.reduce((a, b) => a + b.devices, 0);
    // At most the moved frame's device in its own minute is missing.
    expect(devices(clean) - devices(jumped)).toBeLessThanOrEqual(1);
    expect(devices(jumped)).toBeGreaterThan(1000);
  });

  it('`footfall wifi --summary --json` on the reversed capture: the same hourly bins and devices as the clean capture, outOfOrder said', async () => {
    const run = async (file: string) => {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'wifi', '--pcap', file, '--summary', '--json', '--presence-minutes', '60', '--hash-key', '00ff'], { maxBuffer: 64 << 20 });
      return JSON.parse(stdout) as { outOfOrder: number; timeSkipped: number; presence: Array<{ startMs: number; devices: number }> };
    };
    const [clean, reversed] = await Promise.all([run(CLEAN), run(REVERSED)]);
    expect(clean.presence.length).toBeGreaterThan(10);
    expect(reversed.presence.map((b) => b.startMs)).toEqual(clean.presence.map((b) => b.startMs));
    expect(reversed.presence.map((b) => b.devices)).toEqual(clean.presence.map((b) => b.devices));
    expect(reversed.outOfOrder).toBe(recs.length - 1);
    expect(reversed.timeSkipped).toBe(0);
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'wifi', '--pcap', JUMPED, '--summary', '--presence-minutes', '60']);
    expect(stdout).toContain('capture time: 1 steps back in the file (counted in time order), 1 far-off records skipped');
  });
});

async function replay(file: string): Promise<{ events: NewEvent[]; stage: WifiStage }> {
  const config = validateConfig({ wifi: { sensors: [{ name: 'lab', pcap: file, replaySpeed: 1_000_000, replayRestamp: false }] } }).wifi;
  const events: NewEvent[] = [];
  const stage = new WifiStage({ config, dataDir: dir, sink: { append: (e) => (events.push(e), '') }, logger: pino({ level: 'silent' }) });
  await stage.start();
  const t0 = Date.now();
  while (!(stage.health().detail ?? '').includes('replay finished')) {
    if (Date.now() - t0 > 30_000) throw new Error('replay did not finish');
    stage.tickNow();
    await new Promise((r) => setTimeout(r, 20));
  }
  stage.tickNow();
  await stage.stop();
  return { events, stage };
}

describe('capture time in the live Wi-Fi stage', () => {
  it('an isolated record two days ahead is rejected (health): no wifi.count in the future, per-minute devices as on the clean capture', async () => {
    const [clean, jumped] = [await replay(CLEAN), await replay(JUMPED)];
    const counts = (r: { events: NewEvent[] }) => r.events.filter((e) => e.type === 'wifi.count');
    const all = (r: { events: NewEvent[] }) => counts(r).reduce((a, e) => a + (e.data.all as number), 0);
    const lastClean = Math.max(...counts(clean).map((e) => e.tsMs));
    expect(Math.max(...counts(jumped).map((e) => e.tsMs))).toBe(lastClean);
    expect(all(clean)).toBeGreaterThan(1000);
    expect(all(clean) - all(jumped)).toBeLessThanOrEqual(1);
    expect(jumped.stage.health().metrics).toMatchObject({ timeRejected: 1, timeSteps: 0 });
    expect(clean.stage.health().metrics).toMatchObject({ timeRejected: 0, timeSteps: 0 });
  }, 60_000);

  it('the very first record two days ahead is rejected too: time is agreed by the first 8 frames', async () => {
    const first = await replay(moved(0, TWO_DAYS_S, 'first-jumped.pcap'));
    const clean = await replay(CLEAN);
    const last = (r: { events: NewEvent[] }) => Math.max(...r.events.filter((e) => e.type === 'wifi.count').map((e) => e.tsMs));
    expect(last(first)).toBe(last(clean));
    expect(first.stage.health().metrics).toMatchObject({ timeRejected: 1, timeSteps: 0 });
  }, 60_000);

  it('a real step back (the second half two days earlier) is followed: presence starts over there, nothing is lost', async () => {
    const { header: h, recs: all } = records(CLEAN);
    const back = all.map((r, i) => {
      if (i < MIDDLE) return r;
      const c = Buffer.from(r);
      c.writeUInt32LE(c.readUInt32LE(0) - TWO_DAYS_S, 0);
      return c;
    });
    const [clean, stepped] = [await replay(CLEAN), await replay(writeCapture('step-back.pcap', h, back))];
    const counts = (r: { events: NewEvent[] }) => r.events.filter((e) => e.type === 'wifi.count');
    const sum = (r: { events: NewEvent[] }) => counts(r).reduce((a, e) => a + (e.data.all as number), 0);
    expect(stepped.stage.health().metrics).toMatchObject({ timeRejected: 0, timeSteps: 1 });
    // At most the devices of the minute cut in two are counted twice.
    expect(Math.abs(sum(stepped) - sum(clean))).toBeLessThanOrEqual(10);
    expect(Math.min(...counts(stepped).map((e) => e.tsMs))).toBeLessThan(Math.min(...counts(clean).map((e) => e.tsMs)) - 86_400_000);
  }, 60_000);

  it('a capture shorter than 8 probes is still counted (held frames are settled at the end)', async () => {
    const r = await replay(capture('test1.pcap'));
    expect(r.stage.health().metrics).toMatchObject({ probes: 5, timeRejected: 0 });
    expect(r.events.filter((e) => e.type === 'wifi.visit').length).toBeGreaterThan(0);
  }, 60_000);

  it('a real step (every later frame a day ahead) is followed once 8 frames agree; none is lost', () => {
    const f = new CaptureTimeFilter();
    const frame = Buffer.from([1, 2, 3]);
    const t = Date.parse('2024-03-15T12:00Z');
    // The start: 8 frames agree on a time.
    for (let i = 0; i < 7; i++) expect(f.offer(frame, 0, 3, 127, t + i)).toBe(TimeVerdict.Held);
    expect(f.offer(frame, 0, 3, 127, t + 7)).toBe(TimeVerdict.Step);
    f.drainHeld(() => undefined);
    expect(f.offer(frame, 0, 3, 127, t + 8)).toBe(TimeVerdict.Accept);
    for (let i = 1; i < 8; i++) expect(f.offer(frame, 0, 3, 127, t + 86_400_000 + i)).toBe(TimeVerdict.Held);
    expect(f.offer(frame, 0, 3, 127, t + 86_400_000 + 8)).toBe(TimeVerdict.Step);
    const held: number[] = [];
    f.drainHeld((b, off, len, _l, ts) => (expect(Buffer.from(b.subarray(off, off + len))).toEqual(frame), held.push(ts)));
    expect(held).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => t + 86_400_000 + i));
    expect(f.offer(frame, 0, 3, 127, t + 86_400_000 + 9)).toBe(TimeVerdict.Accept);
    expect(f.counters).toEqual({ rejected: 0, steps: 1, late: 0 });
  });
});
