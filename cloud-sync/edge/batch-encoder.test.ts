// The wire JSON the store builds in SQL must be byte-for-byte what the JS encoder
// builds and valid v1 contract, including awkward strings and non-integer times.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventStore, synthesizeEvents } from '../../edge/store/index.ts';
import { EventBatchEncoder } from './batch-encoder.ts';
import { parseMessage } from '../contract/index.ts';
import { tempDir } from './test-support/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('event wire JSON', () => {
  it('SQL-built and JS-built event JSON agree and form a valid batch', () => {
    const store = EventStore.open({ path: join(tmp.dir, 'enc.db') });
    for (const e of synthesizeEvents({ count: 500, seed: 3 })) store.append(e);
    store.append({ tsMs: 1_700_000_000_000, type: 'odd "type" \\ é', source: 'cam\n"ü"', data: { text: 'quote " backslash \\ newline \n emoji 🚶', n: [1, 2.5, null] } });
    store.flush();
    const encoder = new EventBatchEncoder('mall-1', 'box');
    const sql = store.outbox.unsentWireJson(0, 10_000);
    const js = store.outbox.unsentRows(0, 10_000);
    expect(sql.length).toBe(501);
    for (let i = 0; i < js.length; i++) {
      expect(sql[i]![0]).toBe(js[i]!.seq);
      expect(sql[i]![1]).toBe(encoder.encodeEvent(js[i]!));
    }
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
