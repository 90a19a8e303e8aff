import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { IdSlotIndex } from './id-slot-index.ts';

describe('IdSlotIndex', () => {
  it('agrees with a Map over a long random mix of sets, overwrites and deletes (growing, colliding ids)', () => {
    const rnd = new SeededRandom(7);
    const index = new IdSlotIndex(4);
    const map = new Map<number, number>();
    for (let step = 0; step < 200_000; step++) {
      // Small id ranges force collisions and long probe runs; some negative and huge ids too.
      const id = step % 3 === 0 ? Math.floor(rnd.next() * 64) : step % 3 === 1 ? Math.floor(rnd.next() * 5000) - 100 : (Math.floor(rnd.next() * 2 ** 31) | 0);
      const op = rnd.next();
      if (op < 0.5) {
        index.set(id, step);
        map.set(id, step);
      } else if (op < 0.8) {
        index.delete(id);
        map.delete(id);
      }
      expect(index.get(id)).toBe(map.get(id) ?? -1);
      expect(index.size).toBe(map.size);
    }
    for (const [id, slot] of map) expect(index.get(id)).toBe(slot);
  });
});
