import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashKeyStore, keyPeriodStart } from './key-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function keyPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'footfall-key-'));
  dirs.push(d);
  return join(d, 'sub', 'wifi-hash.key');
}

describe('HashKeyStore', () => {
  it('keeps one key per local day in a 0600 file, reused after a restart, replaced at midnight', () => {
    const path = keyPath();
    const morning = new Date(2026, 2, 14, 9, 0).getTime();
    const evening = new Date(2026, 2, 14, 23, 59).getTime();
    const nextDay = new Date(2026, 2, 15, 0, 0, 1).getTime();
    const a = new HashKeyStore(path, 'daily');
    const k1 = Buffer.from(a.keyFor(morning));
    expect(k1.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(a.isStale(evening)).toBe(false);
    expect(a.keyFor(evening).equals(k1)).toBe(true);
    // A restart the same day reads the file.
    const b = new HashKeyStore(path, 'daily');
    expect(b.keyFor(evening).equals(k1)).toBe(true);
    // Midnight: a new key, and the file no longer holds the old one.
    expect(b.isStale(nextDay)).toBe(true);
    const k2 = Buffer.from(b.keyFor(nextDay));
    expect(k2.equals(k1)).toBe(false);
    expect(b.rotations).toBe(1);
    expect(readFileSync(path, 'utf8')).not.toContain(k1.toString('hex'));
    expect(readFileSync(path, 'utf8')).toContain(k2.toString('hex'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // A restart on a later day does not reuse a stale file.
    const c = new HashKeyStore(path, 'daily');
    expect(c.keyFor(nextDay + 86_400_000).equals(k2)).toBe(false);
  });

  it('computes period starts for hourly and never', () => {
    const t = new Date(2026, 2, 14, 9, 42, 7).getTime();
    expect(keyPeriodStart(t, 'hourly')).toBe(new Date(2026, 2, 14, 9, 0, 0).getTime());
    expect(keyPeriodStart(t, 'daily')).toBe(new Date(2026, 2, 14, 0, 0, 0).getTime());
    expect(keyPeriodStart(t, 'never')).toBe(0);
  });

  it('replaces a corrupt key file instead of failing', () => {
    const path = keyPath();
    new HashKeyStore(path, 'never').keyFor(0);
    writeFileSync(path, '{"periodStartMs":0,"key":"not hex"');
    const t = new HashKeyStore(path, 'never');
    const k = t.keyFor(1);
    expect(k.length).toBe(32);
    expect(readFileSync(path, 'utf8')).toContain(k.toString('hex'));
  });
});

describe('keyPeriodEnd', () => {
  it('is the next local midnight, the next hour, or never', async () => {
    const { keyPeriodEnd } = await import('./key-store.ts');
    const day = new Date(2026, 2, 14).getTime();
    expect(keyPeriodEnd(day, 'daily')).toBe(new Date(2026, 2, 15).getTime());
    expect(keyPeriodEnd(new Date(2026, 2, 14, 9).getTime(), 'hourly')).toBe(new Date(2026, 2, 14, 10).getTime());
    expect(keyPeriodEnd(0, 'never')).toBe(Infinity);
  });
});
