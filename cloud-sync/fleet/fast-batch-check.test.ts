import { describe, expect, it } from 'vitest';
import { validateMessage } from '../contract/index.ts';
import { SeededRandom } from '../../edge/shared/random.ts';
import { isValidEventBatch } from './fast-batch-check.ts';

const good = () => ({
  v: 1,
  site: 'mall-1',
  device: 'box.1_a',
  events: [
    { id: '019ab0c0-0000-7000-8000-000000000001', ts: 1_795_000_000_000, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in' } },
    { id: '019ab0c0-0000-7abc-b000-0000000000ff', ts: 0, type: 'x'.repeat(128), source: 's', data: {} },
  ],
});

// Each mutation edits a fresh valid batch in one way, valid or not.
const MUTATIONS: Array<(b: any) => void> = [
  (b) => (b.v = 2), (b) => (b.v = '1'), (b) => delete b.v, (b) => (b.extra = 1),
  (b) => (b.site = ''), (b) => (b.site = 'a/b'), (b) => (b.site = 'x'.repeat(64)), (b) => (b.site = 'x'.repeat(65)), (b) => (b.site = '-a'),
  (b) => (b.device = 5), (b) => (b.events = []), (b) => (b.events = {}), (b) => (b.events[0] = null), (b) => (b.events[0] = []),
  (b) => (b.events[0].id = b.events[0].id.toUpperCase()), (b) => (b.events[0].id = '019ab0c0-0000-4000-8000-000000000001'),
  (b) => (b.events[0].id = '019ab0c0-0000-7000-c000-000000000001'), (b) => delete b.events[1].id,
  (b) => (b.events[0].ts = 1.5), (b) => (b.events[0].ts = -1), (b) => (b.events[0].ts = '1'), (b) => (b.events[0].ts = 8_640_000_000_000_001),
  (b) => (b.events[0].ts = 8_640_000_000_000_000), (b) => (b.events[0].ts = Number.NaN),
  (b) => (b.events[0].type = ''), (b) => (b.events[0].type = 'x'.repeat(129)), (b) => (b.events[0].source = null),
  (b) => (b.events[0].data = []), (b) => (b.events[0].data = null), (b) => (b.events[0].data = 'x'), (b) => (b.events[0].data = { a: [1, { b: null }] }),
  (b) => (b.events[1].more = true), (b) => delete b.events[1].data,
];

describe('isValidEventBatch', () => {
  it('accepts a valid batch', () => {
    expect(isValidEventBatch(good())).toBe(true);
  });

  it('never accepts what the contract schema rejects, and accepts what it accepts', () => {
    const rnd = new SeededRandom(3);
    for (let round = 0; round < 400; round++) {
      const b = good();
      const k = round < MUTATIONS.length ? 1 : rnd.int(1, 3);
      for (let i = 0; i < k; i++) {
        try {
          MUTATIONS[round < MUTATIONS.length ? round : rnd.int(0, MUTATIONS.length - 1)]!(b);
        } catch {
          // an earlier mutation removed what this one edits
        }
      }
      const zod = validateMessage('events', JSON.parse(JSON.stringify(b) ?? 'null')).ok;
      const fast = isValidEventBatch(JSON.parse(JSON.stringify(b) ?? 'null'));
      expect({ round, b, fast }).toEqual({ round, b, fast: zod });
    }
  });
});
