import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventStore, READ_PENDING, synthesizeEvents, type OutboxBatchText } from './index.ts';

const NO_BOUND = Number.MAX_SAFE_INTEGER;
const PREFIX = '{"events":[';
const SUFFIX = ']}';

function storeWith(n: number): EventStore {
  const store = EventStore.open({ path: join(mkdtempSync(join(tmpdir(), 'footfall-readahead-')), 'events.db'), flushMaxEvents: 10_000 });
  for (const e of synthesizeEvents({ count: n, seed: 3 })) store.append(e);
  store.flush();
  return store;
}

/** readNextBatch, waiting for the worker when it says the batch is on its way. */
async function nextBatch(store: EventStore, afterSeq: number, beforeSeq: number, maxEvents: number): Promise<OutboxBatchText | null> {
  for (;;) {
    const ready = new Promise<void>((resolve) => store.outbox.onBatchReady(resolve));
    const b = store.outbox.readNextBatch(afterSeq, beforeSeq, maxEvents, 1_000_000, PREFIX, SUFFIX);
    if (b !== READ_PENDING) return b;
    await ready;
  }
}

describe('outbox read-ahead', () => {
  it('hands out the same batches as synchronous reads, most of them read by the worker, with events appended meanwhile', async () => {
    const store = storeWith(20_000);
    const got: string[] = [];
    let cursor = 0;
    for (let i = 0; ; i++) {
      if (i === 30) {
        for (const e of synthesizeEvents({ count: 3_000, seed: 4 })) store.append(e);
        store.flush();
      }
      const b = await nextBatch(store, cursor, NO_BOUND, 250);
      if (!b) break;
      expect(b.firstSeq).toBe(cursor + 1);
      got.push(b.payload.toString());
      cursor = b.lastSeq;
      // Let the worker get ahead now and then, as acks do.
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(cursor).toBe(23_000);
    const expected: string[] = [];
    let c = 0;
    for (;;) {
      const b = store.outbox.readBatch(c, NO_BOUND, 250, 1_000_000, PREFIX, SUFFIX);
      if (!b) break;
      expected.push(b.payload.toString());
      c = b.lastSeq;
    }
    // Same events in the same order (batch boundaries may differ where a read met the end of the store).
    const ids = (pages: string[]) => pages.flatMap((p) => (JSON.parse(p) as { events: Array<{ id: string }> }).events.map((e) => e.id));
    expect(ids(got)).toEqual(ids(expected));
    expect(new Set(ids(got)).size).toBe(23_000);
    expect(store.health().status).toBe('ok');
    const metrics = (store as unknown as { readAhead: { metrics: { readAhead: number } } }).readAhead.metrics;
    expect(metrics.readAhead).toBeGreaterThan(got.length / 2);
    store.close();
  });

  it('never crosses the caller bound (a held event) with a batch read ahead', async () => {
    const store = storeWith(5_000);
    let cursor = 0;
    // Warm the stream up so batches are waiting.
    for (let i = 0; i < 3; i++) cursor = (await nextBatch(store, cursor, NO_BOUND, 100))!.lastSeq;
    await new Promise((r) => setTimeout(r, 100));
    const bounded = await nextBatch(store, cursor, cursor + 40, 100);
    expect(bounded!.firstSeq).toBe(cursor + 1);
    expect(bounded!.lastSeq).toBe(cursor + 39);
    const after = await nextBatch(store, cursor + 40, NO_BOUND, 100);
    expect(after!.firstSeq).toBe(cursor + 41);
    expect(after!.count).toBe(100);
    store.close();
  });
});
