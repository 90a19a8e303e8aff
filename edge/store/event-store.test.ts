import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MonotonicClock, SimulatedTime } from '../shared/clock.ts';
import { FootfallError } from '../shared/errors.ts';
import { EventStore, synthesizeEvents, UUID7_PATTERN, LATEST_SCHEMA_VERSION } from './index.ts';

function tempDb(name = 'events.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'footfall-store-')), name);
}

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

describe('EventStore writes', () => {
  it('stores appended events with UUIDv7 ids, in order, after a flush', () => {
    const store = EventStore.open({ path: tempDb(), flushMaxEvents: 1000 });
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(store.append({ tsMs: T0 + i, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: i } }));
    expect(store.eventCount()).toBe(0);
    expect(store.flush()).toBe(10);
    expect(store.eventCount()).toBe(10);
    for (const id of ids) expect(id).toMatch(UUID7_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    const unsent = store.outbox.unsentEvents(0, 100);
    expect(unsent.map((e) => e.id)).toEqual(ids);
    expect(unsent[3]).toMatchObject({ tsMs: T0 + 3, type: 'line.cross', source: 'cam', data: { trackId: 3 }, sentAtMs: null });
    store.close();
  });

  it('writes a batch by itself when flushMaxEvents is reached', () => {
    const store = EventStore.open({ path: tempDb(), flushMaxEvents: 5 });
    for (let i = 0; i < 12; i++) store.append({ tsMs: T0, type: 'x', source: 's', data: {} });
    expect(store.eventCount()).toBe(10);
    expect(store.pendingCount).toBe(2);
    store.close();
  });

  it('flushes on a timer once started, and everything on close', async () => {
    const path = tempDb();
    const store = EventStore.open({ path, flushIntervalMs: 20 });
    await store.start();
    store.append({ tsMs: T0, type: 'x', source: 's', data: {} });
    await new Promise((r) => setTimeout(r, 80));
    expect(store.eventCount()).toBe(1);
    store.append({ tsMs: T0, type: 'x', source: 's', data: {} });
    await store.stop();
    const again = EventStore.open({ path });
    expect(again.eventCount()).toBe(2);
    again.close();
  });

  it('keeps per-minute aggregates of crossings and visits', () => {
    const store = EventStore.open({ path: tempDb() });
    const ev = (tsMs: number, type: string, data: Record<string, unknown>) => store.append({ tsMs, type, source: 'cam-a', data });
    ev(T0 + 1_000, 'line.cross', { line: 'door', direction: 'in' });
    ev(T0 + 2_000, 'line.cross', { line: 'door', direction: 'in' });
    ev(T0 + 3_000, 'line.cross', { line: 'door', direction: 'out' });
    ev(T0 + 61_000, 'line.cross', { line: 'door', direction: 'in' });
    ev(T0 + 5_000, 'zone.visit', { zone: 'atrium', dwellMs: 30_000 });
    ev(T0 + 6_000, 'zone.visit', { zone: 'atrium', dwellMs: 90_000 });
    store.flush();
    // A second batch adds to the same minute rows.
    ev(T0 + 7_000, 'line.cross', { line: 'door', direction: 'in' });
    store.flush();
    const rows = store.countsBetween(T0, T0 + 120_000);
    const find = (minute: number, subject: string, metric: string) => rows.find((r) => r.minute === minute && r.subject === subject && r.metric === metric);
    expect(find(T0, 'door', 'in')?.n).toBe(3);
    expect(find(T0, 'door', 'out')?.n).toBe(1);
    expect(find(T0 + 60_000, 'door', 'in')?.n).toBe(1);
    expect(find(T0, 'atrium', 'visits')).toMatchObject({ n: 2, sum: 120_000, max: 90_000 });
    store.close();
  });

  it('catches the aggregates up at open, and never counts twice when two processes share a file', () => {
    const path = tempDb();
    const crossing = (i: number) => ({ tsMs: T0 + i, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: i } });
    // A: events committed, aggregates still in memory (as when the process dies between the two).
    const a = EventStore.open({ path, countsIntervalMs: 3_600_000 });
    for (let i = 0; i < 50; i++) a.append(crossing(i));
    a.flush();
    // B opens the same file: it folds A's committed events into the counts.
    const b = EventStore.open({ path });
    expect(b.countsBetween(T0, T0 + 60_000, { subject: 'door', metric: 'in' })[0]?.n).toBe(50);
    for (let i = 50; i < 60; i++) b.append(crossing(i));
    b.close();
    // A's late write finds the watermark moved, drops its rows and re-folds: still no double count.
    for (let i = 60; i < 65; i++) a.append(crossing(i));
    a.close();
    const c = EventStore.open({ path });
    expect(c.eventCount()).toBe(65);
    expect(c.countsBetween(T0, T0 + 60_000, { subject: 'door', metric: 'in' })[0]?.n).toBe(65);
    c.close();
  });

  it('stores an event whose data cannot be serialised as {} instead of throwing', () => {
    const store = EventStore.open({ path: tempDb() });
    const data: Record<string, unknown> = {};
    data.self = data;
    store.append({ tsMs: T0, type: 'weird', source: 's', data });
    store.flush();
    expect(store.outbox.unsentEvents(0, 1)[0]!.data).toEqual({});
    store.close();
  });
});

