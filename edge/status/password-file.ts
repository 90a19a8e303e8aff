// The operator password at rest: only an scrypt hash in a 0600 file under dataDir.
// On first start (no file) a random password is generated, hashed, and returned once so
// the stage can print it to the log; it is never stored or logged again.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FootfallError } from '../shared/errors.ts';

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Cost parameters (N=2^15, r=8, p=1: ~32 MB, ~50-100 ms on a small ARM box). */
const DEFAULT_PARAMS = { N: 32_768, r: 8, p: 1 };

function scrypt(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$saltB64$hashB64`: self-describing so the cost can be raised later. */
export async function hashPassword(password: string, params = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.trim().split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_BYTES) return false;
  const key = await scrypt(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A password an operator can type from a log line: 20 characters, ~119 bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

export interface LoadedPassword {
  hash: string;
  /** Set only when this call created the file: the one time the password is known. */
  generatedPassword: string | null;
}

/** Reads the hash file, creating it (0600) with a fresh password when missing. */
export async function loadOrCreatePasswordHash(file: string): Promise<LoadedPassword> {
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new FootfallError('FILE_NOT_FOUND', `cannot read status password hash ${file}: ${(err as Error).message}`);
    }
    if (!text.startsWith('scrypt$')) {
      throw new FootfallError('CONFIG_INVALID', `${file} is not a footfall password hash; delete it to generate a new password`);
    }
    // Tighten permissions left loose by a copy or restore.
    try {
      chmodSync(file, 0o600);
    } catch {
      // Read-only media: the hash is still only a hash.
    }
    return { hash: text.trim(), generatedPassword: null };
  }
  const password = generatePassword();
  const hash = await hashPassword(password);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${hash}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { hash, generatedPassword: password };
}
