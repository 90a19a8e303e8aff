// A hand-written check of an event batch that accepts exactly what the contract's zod
// schema (eventBatchSchema) accepts, about 3x cheaper per event than zod on this box.
// It only ever says "valid"; for anything else the caller runs zod, which also names
// the bad field. fast-batch-check.test.ts holds it to zod's verdict on mutated batches.
import { EVENT_ID_PATTERN, TOPIC_LEVEL_PATTERN } from '../contract/index.ts';

const MAX_EPOCH_MS = 8_640_000_000_000_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEpochMs(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_EPOCH_MS;
}

function isName(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1 && v.length <= 128;
}

/** True when `value` is certainly a valid v1 event batch. */
export function isValidEventBatch(value: unknown): boolean {
  if (!isRecord(value)) return false;
  let keys = 0;
  for (const k in value) {
    if (k !== 'v' && k !== 'site' && k !== 'device' && k !== 'events') return false;
    keys++;
  }
  if (keys !== 4 || value.v !== 1) return false;
  const { site, device, events } = value;
  if (typeof site !== 'string' || !TOPIC_LEVEL_PATTERN.test(site)) return false;
  if (typeof device !== 'string' || !TOPIC_LEVEL_PATTERN.test(device)) return false;
  if (!Array.isArray(events) || events.length === 0) return false;
  for (let i = 0; i < events.length; i++) {
    const e: unknown = events[i];
    if (!isRecord(e)) return false;
    let n = 0;
    for (const k in e) {
      if (k !== 'id' && k !== 'ts' && k !== 'type' && k !== 'source' && k !== 'data') return false;
      n++;
    }
    if (n !== 5) return false;
    if (typeof e.id !== 'string' || !EVENT_ID_PATTERN.test(e.id)) return false;
    if (!isEpochMs(e.ts) || !isName(e.type) || !isName(e.source) || !isRecord(e.data)) return false;
  }
  return true;
}