describe('EventStore outbox state', () => {
  it('marks ranges sent, counts the backlog and resyncs', () => {
    const store = EventStore.open({ path: tempDb() });
    for (let i = 0; i < 100; i++) store.append({ tsMs: T0 + i * 1000, type: 'x', source: 's', data: { i } });
    store.flush();
    const first = store.outbox.unsentEvents(0, 40);
    expect(store.outbox.markSentRange(first[0]!.seq, first[39]!.seq, T0)).toBe(40);
    expect(store.outbox.unsentCount()).toBe(60);
    expect(store.outbox.oldestUnsentTsMs()).toBe(T0 + 40_000);
    expect(store.outbox.unsentEvents(0, 1)[0]!.data).toEqual({ i: 40 });
    // Marking again changes nothing: acknowledgements are idempotent.
    expect(store.outbox.markSentRange(first[0]!.seq, first[39]!.seq, T0)).toBe(0);
    expect(store.outbox.rewindToTime(T0 + 30_000)).toBe(10);
    expect(store.outbox.unsentCount()).toBe(70);
    store.close();
  });

  it('keeps state across a reopen', () => {
    const path = tempDb();
    const a = EventStore.open({ path });
    a.setState('outbox.cursor', '42');
    a.close();
    const b = EventStore.open({ path });
    expect(b.getState('outbox.cursor')).toBe('42');
    expect(b.getState('missing')).toBeNull();
    b.close();
  });
});

describe('EventStore retention', () => {
  const day = 86_400_000;
  it('deletes events older than the retention period, sent and unsent, and says so', () => {
    const store = EventStore.open({ path: tempDb(), retention: { days: 7, maxSizeMb: 1000, intervalMs: 60_000, deleteUnsent: true } });
    const now = T0 + 30 * day;
    for (let i = 0; i < 10; i++) store.append({ tsMs: T0 + i * day, type: 'x', source: 's', data: {} });
    for (let i = 0; i < 5; i++) store.append({ tsMs: now - i * 1000, type: 'x', source: 's', data: {} });
    store.flush();
    const old = store.outbox.unsentEvents(0, 4);
    store.outbox.markSentRange(old[0]!.seq, old[3]!.seq);
    const r = store.runRetention(now);
    expect(r).toEqual({ deletedSent: 4, deletedUnsent: 6 });
    expect(store.eventCount()).toBe(5);
    expect(store.metrics.deletedUnsent).toBe(6);
    store.close();
  });

  it('over the size cap, deletes the oldest sent events first and keeps unsent ones when told to', () => {
    const store = EventStore.open({ path: tempDb(), retention: { days: 3650, maxSizeMb: 1, intervalMs: 60_000, deleteUnsent: false } });
    const big = 'x'.repeat(400);
    for (let i = 0; i < 6000; i++) store.append({ tsMs: T0 + i, type: 'x', source: 's', data: { big, i } });
    store.flush();
    const all = store.outbox.unsentEvents(0, 3000);
    store.outbox.markSentRange(all[0]!.seq, all[2999]!.seq);
    expect(store.sizeBytes()).toBeGreaterThan(1024 * 1024);
    const r = store.runRetention(T0 + 10_000);
    expect(r.deletedUnsent).toBe(0);
    expect(r.deletedSent).toBeGreaterThan(0);
    // Every unsent event survives, even though the cap is still exceeded.
    expect(store.outbox.unsentCount()).toBe(3000);
    store.close();
  });
});

