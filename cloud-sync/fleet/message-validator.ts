// Turns one received MQTT message into something to write (an event batch, a counts
// minute, a device status) or a dead letter with a one-line reason. Checks run cheapest
// first: size, topic, allowed site, JSON, contract version, the v1 schema, payload vs
// topic, and a sane time window (a wild ts would otherwise create far-off partitions).
// A box's clock offset is learned from its live status messages (status ts minus receive
// time); events and minutes of a box whose clock is off by more than `clockSkewMs` are moved
// by that offset before the window check, so a box running days fast is stored, not dead-lettered (#27).
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
  /** A box clock off by more than this (per its last live status) is corrected (default 60 s). */
  clockSkewMs?: number;
}

export type ValidatedMessage =
  | {
      kind: 'events';
      site: string;
      device: string;
      value: EventBatch;
      payload: string;
      /** Subtracted from the box's times (its clock offset, learned from its live status); 0 when its clock agrees. */
      clockOffsetMs: number;
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
  /** Per "site\u0000device": its clock minus ours at its last live status (0 within clockSkewMs). */
  private readonly clockOffsets = new Map<string, number>();

  constructor(private readonly options: ValidatorOptions) {}

  /** Boxes whose clock is corrected now. */
  get correctedDevices(): number {
    let n = 0;
    for (const v of this.clockOffsets.values()) if (v !== 0) n++;
    return n;
  }

  /** `retained`: the message was retained at the broker (an old status says nothing about the clock now). */
  validate(topic: string, payload: Buffer, nowMs: number = Date.now(), retained = false): ValidatedMessage {
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
    const deviceKey = `${t.site}\u0000${t.device}`;
    const known = this.clockOffsets.get(deviceKey);
    const offsetMs = known ?? 0;
    const window = (what: string, ts: number) =>
      `${what} ${new Date(ts).toISOString()} is outside the accepted window (${known === undefined ? 'no status from the box yet to learn its clock offset' : `box clock offset ${offsetMs} ms from its last live status`})`;
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
          const ts = m.events[i]!.ts - offsetMs;
          if (ts < minMs || ts > maxMs) return dead(window(`events[${i}].ts`, m.events[i]!.ts));
        }
        let outText = text;
        if (offsetMs !== 0) {
          m = { ...m, events: m.events.map((e) => ({ ...e, ts: e.ts - offsetMs })) };
          outText = JSON.stringify(m);
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
              clockOffsetMs: offsetMs,
              rejected: { reason: `${reasons.join('; ')}, which PostgreSQL jsonb cannot store (the other ${keep.events.length} events of the batch were written)`, payload: Buffer.from(JSON.stringify(drop)) },
            };
          }
        }
        return { kind: 'events', site: t.site, device: t.device, value: m, payload: outText, clockOffsetMs: offsetMs };
      }
      case 'counts': {
        const r = validateMessage('counts', value);
        if (!r.ok) return dead(r.error);
        const m = r.value;
        if (m.site !== t.site || m.device !== t.device) return dead(`payload site/device ${m.site}/${m.device} does not match the topic's ${t.site}/${t.device}`);
        // Minutes stay minute starts: the offset is applied in whole minutes.
        const minute = m.minute - Math.round(offsetMs / 60_000) * 60_000;
        if (minute < minMs || minute > maxMs) return dead(window('minute', m.minute));
        return { kind: 'counts', site: t.site, device: t.device, value: minute === m.minute ? m : { ...m, minute } };
      }
      default: {
        const r = validateMessage('status', value);
        if (!r.ok) return dead(r.error);
        const m = r.value;
        if (m.site !== t.site || m.device !== t.device) return dead(`payload site/device ${m.site}/${m.device} does not match the topic's ${t.site}/${t.device}`);
        // A live `online` status is built just before it is sent: its ts against our clock is the
        // box's clock offset (network delay is noise below clockSkewMs). A last will carries its
        // session's start and a retained status may be old: neither says anything about the clock now.
        if (m.state === 'online' && !retained) {
          const off = m.ts - nowMs;
          this.clockOffsets.set(deviceKey, Math.abs(off) > (o.clockSkewMs ?? 60_000) ? Math.round(off) : 0);
        }
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
