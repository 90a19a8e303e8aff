// Turns one received MQTT message into something to write (an event batch, a counts
// minute, a device status) or a dead letter with a one-line reason. Checks run cheapest
// first: size, topic, allowed site, JSON, contract version, the v1 schema, payload vs
// topic, and a sane time window (a wild ts would otherwise create far-off partitions).
import { isValidEventBatch } from './fast-batch-check.ts';
import { CONTRACT_VERSION, parseTopic, validateMessage, type CountsMessage, type EventBatch, type StatusMessage } from '../contract/index.ts';

export interface ValidatorOptions {
  /** Messages larger than this are dead-lettered unread. */
  maxPayloadBytes: number;
  /** When set, only these sites are accepted; others are dead-lettered. */
  allowedSites?: ReadonlySet<string> | null;
  /** Accepted event/minute times relative to now. */
  maxAgeMs: number;
  maxFutureMs: number;
}

export type ValidatedMessage =
  | {
      kind: 'events';
      site: string;
      device: string;
      value: EventBatch;
      payload: string;
      /** Events split out of the batch (text jsonb cannot hold), as one batch to dead-letter; the rest is written. */
      rejected?: { reason: string; payload: Buffer };
    }
  | { kind: 'counts'; site: string; device: string; value: CountsMessage }
  | { kind: 'status'; site: string; device: string; value: StatusMessage }
  | { kind: 'dead'; reason: string };

function dead(reason: string): ValidatedMessage {
  return { kind: 'dead', reason };
}

export class MessageValidator {
  constructor(private readonly options: ValidatorOptions) {}

  validate(topic: string, payload: Buffer, nowMs: number = Date.now()): ValidatedMessage {
    const o = this.options;
    if (payload.length > o.maxPayloadBytes) return dead(`payload too large: ${payload.length} bytes > ${o.maxPayloadBytes}`);
    const t = parseTopic(topic);
    if (!t || (t.kind !== 'events' && t.kind !== 'counts' && t.kind !== 'status')) return dead('not a footfall v1 events, counts or status topic');
    if (o.allowedSites && !o.allowedSites.has(t.site)) return dead(`site "${t.site}" is not allowed`);
    const text = payload.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return dead(`not JSON: ${(err as Error).message}`);
    }
    if (value !== null && typeof value === 'object' && 'v' in value && (value as { v: unknown }).v !== CONTRACT_VERSION) {
      return dead(`unsupported contract version ${JSON.stringify((value as { v: unknown }).v)} (this consumer reads v${CONTRACT_VERSION})`);
    }
    // PostgreSQL's jsonb cannot hold U+0000 or an unpaired surrogate; a message holding one
    // would fail every retry. Both can only arrive as \u escapes, so only such texts are walked,
    // and in an event batch only the events holding one are split out (#27).
    const unstorable = text.includes('\\u') ? unstorableIn : null;
    if (unstorable && t.kind !== 'events') {
      const why = unstorable(value);
      if (why) return dead(`${why}, which PostgreSQL jsonb cannot store`);
    }
    const minMs = nowMs - o.maxAgeMs;
    const maxMs = nowMs + o.maxFutureMs;
    switch (t.kind) {
      case 'events': {
        let m: EventBatch;
        if (isValidEventBatch(value)) m = value as EventBatch;
        else {
          const r = validateMessage('events', value);
          if (!r.ok) return dead(r.error);
          m = r.value;
        }
        if (m.site !== t.site || m.device !== t.device) return dead(`payload site/device ${m.site}/${m.device} does not match the topic's ${t.site}/${t.device}`);
        for (let i = 0; i < m.events.length; i++) {
          const ts = m.events[i]!.ts;
          if (ts < minMs || ts > maxMs) return dead(`events[${i}].ts ${new Date(ts).toISOString()} is outside the accepted window`);
        }
        if (unstorable) {
          const reasons: string[] = [];
          const bad = new Set<number>();
          for (let i = 0; i < m.events.length; i++) {
            const why = unstorable(m.events[i]);
            if (why) {
              bad.add(i);
              reasons.push(`events[${i}] ${why}`);
            }
          }
          if (bad.size === m.events.length) return dead(`${reasons.join('; ')}, which PostgreSQL jsonb cannot store`);
          if (bad.size > 0) {
            const keep = { ...m, events: m.events.filter((_, i) => !bad.has(i)) };
            const drop = { ...m, events: m.events.filter((_, i) => bad.has(i)) };
            return {
              kind: 'events',
              site: t.site,
              device: t.device,
              value: keep,
              payload: JSON.stringify(keep),
              rejected: { reason: `${reasons.join('; ')}, which PostgreSQL jsonb cannot store (the other ${keep.events.length} events of the batch were written)`, payload: Buffer.from(JSON.stringify(drop)) },
            };
          }
        }
        return { kind: 'events', site: t.site, device: t.device, value: m, payload: text };
      }
      case 'counts': {
        const r = validateMessage('counts', value);
        if (!r.ok) return dead(r.error);
        const m = r.value;
        if (m.site !== t.site || m.device !== t.device) return dead(`payload site/device ${m.site}/${m.device} does not match the topic's ${t.site}/${t.device}`);
        if (m.minute < minMs || m.minute > maxMs) return dead(`minute ${new Date(m.minute).toISOString()} is outside the accepted window`);
        return { kind: 'counts', site: t.site, device: t.device, value: m };
      }
      default: {
        const r = validateMessage('status', value);
        if (!r.ok) return dead(r.error);
        const m = r.value;
        if (m.site !== t.site || m.device !== t.device) return dead(`payload site/device ${m.site}/${m.device} does not match the topic's ${t.site}/${t.device}`);
        return { kind: 'status', site: t.site, device: t.device, value: m };
      }
    }
  }
}

/** Why a parsed JSON value cannot be stored in jsonb (a U+0000 or an unpaired surrogate in a string or key), or null. */
function unstorableIn(value: unknown): string | null {
  if (typeof value === 'string') return unstorableText(value);
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const v of value) {
      const why = unstorableIn(v);
      if (why) return why;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const why = unstorableText(k) ?? unstorableIn(v);
    if (why) return why;
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorableText(s: string): string | null {
  if (s.includes('\u0000')) return 'contains U+0000';
  return LONE_SURROGATE.test(s) ? 'contains an unpaired surrogate' : null;
}