describe('EventStore retention keeps unsent events unless told otherwise (#27)', () => {
  const day = 86_400_000;
  it('probe 1: 2000 unsent events over 48 h, days 1, deleteUnsent false: none deleted at start-up', async () => {
    const now = T0 + 48 * 3_600_000;
    const store = EventStore.open({ path: tempDb(), retention: { days: 1, maxSizeMb: 1000, intervalMs: 60_000, deleteUnsent: false }, now: () => now });
    for (const e of synthesizeEvents({ count: 2000, seed: 27, startMs: T0, spanMs: 48 * 3_600_000 })) store.append(e);
    store.flush();
    await store.start();
    expect(store.metrics.deletedUnsent).toBe(0);
    expect(store.outbox.unsentCount()).toBe(2000);
    // Once sent, the old ones go by age.
    const all = store.outbox.unsentEvents(0, 2000);
    store.outbox.markSentRange(all[0]!.seq, all[1999]!.seq);
    expect(store.runRetention(now).deletedSent).toBeGreaterThan(900);
    await store.stop();
  });

  it('a forward clock step does not age events: retention reads the clock model', () => {
    const t = new SimulatedTime(T0 + 2 * day);
    const clock = new MonotonicClock({ wallNow: t.wallNow, monotonicNow: t.monotonicNow });
    const store = EventStore.open({ path: tempDb(), retention: { days: 7, maxSizeMb: 1000, intervalMs: 60_000, deleteUnsent: true }, clock });
    for (let i = 0; i < 48; i++) store.append({ tsMs: T0 + i * 3_600_000, type: 'x', source: 's', data: {} });
    store.flush();
    const all = store.outbox.unsentEvents(0, 48);
    store.outbox.markSentRange(all[0]!.seq, all[23]!.seq);
    t.advance(60_000);
    t.step(30 * day); // NTP "correction" by a month
    expect(store.runRetention()).toEqual({ deletedSent: 0, deletedUnsent: 0 });
    expect(store.eventCount()).toBe(48);
    store.close();
  });
});

describe('EventStore on a full disk', () => {
  it('keeps events in memory, frees sent ones, and writes them when space returns', () => {
    const store = EventStore.open({ path: tempDb(), hardLimitMb: 1, flushMaxEvents: 1_000_000 });
    const big = 'y'.repeat(300);
    let written = 0;
    let appended = 0;
    // Fill the database until SQLite refuses a batch.
    for (let round = 0; round < 100 && store.metrics.writeErrors === 0; round++) {
      for (let i = 0; i < 200; i++, appended++) store.append({ tsMs: T0 + appended, type: 'x', source: 's', data: { big, n: appended } });
      written += store.flush();
    }
    expect(store.metrics.writeErrors).toBe(1);
    expect(store.health().status).toBe('degraded');
    expect(store.pendingCount).toBe(appended - written);
    expect(store.eventCount()).toBe(written);
    // Upstream acknowledges the first half: the next flush may delete those to make room.
    const firstHalf = store.outbox.unsentEvents(0, Math.floor(written / 2));
    store.outbox.markSentRange(firstHalf[0]!.seq, firstHalf[firstHalf.length - 1]!.seq);
    let tries = 0;
    while (store.pendingCount > 0 && tries++ < 5) store.flush();
    expect(store.pendingCount).toBe(0);
    expect(store.health().status).toBe('ok');
    // Nothing unsent was lost: every event not yet acknowledged is in the database.
    expect(store.outbox.unsentCount()).toBe(appended - firstHalf.length);
    const unsent = store.outbox.unsentEvents(0, 100_000);
    expect(unsent[unsent.length - 1]!.data.n).toBe(appended - 1);
    store.close();
  });
});

