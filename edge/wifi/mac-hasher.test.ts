import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { MacHasher } from './mac-hasher.ts';

function reference(key: Buffer, mac: Buffer): string {
  return createHmac('sha256', key).update(mac).digest('hex').slice(0, 16);
}

describe('MacHasher', () => {
  it('equals node:crypto HMAC-SHA256 (first 16 hex) for random keys of every length class and MACs', () => {
    const rnd = new SeededRandom(3);
    for (const keyLen of [1, 16, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLen);
      const h = new MacHasher(key);
      for (let i = 0; i < 200; i++) {
        const frame = Buffer.alloc(40);
        for (let b = 0; b < 40; b++) frame[b] = rnd.int(0, 255);
        const off = rnd.int(0, 34);
        h.hashAt(frame, off);
        expect(h.hex()).toBe(reference(key, frame.subarray(off, off + 6)));
        // Cache hit gives the same answer.
        h.hashAt(frame, off);
        expect(h.hex()).toBe(reference(key, frame.subarray(off, off + 6)));
      }
      expect(h.cacheHits).toBeGreaterThanOrEqual(200);
    }
  });

  it('forgets cached hashes when the key changes', () => {
    const mac = Buffer.from('a4b1c2d3e4f5', 'hex');
    const h = new MacHasher(Buffer.from('day-1'));
    h.hashAt(mac, 0);
    const day1 = h.hex();
    h.setKey(Buffer.from('day-2'));
    h.hashAt(mac, 0);
    expect(h.hex()).toBe(reference(Buffer.from('day-2'), mac));
    expect(h.hex()).not.toBe(day1);
  });

  it('works with the cache off and gives a 53-bit map key from the hash', () => {
    const h = new MacHasher(Buffer.from('k'), { cacheBits: 0 });
    const mac = Buffer.from('020000000001', 'hex');
    h.hashAt(mac, 0);
    expect(h.hex()).toBe(reference(Buffer.from('k'), mac));
    expect(h.cacheHits).toBe(0);
    expect(Number.isSafeInteger(h.key53())).toBe(true);
    expect(h.key53() % 2 ** 32).toBe(h.lo);
  });

  it('refuses an empty key', () => {
    expect(() => new MacHasher(Buffer.alloc(0))).toThrow(/must not be empty/);
  });
});
