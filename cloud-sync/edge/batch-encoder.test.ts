// The wire JSON the store writes with each event must be byte-for-byte what JSON.stringify
// makes of the v1 event object, and valid v1 contract, including awkward strings and
// non-integer times.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventStore, synthesizeEvents } from '../../edge/store/index.ts';
import { EventBatchEncoder } from './batch-encoder.ts';
import { parseMessage } from '../contract/index.ts';
import { tempDir } from './test-support/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('event wire JSON', () => {
  it('the stored wire JSON is JSON.stringify of the v1 event object, and forms a valid batch', () => {
    const store = EventStore.open({ path: join(tmp.dir, 'enc.db') });
    const appended = [...synthesizeEvents({ count: 500, seed: 3 })];
    appended.push({ tsMs: 1_700_000_000_000, type: 'odd "type" \\ é', source: 'cam\n"ü"', data: { text: 'quote " backslash \\ newline \n emoji 🚶', n: [1, 2.5, null] } });
    const ids = appended.map((e) => store.append(e));
    store.flush();
    const encoder = new EventBatchEncoder('mall-1', 'box');
    const sql = store.outbox.unsentWireJson(0, 10_000);
    expect(sql.length).toBe(501);
    for (let i = 0; i < appended.length; i++) {
      const e = appended[i]!;
      expect(sql[i]![1]).toBe(JSON.stringify({ id: ids[i], ts: Math.trunc(e.tsMs), type: e.type, source: e.source, data: e.data }));
    }
    expect(store.outbox.unsentEvents(0, 10_000).map((e) => e.data)).toEqual(appended.map((e) => e.data));
    const payload = encoder.prefix + sql.map((r) => r[1]).join(',') + encoder.suffix;
    const m = parseMessage('events', payload);
    expect(m.ok, m.ok ? '' : m.error).toBe(true);
    if (m.ok) {
      expect(m.value.events[500]!.data).toEqual({ text: 'quote " backslash \\ newline \n emoji 🚶', n: [1, 2.5, null] });
      expect(m.value.events[500]!.source).toBe('cam\n"ü"');
    }
    store.close();
  });

  it('a fractional event time goes out as an integer', () => {
    const store = EventStore.open({ path: join(tmp.dir, 'frac.db') });
    store.append({ tsMs: 1_700_000_000_123.7, type: 't', source: 's', data: {} });
    store.flush();
    const [[, json]] = store.outbox.unsentWireJson(0, 1) as [[number, string]];
    expect(JSON.parse(json).ts).toBe(1_700_000_000_123);
    store.close();
  });
});
