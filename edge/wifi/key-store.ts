// The MAC-hash key: random, held in memory and in a 0600 file so a restart within the same
// period keeps hashes stable; replaced (file overwritten) when the period changes, so hashes
// of past periods can neither be re-linked to new ones nor reversed.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FootfallError } from '../shared/errors.ts';

export type KeyRotation = 'daily' | 'hourly' | 'never';

/** Start of the key period containing tsMs: local midnight, the hour, or 0. */
export function keyPeriodStart(tsMs: number, rotation: KeyRotation): number {
  if (rotation === 'never') return 0;
  const d = new Date(tsMs);
  if (rotation === 'hourly') d.setMinutes(0, 0, 0);
  else d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Start of the period after the one starting at periodStartMs (DST-safe for local days). */
export function keyPeriodEnd(periodStartMs: number, rotation: KeyRotation): number {
  if (rotation === 'never') return Infinity;
  const d = new Date(periodStartMs);
  if (rotation === 'hourly') d.setHours(d.getHours() + 1);
  else d.setDate(d.getDate() + 1);
  return d.getTime();
}

export class HashKeyStore {
  private key: Buffer | null = null;
  private periodStartMs = NaN;
  private periodEndMs = NaN;
  /** Rotations done by this process. */
  rotations = 0;

  constructor(
    private readonly path: string,
    private readonly rotation: KeyRotation,
  ) {}

  /** Start of the current key's period (NaN before the first call to keyFor). */
  get currentPeriodStartMs(): number {
    return this.periodStartMs;
  }

  /** True when tsMs falls outside the current key's period (no allocation: called per frame). */
  isStale(tsMs: number): boolean {
    return this.key === null || tsMs < this.periodStartMs || tsMs >= this.periodEndMs;
  }

  /** The key for tsMs: the file's if it belongs to that period, else a new one (file overwritten). */
  keyFor(tsMs: number): Buffer {
    const period = keyPeriodStart(tsMs, this.rotation);
    if (this.key !== null && period === this.periodStartMs) return this.key;
    if (this.key === null) {
      const saved = this.read();
      if (saved && saved.periodStartMs === period) {
        this.key = saved.key;
        this.periodStartMs = period;
        this.periodEndMs = keyPeriodEnd(period, this.rotation);
        return saved.key;
      }
    } else {
      this.key.fill(0);
      this.rotations++;
    }
    const key = randomBytes(32);
    this.write(period, key);
    this.key = key;
    this.periodStartMs = period;
    this.periodEndMs = keyPeriodEnd(period, this.rotation);
    return key;
  }

  private read(): { periodStartMs: number; key: Buffer } | null {
    if (!existsSync(this.path)) return null;
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8')) as { periodStartMs?: unknown; key?: unknown };
      if (typeof v.periodStartMs !== 'number' || typeof v.key !== 'string' || !/^[0-9a-f]{64}$/.test(v.key)) return null;
      return { periodStartMs: v.periodStartMs, key: Buffer.from(v.key, 'hex') };
    } catch {
      return null; // unreadable or corrupt: a fresh key is the safe answer
    }
  }

  private write(periodStartMs: number, key: Buffer): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      // Overwrite in place (truncate) rather than create-and-rename, and keep it owner-only.
      const fd = openSync(this.path, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ periodStartMs, key: key.toString('hex') }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(this.path, 0o600);
    } catch (err) {
      throw new FootfallError('SOURCE_FAILED', `cannot write the Wi-Fi hash key file ${this.path}: ${(err as Error).message}`);
    }
  }
}
