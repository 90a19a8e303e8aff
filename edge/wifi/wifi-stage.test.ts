// The Wi-Fi stage end to end on a real capture replayed into the real event store: it stores
// visits and per-minute counts, and no raw MAC of the input appears in the database file,
// the logs or any event payload (the privacy test of issue 7).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.ts';
import { EventStore } from '../store/index.ts';
import type { NewEvent } from '../shared/types.ts';
import { CaptureFileReader } from './capture-file.ts';
import { ParseStatus, ProbeRequestParser } from './probe-parser.ts';
import { capture } from './testing/fixtures.ts';
import { generateMall } from '../../scripts/synth-pcap/mall.ts';
import { WifiStage } from './wifi-stage.ts';
import { wifiCountDataSchema } from '../../cloud-sync/contract/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'footfall-wifi-'));
  dirs.push(d);
  return d;
}

/** Every source MAC of the probes in a capture, as 6 raw bytes. */
function rawMacs(file: string): Buffer[] {
  const r = CaptureFileReader.open(file);
  const p = new ProbeRequestParser();
  const seen = new Map<string, Buffer>();
  while (r.next()) {
    if (p.parse(r.buffer, r.dataOffset, r.capturedLength, r.linkType) !== ParseStatus.Probe) continue;
    const mac = Buffer.from(r.buffer.subarray(p.macOffset, p.macOffset + 6));
    seen.set(mac.toString('hex'), mac);
  }
  return [...seen.values()];
}

/** The spellings a MAC could leak in: binary, hex with and without separators, either case. */
function spellings(mac: Buffer): Buffer[] {
  const hex = mac.toString('hex');
  const parts = hex.match(/../g)!;
  const texts = [hex, parts.join(':'), parts.join('-'), parts.join('.')];
  return [mac, ...texts.flatMap((t) => [Buffer.from(t), Buffer.from(t.toUpperCase())])];
}

