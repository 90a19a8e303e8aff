// Checks a received payload against the contract: parses the JSON once and returns
// either the typed message or a one-line reason naming the bad field.
import type { z } from 'zod';
import { messageSchemas, type MessageKind } from './schemas.ts';

export type Validated<K extends MessageKind> =
  | { ok: true; value: z.output<(typeof messageSchemas)[K]> }
  | { ok: false; error: string };

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

/** Validates an already-parsed value. */
export function validateMessage<K extends MessageKind>(kind: K, value: unknown): Validated<K> {
  const result = messageSchemas[kind].safeParse(value);
  if (result.success) return { ok: true, value: result.data as z.output<(typeof messageSchemas)[K]> };
  const first = result.error.issues.slice(0, 3).map((i) => `${pathOf(i.path)}: ${i.message}`);
  return { ok: false, error: `${kind} message invalid: ${first.join('; ')}` };
}

/** Parses and validates a payload (Buffer or string). */
export function parseMessage<K extends MessageKind>(kind: K, payload: Buffer | string): Validated<K> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `${kind} message is not JSON: ${(err as Error).message}` };
  }
  return validateMessage(kind, value);
}
