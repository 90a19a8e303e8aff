// UUIDv7 (RFC 9562) ids for events: 48-bit Unix ms, then a 12-bit counter in rand_a
// that keeps ids strictly increasing within a millisecond (method 1), then 62 random
// bits. Random bytes come from a pooled crypto buffer. The `uuid` package's v7 ran at
// about 320k ids/s here, a third of the store's write budget; this runs several times faster.
import { randomFillSync } from 'node:crypto';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

const POOL_SIZE = 8 * 1024;

export class Uuid7Generator {
  private readonly pool = Buffer.allocUnsafe(POOL_SIZE);
  private poolOffset = POOL_SIZE;
  private lastMs = -1;
  private counter = 0;

  /** A new id for an event at `nowMs` (defaults to the wall clock). Ids never go backwards. */
  next(nowMs: number = Date.now()): string {
    let ms = Math.floor(nowMs);
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter > 0xfff) {
        // Counter exhausted: borrow the next millisecond, as RFC 9562 allows.
        ms = this.lastMs + 1;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    if (this.poolOffset + 8 > POOL_SIZE) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    const p = this.pool;
    const o = this.poolOffset;
    this.poolOffset += 8;
    const hi = Math.floor(ms / 0x1000000); // top 24 bits of the 48-bit time
    const lo = ms % 0x1000000; // low 24 bits
    const c = this.counter;
    return (
      HEX[(hi >>> 16) & 0xff]! + HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + HEX[(lo >>> 16) & 0xff]! +
      '-' + HEX[(lo >>> 8) & 0xff]! + HEX[lo & 0xff]! +
      '-' + HEX[0x70 | (c >>> 8)]! + HEX[c & 0xff]! +
      '-' + HEX[0x80 | (p[o]! & 0x3f)]! + HEX[p[o + 1]!]! +
      '-' + HEX[p[o + 2]!]! + HEX[p[o + 3]!]! + HEX[p[o + 4]!]! + HEX[p[o + 5]!]! + HEX[p[o + 6]!]! + HEX[p[o + 7]!]!
    );
  }
}

/** Milliseconds since epoch encoded in a UUIDv7. */
export function uuid7TimeMs(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export const UUID7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
