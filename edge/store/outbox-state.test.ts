// The outbox position in the store: migration from v1's per-row sent_at, batches built
// by SQLite within count and byte limits, resync by position, held events, and the
// state surviving a reopen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EventStore, LATEST_SCHEMA_VERSION, MIGRATIONS } from './index.ts';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'footfall-outbox-')), 'events.db');
}

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function filled(n: number, path = tempDb()): EventStore {
  const store = EventStore.open({ path });
  for (let i = 0; i < n; i++) store.append({ tsMs: T0 + i * 1000, type: 'x', source: 's', data: { i } });
  store.flush();
  return store;
}

/** A database as footfall with schema version 1 left it: sent_at per row. */
function v1Database(sentAt: Array<number | null>): string {
  const path = tempDb();
  const db = new Database(path);
  db.exec(MIGRATIONS[0]!.sql);
  db.pragma('user_version = 1');
  const insert = db.prepare('INSERT INTO events (id, ts, type, source, payload, sent_at) VALUES (?, ?, ?, ?, ?, ?)');
  sentAt.forEach((s, i) => insert.run(`id-${i}`, T0 + i * 1000, 'x', 's', JSON.stringify({ i }), s));
  db.close();
  return path;
}

describe('migration from v1 sent_at state', () => {
  it('makes the position the seq before the first unsent event and drops the unsent index', () => {
    const sentAt = Array.from({ length: 50 }, (_, i) => (i < 30 ? T0 + 99 : null));
    sentAt[45] = T0 + 99; // sent after a gap (a v1 refused event): sent again, at-least-once
    const path = v1Database(sentAt);
    const store = EventStore.open({ path });
    expect(store.outbox.ackedSeq()).toBe(30);
    expect(store.outbox.unsentCount()).toBe(20);
    expect(store.outbox.oldestUnsentTsMs()).toBe(T0 + 30_000);
    expect(store.eventById('id-29')!.sentAtMs).toBe(T0 + 99);
    expect(store.eventById('id-30')!.sentAtMs).toBeNull();
    expect(store.eventById('id-45')!.sentAtMs).toBeNull();
    expect(store.outbox.unsentEvents(0, 100).map((e) => e.data.i)).toEqual(Array.from({ length: 20 }, (_, i) => 30 + i));
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'events_unsent'").get()).toBeUndefined();
    db.close();
  });

  it('rewrites an older store\'s rows into the wire JSON the writer now stores (v3), byte for byte', () => {
    const path = v1Database([T0, null, null]);
    const store = EventStore.open({ path });
    const id = store.append({ tsMs: T0 + 5_000, type: 'x', source: 's', data: { i: 3 } });
    store.flush();
    const wire = store.outbox.unsentWireJson(0, 10).map((r) => r[1]);
    expect(wire).toEqual([
      ...[1, 2].map((i) => JSON.stringify({ id: `id-${i}`, ts: T0 + i * 1000, type: 'x', source: 's', data: { i } })),
      JSON.stringify({ id, ts: T0 + 5_000, type: 'x', source: 's', data: { i: 3 } }),
    ]);
    expect(store.eventById('id-0')!.data).toEqual({ i: 0 });
    store.close();
  });

  it('an all-sent v1 store is all sent; an all-unsent or empty one starts at 0', () => {
    const all = EventStore.open({ path: v1Database([T0, T0, T0]) });
    expect([all.outbox.ackedSeq(), all.outbox.unsentCount()]).toEqual([3, 0]);
    all.close();
    const none = EventStore.open({ path: v1Database([null, null]) });
    expect([none.outbox.ackedSeq(), none.outbox.unsentCount()]).toEqual([0, 2]);
    none.close();
    const empty = EventStore.open({ path: v1Database([]) });
    expect([empty.outbox.ackedSeq(), empty.outbox.unsentCount(), empty.outbox.oldestUnsentTsMs()]).toEqual([0, 0, null]);
    empty.close();
  });

  it('a read-only open of a v1 store asks for a migration instead of failing obscurely', () => {
    const path = v1Database([null]);
    expect(() => EventStore.open({ path, readonly: true })).toThrow(/schema version 1, older than this footfall.*migrate/);
  });
});