async function waitFor(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WifiStage', () => {
  it('replays a capture into the store: visits and per-minute counts, no raw MAC anywhere', async () => {
    const dir = tempDir();
    const pcap = capture('brno-sc6-61_2024-03-15_pos1.pcap');
    const logFile = join(dir, 'log.jsonl');
    const logger = pino({ level: 'trace' }, pino.destination({ dest: logFile, sync: true }));
    const store = EventStore.open({ path: join(dir, 'footfall.db'), logger });
    await store.start();
    const config = validateConfig({
      wifi: { sensors: [{ name: 'lab', pcap, replaySpeed: 1_000_000, replayRestamp: false }], ignoreOuis: ['dc:fb:48', '40:ec:99'] },
    }).wifi;
    const emitted: NewEvent[] = [];
    const sink = { append: (e: NewEvent) => (emitted.push(e), store.append(e)) };
    const stage = new WifiStage({ config, dataDir: dir, sink, logger });
    await stage.start();
    await waitFor(() => (stage.health().metrics?.frames as number) >= 4926);
    stage.tickNow(); // the replay is finished: close open sessions now
    await stage.stop();
    await stage.stop(); // idempotent
    expect(stage.health().status).toBe('stopped');
    store.flush();

    const m = stage.health().metrics!;
    expect(m.probes).toBe(4926);
    expect(m.malformed).toBe(0);
    expect(m.ignoredByOui).toBe(923); // the lab's fixed PCs (SOURCES.md)

    const visits = store.eventsBetween(0, Date.now(), 'wifi.visit', 100_000);
    const counts = store.eventsBetween(0, Date.now(), 'wifi.count', 100_000);
    expect(visits.length).toBeGreaterThan(100);
    // Every minute from the first to the last probe (11:30-22:59 UTC) has a count row.
    expect(counts.length).toBeGreaterThanOrEqual(11 * 60 + 29);
    for (const v of visits) {
      expect(v.data.macHash).toMatch(/^[0-9a-f]{16}$/);
      expect(['passerby', 'visitor', 'staff']).toContain(v.data.class);
      expect(v.data.dwellMs).toBe((v.data.lastMs as number) - (v.data.firstMs as number));
      expect(v.source).toBe('lab');
    }
    const c = counts[counts.length - 1]!.data;
    for (const k of ['all', 'visitors', 'randomized', 'randomizedShare', 'estimatedDevices']) expect(typeof c[k]).toBe('number');
    const frames = counts.reduce((a, e) => a + (e.data.frames as number), 0);
    // Every probe is in exactly one minute's count, except the ignored PCs and frames below minRssiDbm.
    expect(m.weakFrames).toBeGreaterThan(0);
    expect(frames).toBe(4926 - 923 - (m.weakFrames as number));
    // The store's per-minute aggregates received them.
    expect(store.countsBetween(0, Date.now(), { subject: 'wifi', metric: 'devices' }).length).toBeGreaterThan(600);
    store.close();

    // Key file: owner-only.
    const keyFile = join(dir, 'wifi-hash.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // Privacy: no raw MAC in the database files, the log, or any event payload.
    const macs = rawMacs(pcap);
    expect(macs.length).toBe(393);
    const haystacks: Array<[string, Buffer]> = [];
    for (const f of ['footfall.db', 'footfall.db-wal', 'footfall.db-shm']) if (existsSync(join(dir, f))) haystacks.push([f, readFileSync(join(dir, f))]);
    logger.flush();
    haystacks.push(['log', readFileSync(logFile)]);
    haystacks.push(['events', Buffer.from(JSON.stringify(emitted))]);
    expect(readFileSync(logFile, 'utf8')).toContain('Wi-Fi stage stopped');
    let hits = 0;
    for (const mac of macs) for (const s of spellings(mac)) for (const [, hay] of haystacks) if (hay.includes(s)) hits++;
    expect(hits).toBe(0);
    // The test can find a MAC where one is: the capture itself contains them.
    expect(readFileSync(pcap).includes(macs[0]!)).toBe(true);
  });

  it('presence per 10 minutes in wifi.count at the calibrated floor; re-learns the floor slowly and writes it back', async () => {
    const dir = tempDir();
    const calibration = join(dir, 'wifi-calibration.json');
    const initial = { floorDbm: -80, method: 'modes', learnedAtMs: 1, fromMs: 0, toMs: 1, farLevelDbm: -88, nearLevelDbm: -60, initialFloorDbm: -80 };
    writeFileSync(calibration, JSON.stringify({ version: 1, sensors: { lab: initial } }));
    const config = validateConfig({
      wifi: { sensors: [{ name: 'lab', pcap: capture('brno-sc6-61_2024-03-15_pos1.pcap'), replaySpeed: 1_000_000, replayRestamp: false }], presence: { relearnHours: 6, maxStepDb: 3 } },
    }).wifi;
    const events: NewEvent[] = [];
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: (e) => (events.push(e), '') }, logger: pino({ level: 'silent' }) });
    await stage.start();
    expect(stage.health().metrics!.floorsDbm).toBe('lab: -80 (from wifi-calibration.json)');
    // The tick moves event time; re-learning needs the replay clock to pass 6 hours.
    await waitFor(() => {
      stage.tickNow();
      return (stage.health().metrics?.frames as number) >= 4926;
    });
    stage.tickNow();
    await stage.stop();
    const counts = events.filter((e) => e.type === 'wifi.count');
    // Every wifi.count body meets the MQTT contract's wifi.count schema (presence included).
    for (const e of counts) expect(wifiCountDataSchema.safeParse(e.data).error).toBeUndefined();
    const presence = counts.filter((e) => e.data.presence).map((e) => e.data.presence as Record<string, unknown>);
    // One per 10-minute window, 11:30 to 22:50 UTC.
    expect(presence.length).toBeGreaterThanOrEqual(68);
    for (const p of presence) {
      expect(Object.keys(p)).toEqual(['startMs', 'windowMs', 'devices', 'low', 'high', 'fixedExcluded', 'floorsDbm']);
      expect(p.windowMs).toBe(600_000);
      expect((p.low as number) <= (p.devices as number) && (p.devices as number) <= (p.high as number)).toBe(true);
    }
    expect(presence[0]!.floorsDbm).toEqual({ lab: -80 });
    // Re-learned once the replay clock passed 6 hours: at most 3 dB towards the learned floor, written back.
    const written = JSON.parse(readFileSync(calibration, 'utf8')).sensors.lab;
    expect(written.floorDbm).toBe(-77);
    expect(written.initialFloorDbm).toBe(-80);
    expect(written.learnedAtMs).toBeGreaterThan(Date.parse('2024-03-15T17:00Z'));
    expect(presence[presence.length - 1]!.floorsDbm).toEqual({ lab: -77 });
    expect(stage.health().metrics!.floorDriftDb).toBe(3);
  });

  it('a corrupt calibration file is logged and the configured floor used; the stage runs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'wifi-calibration.json'), '{"version":1,"sensors":{"lab":{"floorDbm":"loud"}}}');
    const logFile = join(dir, 'log.jsonl');
    const config = validateConfig({ wifi: { sensors: [{ name: 'lab', pcap: capture('brno-sc6-61_2024-03-16_pos1.pcap'), replaySpeed: 1_000_000, replayRestamp: false }] } }).wifi;
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: () => '' }, logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true })) });
    await stage.start();
    expect(stage.health().metrics!.floorsDbm).toBe('lab: -78 (default, not learned yet)');
    await stage.stop();
    expect(readFileSync(logFile, 'utf8')).toMatch(/wifi-calibration.json: sensors.lab.floorDbm: /);
  });

  it('rotates the key at local midnight: no hash links the two days', async () => {
    const dir = tempDir();
    const config = validateConfig({
      wifi: { sensors: [{ name: 'lab', pcap: capture('brno-sc6-61_2024-03-16_pos1.pcap'), replaySpeed: 1_000_000, replayRestamp: false }] },
    }).wifi;
    const events: NewEvent[] = [];
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: (e) => (events.push(e), '') }, logger: pino({ level: 'silent' }) });
    await stage.start();
    await waitFor(() => (stage.health().metrics?.frames as number) >= 2507);
    await stage.stop();
    expect(stage.health().metrics!.keyRotations).toBe(1);
    // The capture spans 23:00 to 22:59 the next day (UTC): one local midnight inside it.
    const firstMs = Math.min(...events.map((e) => e.tsMs));
    const d = new Date(firstMs);
    d.setHours(24, 0, 0, 0);
    const midnight = d.getTime();
    const visits = events.filter((e) => e.type === 'wifi.visit');
    const before = new Set(visits.filter((v) => (v.data.lastMs as number) < midnight).map((v) => v.data.macHash));
    const after = new Set(visits.filter((v) => (v.data.firstMs as number) >= midnight).map((v) => v.data.macHash));
    expect(before.size).toBeGreaterThan(0);
    expect(after.size).toBeGreaterThan(0);
    for (const h of after) expect(before.has(h)).toBe(false);
    // No session straddles the rotation.
    expect(visits.every((v) => (v.data.lastMs as number) < midnight || (v.data.firstMs as number) >= midnight)).toBe(true);
  });

  it('follows devices across several sensors as a path of strongest sensors', async () => {
    const dir = tempDir();
    const truth = generateMall({ frames: 6_000, sensors: 3, seed: 21, startMs: Date.UTC(2026, 2, 14, 9), spanMs: 20 * 60_000, outDir: join(dir, 'sim') });
    const config = validateConfig({
      wifi: { sensors: truth.files.map((f, i) => ({ name: `s${i + 1}`, pcap: f, replaySpeed: 1_000_000, replayRestamp: false })) },
    }).wifi;
    const events: NewEvent[] = [];
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: (e) => (events.push(e), '') }, logger: pino({ level: 'silent' }) });
    await stage.start();
    await waitFor(() => (stage.health().metrics?.frames as number) >= 6_000);
    expect(stage.health().status).toBe('ok');
    await stage.stop();
    const visits = events.filter((e) => e.type === 'wifi.visit');
    const multi = visits.filter((v) => (v.data.sensors as string[]).length >= 2);
    expect(multi.length).toBeGreaterThan(10);
    const moved = visits.filter((v) => (v.data.path as string[]).length >= 2);
    expect(moved.length).toBeGreaterThan(0);
    for (const v of visits) {
      const path = v.data.path as string[];
      for (let i = 1; i < path.length; i++) expect(path[i]).not.toBe(path[i - 1]);
      for (const s of path) expect(v.data.sensors).toContain(s);
    }
    // Every simulated device that rotates no address is one hash: fixed devices match the truth.
    const fixedTruth = truth.deviceList.filter((d) => !d.randomized).length;
    const fixedSeen = new Set(visits.filter((v) => !v.data.randomized).map((v) => v.data.macHash)).size;
    expect(fixedSeen).toBeLessThanOrEqual(fixedTruth);
    expect(fixedSeen).toBeGreaterThan(fixedTruth * 0.8); // some are heard only below minRssiDbm
  });

  it('keeps running when a capture file is missing, names the sensor and file in health, and retries', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.pcap');
    const config = validateConfig({ wifi: { sensors: [{ name: 's1', pcap: missing, replaySpeed: 1000 }] } }).wifi;
    const events: NewEvent[] = [];
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: (e) => (events.push(e), '') }, logger: pino({ level: 'silent' }), sensorRetryMs: 100 });
    try {
      await stage.start(); // does not throw: one bad source never stops the agent
      const h = stage.health();
      expect(h.status).toBe('failed');
      expect(h.detail).toMatch(/sensor "s1" \(capture file .*nope\.pcap\): capture file not found: .*nope\.pcap \(retrying\)/);
      // The file appears: the retry picks it up.
      copyFileSync(capture('test1.pcap'), missing);
      const deadline = Date.now() + 5_000;
      while (stage.health().status === 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stage.health().status).toBe('ok');
    } finally {
      await stage.stop();
    }
  });

  it('runs the good sensor beside one whose capture is random bytes, and counts bad records as the CLI does', async () => {
    const dir = tempDir();
    const garbage = join(dir, 'garbage.pcap');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)));
    // A real capture with a truncated last record: the reader counts it as bad.
    const truncated = join(dir, 'truncated.pcap');
    const good = readFileSync(capture('test1.pcap'));
    writeFileSync(truncated, Buffer.concat([good, good.subarray(24, 24 + 16 + 8)]));
    // A capture cut right after its header: the first record is already bad.
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, Buffer.concat([good.subarray(0, 24), Buffer.alloc(16, 0xff)]));
    let cliBad = 0;
    for (const file of [truncated, cut]) {
      const reader = CaptureFileReader.open(file);
      while (reader.next());
      cliBad += reader.badRecords;
    }
    expect(cliBad).toBe(2);
    const config = validateConfig({
      wifi: {
        sensors: [
          { name: 'junk', pcap: garbage },
          { name: 'lab', pcap: truncated, replaySpeed: 1_000_000, replayRestamp: false },
          { name: 'cut', pcap: cut, replaySpeed: 1_000_000, replayRestamp: false },
        ],
      },
    }).wifi;
    const stage = new WifiStage({ config, dataDir: dir, sink: { append: () => '' }, logger: pino({ level: 'silent' }), sensorRetryMs: 60_000 });
    try {
      await stage.start();
      const deadline = Date.now() + 5_000;
      while (Number(stage.health().metrics?.frames ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const h = stage.health();
      expect(h.status).toBe('degraded');
      expect(h.detail).toMatch(/sensor "junk" \(capture file .*garbage\.pcap\): .*not a pcap or pcapng file/);
      expect(h.detail).toContain('lab: ');
      expect(Number(h.metrics!.frames)).toBeGreaterThan(0);
      while (!String(stage.health().detail).includes('replay finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stage.health().metrics!.badRecords).toBe(cliBad);
    } finally {
      await stage.stop();
    }
  });
});
