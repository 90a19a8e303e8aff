// Turns the 6 MAC bytes in a frame buffer into macHash = first 16 hex characters of
// HMAC-SHA256(key, mac), without copying the MAC anywhere: SHA-256 runs on preallocated
// typed arrays with the key's inner/outer pad states computed once per key. A direct-mapped
// cache keyed by a secret-seeded 64-bit mix of the MAC (never the MAC itself) skips the
// HMAC for addresses seen again; it is wiped with the key.
import { createHash, randomBytes } from 'node:crypto';
import { FootfallError } from '../shared/errors.ts';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of the 16 words at w[0..15] into state (w is scratch of 64). */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

const HEX = '0123456789abcdef';

function hex32(v: number): string {
  let s = '';
  for (let shift = 28; shift >= 0; shift -= 4) s += HEX[(v >>> shift) & 15];
  return s;
}

function murmurMix(a: number, b: number, seed: number): number {
  let h = seed;
  let k = Math.imul(a, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  k = Math.imul(b, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h ^= 6;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export interface MacHasherOptions {
  /** Cache slots as a power of two (0 disables the cache). Default 2^17. */
  cacheBits?: number;
}

export class MacHasher {
  /** High and low 32 bits of the last hash (the first 8 bytes of the HMAC). */
  hi = 0;
  lo = 0;
  /** HMACs computed and cache hits, for benchmarks. */
  computed = 0;
  cacheHits = 0;
  private readonly cacheMask: number;
  private readonly tagA: Int32Array;
  private readonly tagB: Int32Array;
  private readonly cacheHi: Uint32Array;
  private readonly cacheLo: Uint32Array;
  private readonly used: Uint8Array;
  private seedA = 0;
  private seedB = 0;
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private keyed = false;

  constructor(key?: Uint8Array, options: MacHasherOptions = {}) {
    const bits = options.cacheBits ?? 17;
    const size = bits > 0 ? 1 << bits : 0;
    this.cacheMask = size - 1;
    this.tagA = new Int32Array(size);
    this.tagB = new Int32Array(size);
    this.cacheHi = new Uint32Array(size);
    this.cacheLo = new Uint32Array(size);
    this.used = new Uint8Array(size);
    if (key) this.setKey(key);
  }

  /** Sets the HMAC key (any length; longer than 64 bytes is hashed first, as HMAC says). */
  setKey(key: Uint8Array): void {
    if (key.length === 0) throw new FootfallError('INPUT_INVALID', 'the MAC hash key must not be empty');
    const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
    const block = new Uint8Array(64);
    block.set(k);
    this.padState(block, 0x36, this.inner);
    this.padState(block, 0x5c, this.outer);
    block.fill(0);
    this.keyed = true;
    // New key: forget every cached hash and draw new mixing seeds.
    this.used.fill(0);
    this.tagA.fill(0);
    this.tagB.fill(0);
    this.cacheHi.fill(0);
    this.cacheLo.fill(0);
    const seeds = randomBytes(8);
    this.seedA = seeds.readInt32LE(0);
    this.seedB = seeds.readInt32LE(4);
  }

  private padState(block: Uint8Array, pad: number, out: Int32Array): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) {
      w[i] =
        ((block[4 * i]! ^ pad) << 24) | ((block[4 * i + 1]! ^ pad) << 16) | ((block[4 * i + 2]! ^ pad) << 8) | (block[4 * i + 3]! ^ pad);
    }
    out.set(H0);
    compress(out, w);
    w.fill(0);
  }

  /** Hashes the 6 bytes at buf[off..off+6) into hi/lo. */
  hashAt(buf: Uint8Array, off: number): void {
    if (!this.keyed) throw new FootfallError('INTERNAL', 'MacHasher used before a key was set');
    if (this.cacheMask < 0) {
      this.computeAt(buf, off);
      return;
    }
    const a = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
    const b = (buf[off + 4]! << 8) | buf[off + 5]!;
    const ta = murmurMix(a, b, this.seedA);
    const tb = murmurMix(a, b, this.seedB);
    const slot = (ta ^ (tb >>> 7)) & this.cacheMask;
    if (this.used[slot] === 1 && this.tagA[slot] === ta && this.tagB[slot] === tb) {
      this.hi = this.cacheHi[slot]!;
      this.lo = this.cacheLo[slot]!;
      this.cacheHits++;
      return;
    }
    this.computeAt(buf, off);
    this.used[slot] = 1;
    this.tagA[slot] = ta;
    this.tagB[slot] = tb;
    this.cacheHi[slot] = this.hi;
    this.cacheLo[slot] = this.lo;
  }

  /** The HMAC itself, no cache. */
  computeAt(buf: Uint8Array, off: number): void {
    this.computed++;
    const w = this.w;
    const st = this.state;
    // Inner hash: key^ipad block (precomputed), then mac || 0x80 || zeros || bit length 8*(64+6).
    st.set(this.inner);
    w[0] = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
    w[1] = (buf[off + 4]! << 24) | (buf[off + 5]! << 16) | 0x8000;
    for (let i = 2; i < 15; i++) w[i] = 0;
    w[15] = 560;
    compress(st, w);
    // Outer hash: key^opad block (precomputed), then the 32-byte inner digest, bit length 8*(64+32).
    for (let i = 0; i < 8; i++) w[i] = st[i]!;
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = 768;
    st.set(this.outer);
    compress(st, w);
    this.hi = st[0]! >>> 0;
    this.lo = st[1]! >>> 0;
    // The MAC went through w during the inner pass; the outer pass overwrote all 64 words.
  }

  /** The last hash as 16 lowercase hex characters (allocates a string). */
  hex(): string {
    return hex32(this.hi) + hex32(this.lo);
  }

  /** A 53-bit number from the last hash, for Map keys without making a string. */
  key53(): number {
    return (this.hi & 0x1fffff) * 4294967296 + this.lo;
  }
}

/** 16 hex characters from a hash's high and low words. */
export function hashHex(hi: number, lo: number): string {
  return hex32(hi) + hex32(lo);
}