describe('outbox batches built by SQLite', () => {
  it('joins the wire JSON of up to maxEvents events, stopping before the bound and the byte limit', () => {
    const store = filled(100);
    const pieces = store.outbox.unsentWireJson(0, 1000).map((r) => r[1]);
    const all = store.outbox.readBatch(0, Number.MAX_SAFE_INTEGER, 500, 1e9)!;
    expect(all).toMatchObject({ firstSeq: 1, lastSeq: 100, count: 100 });
    expect(all.payload.toString()).toBe(pieces.join(','));
    expect(all.bytes).toBe(all.payload.length);
    // The envelope comes from SQLite too, outside the byte count.
    const wrapped = store.outbox.readBatch(0, 3, 500, 1e9, '{"v":1,"events":[', ']}')!;
    expect(JSON.parse(wrapped.payload.toString()).events).toEqual(pieces.slice(0, 2).map((p) => JSON.parse(p)));
    expect(wrapped.bytes).toBe(Buffer.byteLength(pieces.slice(0, 2).join(',')));
    expect(store.outbox.readBatch(10, 21, 500, 1e9)).toMatchObject({ firstSeq: 11, lastSeq: 20, count: 10 });
    expect(store.outbox.readBatch(0, Number.MAX_SAFE_INTEGER, 7, 1e9)).toMatchObject({ firstSeq: 1, lastSeq: 7 });
    // Over the byte limit: a shorter prefix that fits (five events with their four commas; one byte less, fewer).
    const five = Buffer.byteLength(pieces.slice(0, 5).join(','));
    const fits = store.outbox.readBatch(0, 6, 500, five)!;
    expect(fits.count).toBe(5);
    expect(fits.payload.toString()).toBe(pieces.slice(0, 5).join(','));
    const cut = store.outbox.readBatch(0, Number.MAX_SAFE_INTEGER, 500, five - 1)!;
    expect(cut.count).toBeGreaterThanOrEqual(1);
    expect(cut.count).toBeLessThanOrEqual(4);
    expect(cut.payload.toString()).toBe(pieces.slice(0, cut.count).join(','));
    expect(cut.bytes).toBeLessThanOrEqual(five - 1);
    // A single event larger than the limit still comes alone (the outbox holds it back).
    const alone = store.outbox.readBatch(0, Number.MAX_SAFE_INTEGER, 500, 3)!;
    expect(alone).toMatchObject({ count: 1, firstSeq: 1 });
    expect(alone.payload.toString()).toBe(pieces[0]);
    expect(store.outbox.readBatch(100, Number.MAX_SAFE_INTEGER, 500, 1e9)).toBeNull();
    expect(store.outbox.readBatch(5, 6, 500, 1e9)).toBeNull();
    store.close();
  });
});

describe('outbox position', () => {
  it('advances only forward, in one row, and survives a reopen with held events', () => {
    const path = tempDb();
    const store = filled(100, path);
    expect(store.outbox.advance(40, T0 + 5)).toBe(true);
    expect(store.outbox.advance(30, T0 + 6)).toBe(false);
    store.outbox.hold(35, 'refused (0x99)', T0 + 60_000);
    store.close();
    const again = EventStore.open({ path });
    expect(again.outbox.ackedSeq()).toBe(40);
    expect(again.outbox.held()).toEqual([{ seq: 35, reason: 'refused (0x99)', retryAtMs: T0 + 60_000 }]);
    expect(again.outbox.unsentCount()).toBe(61);
    expect(again.eventById(again.outbox.unsentEvents(0, 1)[0]!.id)!.data).toEqual({ i: 34 });
    expect(again.eventsBetween(T0, T0 + 40_000).map((e) => e.sentAtMs !== null)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1 !== 35),
    );
    again.close();
  });

  it('resync moves the position back to before the first event at or after the time', () => {
    const store = filled(100);
    store.outbox.advance(100);
    expect(store.outbox.unsentCount()).toBe(0);
    expect(store.outbox.rewindToTime(T0 + 30_000)).toBe(70);
    expect(store.outbox.ackedSeq()).toBe(30);
    expect(store.outbox.unsentCount()).toBe(70);
    expect(store.outbox.oldestUnsentTsMs()).toBe(T0 + 30_000);
    // Later than every event, or already unsent: nothing changes.
    expect(store.outbox.rewindToTime(T0 + 1_000_000)).toBe(0);
    expect(store.outbox.rewindToTime(T0 + 50_000)).toBe(0);
    expect(store.outbox.ackedSeq()).toBe(30);
    // A held event in the range was unsent already and is not counted again.
    store.outbox.advance(100);
    store.outbox.hold(95, 'refused', T0);
    expect(store.outbox.rewindToTime(T0 + 90_000)).toBe(9);
    expect(store.outbox.unsentCount()).toBe(10);
    store.close();
  });

  it('held events are unsent, first in the backlog, kept by retention, and sent once released', () => {
    const store = EventStore.open({ path: tempDb(), retention: { days: 3650, maxSizeMb: 0, intervalMs: 60_000, deleteUnsent: false } });
    for (let i = 0; i < 50; i++) store.append({ tsMs: T0 + i * 1000, type: 'x', source: 's', data: { i } });
    store.flush();
    store.outbox.hold(3, 'too large', T0);
    store.outbox.advance(20);
    expect(store.outbox.unsentCount()).toBe(31);
    expect(store.outbox.oldestUnsentTsMs()).toBe(T0 + 2_000);
    expect(store.outbox.unsentEvents(0, 2).map((e) => e.data.i)).toEqual([2, 20]);
    // markSentRange over a held event releases it; past the position it needs no gap check.
    const r = store.runRetention(T0 + 60_000);
    expect(r).toEqual({ deletedSent: 19, deletedUnsent: 0 });
    expect(store.outbox.unsentCount()).toBe(31);
    expect(store.outbox.release(3)).toBe(true);
    expect(store.outbox.unsentCount()).toBe(30);
    store.close();
  });

  it('markSentRange refuses to skip an unacknowledged event, but steps over held ones', () => {
    const store = filled(10);
    expect(() => store.outbox.markSentRange(5, 6)).toThrow(/event 1 before it is not acknowledged/);
    store.outbox.hold(1, 'refused', T0);
    store.outbox.markSentRange(2, 3);
    expect(store.outbox.markSentRange(2, 4)).toBe(1);
    expect(store.outbox.ackedSeq()).toBe(4);
    expect(store.outbox.unsentCount()).toBe(7);
    expect(store.outbox.markSentRange(1, 1)).toBe(1);
    expect(store.outbox.unsentCount()).toBe(6);
    store.close();
  });
});
