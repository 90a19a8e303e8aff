// bench store: events/s through the store's real write path (append -> batched
// transaction with aggregates) against a bare better-sqlite3 prepared-statement loop,
// one transaction per 1,000 rows, into the same schema on the same disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStore, synthesizeEvents, Uuid7Generator, MIGRATIONS } from '../../edge/store/index.ts';
import type { NewEvent } from '../../edge/shared/types.ts';
import { machineInfo } from './machine.ts';
import type { BenchTarget } from './types.ts';

function bareLoop(path: string, events: NewEvent[]): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(MIGRATIONS.map((m) => m.sql).join('\n'));
  const insert = db.prepare('INSERT INTO events (id, ts, type, source, payload) VALUES (?, ?, ?, ?, ?)');
  const ids = new Uuid7Generator();
  const t0 = performance.now();
  let i = 0;
  while (i < events.length) {
    const end = Math.min(events.length, i + 1_000);
    db.exec('BEGIN');
    for (; i < end; i++) {
      const e = events[i]!;
      insert.run(ids.next(e.tsMs), e.tsMs, e.type, e.source, JSON.stringify(e.data));
    }
    db.exec('COMMIT');
  }
  const s = (performance.now() - t0) / 1000;
  db.close();
  return events.length / s;
}

function storePath(path: string, events: NewEvent[]): number {
  const store = EventStore.open({ path, synchronous: 'NORMAL', flushMaxEvents: 2_000 });
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) store.append(events[i]!);
  store.flush();
  const s = (performance.now() - t0) / 1000;
  store.close();
  return events.length / s;
}

const target: BenchTarget = {
  name: 'store',
  summary: 'event store write path vs a bare better-sqlite3 loop (events/s)',
  async run(ctx) {
    const n = Number(ctx.args.events ?? 500_000);
    const rounds = Number(ctx.args.rounds ?? 3);
    const events = [...synthesizeEvents({ count: n, seed: 7 })];
    const dir = mkdtempSync(join(ctx.cwd, '.bench-store-'));
    const ours: number[] = [];
    const ref: number[] = [];
    try {
      // Alternate the two so drift of the machine hits both alike; keep the best round of each.
      for (let r = 0; r < rounds; r++) {
        ref.push(bareLoop(join(dir, `bare-${r}.db`), events));
        ours.push(storePath(join(dir, `store-${r}.db`), events));
        ctx.log(`round ${r + 1}: store ${Math.round(ours[r]!)} ev/s, bare loop ${Math.round(ref[r]!)} ev/s`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const best = (a: number[]) => Math.max(...a);
    const o = best(ours);
    const b = best(ref);
    return {
      target: 'store',
      machine: machineInfo(),
      results: [
        {
          name: `insert ${n} synthetic events`,
          unit: 'events/s',
          ours: Math.round(o),
          reference: Math.round(b),
          referenceName: 'bare better-sqlite3 prepared INSERT, 1,000 rows per transaction, same schema',
          ratio: Number((o / b).toFixed(3)),
          target: '>= 0.8 and >= 100000 events/s',
          pass: o / b >= 0.8 && o >= 100_000,
        },
      ],
    };
  },
};

export default target;
