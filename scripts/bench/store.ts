// bench store: events/s through the store's real write path (append -> batched
// transaction with aggregates) against a bare better-sqlite3 prepared-statement loop,
// one transaction per 1,000 rows, into the same schema on the same disk, interleaved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStore, synthesizeEvents, Uuid7Generator, MIGRATIONS } from '../../edge/store/index.ts';
import type { NewEvent } from '../../edge/shared/types.ts';
import { machineInfo } from './machine.ts';
import type { BenchTarget } from './types.ts';

/** The physical reference: a bare prepared INSERT loop, one transaction per 1,000 rows. */
class BareLoop {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly ids = new Uuid7Generator();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(MIGRATIONS.map((m) => m.sql).join('\n'));
    this.insert = this.db.prepare('INSERT INTO events (ts, type, source, wire) VALUES (?, ?, ?, ?)');
  }

  write(events: NewEvent[], from: number, to: number): void {
    let i = from;
    while (i < to) {
      const end = Math.min(to, i + 1_000);
      this.db.exec('BEGIN');
      for (; i < end; i++) {
        const e = events[i]!;
        // The same row the store writes: the event's wire JSON, here by plain concatenation.
        const id = this.ids.next(e.tsMs);
        const wire = `{"id":"${id}","ts":${Math.trunc(e.tsMs)},"type":${JSON.stringify(e.type)},"source":${JSON.stringify(e.source)},"data":${JSON.stringify(e.data)}}`;
        this.insert.run(e.tsMs, e.type, e.source, wire);
      }
      this.db.exec('COMMIT');
    }
  }

  close(): void {
    this.db.close();
  }
}

const SLICE = 50_000;

/**
 * One round: both writers get the same events, in alternating 50,000-event slices, so the
 * VM's drift (often +-30% within seconds here) falls on both alike. Returns events/s of each.
 */
function round(dir: string, r: number, events: NewEvent[]): { ours: number; reference: number } {
  const bare = new BareLoop(join(dir, `bare-${r}.db`));
  const store = EventStore.open({ path: join(dir, `store-${r}.db`), synchronous: 'NORMAL', flushMaxEvents: 2_000 });
  let oursMs = 0;
  let refMs = 0;
  for (let from = 0; from < events.length; from += SLICE) {
    const to = Math.min(events.length, from + SLICE);
    const flip = (from / SLICE) % 2 === 1;
    for (const which of flip ? ['store', 'bare'] : ['bare', 'store']) {
      const t0 = performance.now();
      if (which === 'bare') bare.write(events, from, to);
      else {
        for (let i = from; i < to; i++) store.append(events[i]!);
        store.flush();
      }
      const ms = performance.now() - t0;
      if (which === 'bare') refMs += ms;
      else oursMs += ms;
    }
  }
  bare.close();
  store.close();
  return { ours: events.length / (oursMs / 1000), reference: events.length / (refMs / 1000) };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

const target: BenchTarget = {
  name: 'store',
  summary: 'event store write path vs a bare better-sqlite3 loop (events/s)',
  async run(ctx) {
    const n = Number(ctx.args.events ?? 500_000);
    const rounds = Number(ctx.args.rounds ?? 3);
    const events = [...synthesizeEvents({ count: n, seed: 7 })];
    const dir = mkdtempSync(join(ctx.cwd, '.bench-store-'));
    const rounds_: Array<{ ours: number; reference: number }> = [];
    try {
      for (let r = 0; r < rounds; r++) {
        const res = round(dir, r, events);
        rounds_.push(res);
        ctx.log(`round ${r + 1}: store ${Math.round(res.ours)} ev/s, bare loop ${Math.round(res.reference)} ev/s, ratio ${(res.ours / res.reference).toFixed(3)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ratio = median(rounds_.map((x) => x.ours / x.reference));
    const o = median(rounds_.map((x) => x.ours));
    const b = median(rounds_.map((x) => x.reference));
    return {
      target: 'store',
      machine: machineInfo(),
      results: [
        {
          name: `insert ${n} synthetic events`,
          unit: 'events/s',
          ours: Math.round(o),
          reference: Math.round(b),
          referenceName: 'bare better-sqlite3 prepared INSERT of the same rows (wire JSON by concatenation), 1,000 rows per transaction, same schema',
          ratio: Number(ratio.toFixed(3)),
          rounds,
          method: 'median over rounds; each round interleaves the two writers in 50,000-event slices',
          target: '>= 0.8 and >= 100000 events/s',
          pass: ratio >= 0.8 && o >= 100_000,
        },
      ],
    };
  },
};

export default target;
