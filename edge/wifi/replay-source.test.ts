// Replay at real speed and with a speed factor: frames arrive when the replay clock reaches
// them, restamped to "now" or kept at capture time, and looping continues the timeline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeCapture } from './capture-summary.ts';
import { buildRadiotapProbe, PcapWriter } from './pcap-writer.ts';
import { PcapReplaySource } from './replay-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CAPTURE_T0 = Date.UTC(2024, 2, 15, 12, 0, 0);

function writeCapture(name: string, offsetsMs: number[]): string {
  const path = join(dir, name);
  const w = new PcapWriter(path, 127);
  const buf = new Uint8Array(200);
  const mac = Uint8Array.from([2, 0, 0, 0, 0, 1]);
  for (const [i, o] of offsetsMs.entries()) {
    const len = buildRadiotapProbe(buf, mac, i, -50, 2412, null, new Uint8Array([1, 1, 2]));
    w.write(CAPTURE_T0 + o, buf, 0, len);
  }
  w.close();
  return path;
}

async function collect(src: PcapReplaySource, n: number, timeoutMs = 5_000): Promise<Array<{ ts: number; wall: number }>> {
  const got: Array<{ ts: number; wall: number }> = [];
  await src.start((_b, _o, _l, _lt, ts) => got.push({ ts, wall: Date.now() }));
  const t0 = Date.now();
  while (got.length < n && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 10));
  await src.stop();
  return got;
}

describe('PcapReplaySource', () => {
  it('replays at real speed, restamped so the first frame is now', async () => {
    const path = writeCapture('real.pcap', [0, 150, 300, 450]);
    const start = Date.now();
    const got = await collect(new PcapReplaySource({ path, speed: 1, loop: false, restamp: true }), 4);
    expect(got.length).toBe(4);
    expect(got[0]!.ts).toBeGreaterThanOrEqual(start - 5);
    expect(got[0]!.ts).toBeLessThan(start + 200);
    expect(got.map((g) => Math.round(g.ts - got[0]!.ts))).toEqual([0, 150, 300, 450]);
    const wallSpan = got[3]!.wall - got[0]!.wall;
    expect(wallSpan).toBeGreaterThanOrEqual(400);
    expect(wallSpan).toBeLessThan(1_500);
  });

  it('replays faster with a speed factor, keeping capture time', async () => {
    const path = writeCapture('fast.pcap', [0, 1_000, 2_000, 3_000]);
    const src = new PcapReplaySource({ path, speed: 10, loop: false, restamp: false });
    const got = await collect(src, 4);
    expect(got.map((g) => g.ts - CAPTURE_T0)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(got[3]!.wall - got[0]!.wall).toBeLessThan(1_500);
    expect(got[3]!.wall - got[0]!.wall).toBeGreaterThanOrEqual(250);
    expect(src.finished).toBe(true);
  });

  it('never reports a clock past the next undelivered frame', async () => {
    const path = writeCapture('clock.pcap', [0, 60_000, 120_000]);
    let wall = 1_000_000;
    const src = new PcapReplaySource({ path, speed: 1, loop: false, restamp: false, now: () => wall });
    const got: number[] = [];
    await src.start((_b, _o, _l, _lt, ts) => got.push(ts));
    expect(src.clockMs()).toBe(CAPTURE_T0); // the first frame is due now
    wall += 30_000;
    expect(src.clockMs()).toBe(CAPTURE_T0); // still held at the undelivered first frame
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([CAPTURE_T0]);
    expect(src.clockMs()).toBe(CAPTURE_T0 + 30_000); // now the wall clock rules, below the next frame
    wall += 100_000;
    expect(src.clockMs()).toBe(CAPTURE_T0 + 60_000);
    await src.stop();
  });

  it('loops with a continuing timeline', async () => {
    const path = writeCapture('loop.pcap', [0, 100]);
    const src = new PcapReplaySource({ path, speed: 100, loop: true, restamp: false });
    const got = await collect(src, 7);
    expect(got.length).toBeGreaterThanOrEqual(7);
    for (let i = 1; i < got.length; i++) expect(got[i]!.ts).toBeGreaterThan(got[i - 1]!.ts);
    expect(got[2]!.ts - CAPTURE_T0).toBe(1_100); // second pass starts 1 s after the first ended
    expect(src.finished).toBe(false);
  });

  it('reports the bad records of the file from the start, as many as the CLI summary finds, once per file when looping', async () => {
    // Real capture with one cut-off record (the CLI prints "(+1 bad)").
    const path = fileURLToPath(new URL('../../../shared/fixtures/pcap/pmkid-not-recognized.cap', import.meta.url));
    const cli = summarizeCapture(path, new Uint8Array(32));
    expect(cli.badRecords).toBe(1);
    const src = new PcapReplaySource({ path, speed: 1, loop: false, restamp: true });
    await src.start(() => {});
    expect(src.finished).toBe(false); // real speed: the bad record is far ahead
    expect(src.errors).toBe(cli.badRecords);
    await src.stop();
    const looping = new PcapReplaySource({ path, speed: 1e6, loop: true, restamp: false });
    let frames = 0;
    await looping.start(() => frames++);
    const t0 = Date.now();
    while (frames < 3 * cli.records && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    expect(frames).toBeGreaterThanOrEqual(3 * cli.records);
    expect(looping.errors).toBe(cli.badRecords);
    await looping.stop();
  });
});