describe('EventStore open errors', () => {
  it('reports a database with many damaged pages in one line, details at debug level', () => {
    const path = tempDb();
    const store = EventStore.open({ path });
    for (let i = 0; i < 3000; i++) store.append({ tsMs: 1_700_000_000_000 + i, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: i } });
    store.close();
    // Overwrite pages 3-30 with noise (page 1 holds the schema, so the file still opens).
    const fd = openSync(path, 'r+');
    const noise = Buffer.alloc(4096 * 28, 0xa5);
    writeSync(fd, noise, 0, noise.length, 4096 * 2);
    closeSync(fd);
    let err: unknown;
    try {
      EventStore.open({ path });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FootfallError);
    const message = (err as FootfallError).message;
    expect((err as FootfallError).code).toBe('STORE_CORRUPT');
    expect(message).not.toContain('\n');
    expect(message).toMatch(/corrupt or not a footfall database \(.+(, and \d+ more problems? \(details at log level debug\))?\); move it aside/);
    expect(message.length).toBeLessThan(400);
  });

  it('refuses a file that is not a database, with a clear message', () => {
    const path = tempDb();
    writeFileSync(path, 'this is not sqlite at all, just text '.repeat(200));
    let err: unknown;
    try {
      EventStore.open({ path });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FootfallError);
    expect((err as FootfallError).code).toBe('STORE_CORRUPT');
    expect((err as FootfallError).message).toContain(path);
  });

  it('refuses a read-only data directory before writing anything', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a directory path standing where the file should be is the equivalent failure.
      const dir = mkdtempSync(join(tmpdir(), 'footfall-ro-'));
      expect(() => EventStore.open({ path: dir })).toThrow(/is a directory/);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'footfall-ro-'));
    chmodSync(dir, 0o555);
    expect(() => EventStore.open({ path: join(dir, 'x.db') })).toThrow(/not writable/);
  });

  it('refuses a database from a newer footfall', () => {
    const path = tempDb();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => EventStore.open({ path })).toThrow(/newer than this footfall/);
  });

  it('migrates a new file to the latest schema', () => {
    const path = tempDb();
    EventStore.open({ path }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('synthetic events', () => {
  it('are deterministic by seed and mix the event types', () => {
    const a = [...synthesizeEvents({ count: 2000, seed: 3, startMs: T0 })];
    const b = [...synthesizeEvents({ count: 2000, seed: 3, startMs: T0 })];
    expect(a).toEqual(b);
    const types = new Set(a.map((e) => e.type));
    for (const t of ['line.cross', 'zone.visit', 'path', 'queue', 'wifi.visit', 'alert']) expect(types).toContain(t);
  });
});

describe('crash safety', () => {
  const writer = fileURLToPath(new URL('./test-support/crash-writer.ts', import.meta.url));

  function runUntilKilled(path: string, seed: number, killAfterLines: number): Promise<{ rows: number; lastId: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buffer = '';
      let lines = 0;
      let last = { rows: -1, lastId: '' };
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const m = /^committed (\d+) (\S+)$/.exec(line);
          if (!m) continue;
          last = { rows: Number(m[1]), lastId: m[2]! };
          if (++lines === killAfterLines) {
            // Kill at a random point inside the next batch's write.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 3);
          }
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
        else resolve(last);
      });
    });
  }

  it('keeps every committed event through 20 SIGKILLs mid-batch', async () => {
    const path = tempDb('crash.db');
    let verified = 0;
    for (let round = 0; round < 20; round++) {
      const { rows, lastId } = await runUntilKilled(path, round, 2 + (round % 5));
      expect(rows).toBeGreaterThan(verified);
      const store = EventStore.open({ path });
      const count = store.eventCount();
      // Everything reported committed is there; batches that committed before the
      // report reached us may add a few hundred more, never a partial batch (checked below).
      expect(count).toBeGreaterThanOrEqual(rows);
      expect(count - rows).toBeLessThan(10_000);
      expect(store.eventById(lastId)).not.toBeNull();
      store.close();
      const db = new Database(path, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const counts = db.prepare("SELECT sum(n) AS n FROM counts WHERE source = 'crash-cam'").get() as { n: number };
      // Aggregates commit in the same transaction as their events.
      expect(counts.n).toBe(count);
      db.close();
      verified = count;
    }
  }, 180_000);
});
