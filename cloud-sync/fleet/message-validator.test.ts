import { describe, expect, it } from 'vitest';
import { MessageValidator } from './message-validator.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const v = new MessageValidator({ maxPayloadBytes: 4096, allowedSites: new Set(['mall-1']), maxAgeMs: 86_400_000, maxFutureMs: 3_600_000 });
const ID = '019ab0c0-0000-7000-8000-000000000001';
const batch = (over: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ v: 1, site: 'mall-1', device: 'box-1', events: [{ id: ID, ts: NOW - 1000, type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in' } }], ...over }));
const T = 'footfall/v1/mall-1/box-1/events';

function reason(topic: string, payload: Buffer): string {
  const r = v.validate(topic, payload, NOW);
  if (r.kind !== 'dead') throw new Error(`expected a dead letter, got ${r.kind}`);
  return r.reason;
}

describe('MessageValidator', () => {
  it('accepts a v1 event batch and keeps the received JSON text', () => {
    const r = v.validate(T, batch(), NOW);
    expect(r.kind).toBe('events');
    if (r.kind === 'events') {
      expect(r.value.events[0]!.id).toBe(ID);
      expect(JSON.parse(r.payload).device).toBe('box-1');
    }
  });

  it('names the reason for each kind of bad message', () => {
    expect(reason(T, Buffer.from('{"v":1,'))).toMatch(/^not JSON/);
    expect(reason(T, batch({ v: 2 }))).toMatch(/unsupported contract version 2/);
    expect(reason(T, Buffer.alloc(5000, 0x20))).toMatch(/payload too large: 5000 bytes > 4096/);
    expect(reason('footfall/v1/mall-9/box-1/events', batch({ site: 'mall-9' }))).toMatch(/site "mall-9" is not allowed/);
    expect(reason(T, batch({ device: 'box-2' }))).toMatch(/does not match the topic/);
    expect(reason(T, batch({ events: [{ id: 'not-a-uuid', ts: NOW, type: 't', source: 's', data: {} }] }))).toMatch(/events\[0\]\.id/);
    expect(reason(T, batch({ events: [{ id: ID, ts: NOW + 7_200_000, type: 't', source: 's', data: {} }] }))).toMatch(/outside the accepted window/);
    expect(reason(T, Buffer.from(JSON.stringify({ v: 1, site: 'mall-1', device: 'box-1', events: [{ id: ID, ts: NOW, type: 't', source: 's', data: { x: '\u0000' } }] })))).toMatch(/events\[0\] contains U\+0000/);
    expect(reason('footfall/v1/mall-1/box-1/cmd/resync', batch())).toMatch(/not a footfall v1/);
  });

  it('validates counts and status messages against the contract', () => {
    const counts = { v: 1, site: 'mall-1', device: 'box-1', minute: NOW - 60_000, counts: [{ source: 'cam', subject: 'door', metric: 'in', n: 3, sum: 3, max: 1 }] };
    expect(v.validate('footfall/v1/mall-1/box-1/counts', Buffer.from(JSON.stringify(counts)), NOW).kind).toBe('counts');
    expect(reason('footfall/v1/mall-1/box-1/counts', Buffer.from(JSON.stringify({ ...counts, minute: NOW - 59_999 })))).toMatch(/minute/);
    const status = { v: 1, site: 'mall-1', device: 'box-1', state: 'online', ts: NOW, version: '1.0.0', startedAt: NOW - 5000 };
    expect(v.validate('footfall/v1/mall-1/box-1/status', Buffer.from(JSON.stringify(status)), NOW).kind).toBe('status');
    expect(reason('footfall/v1/mall-1/box-1/status', Buffer.from(JSON.stringify({ ...status, state: 'sleeping' })))).toMatch(/state/);
  });

  it('learns a box clock offset only from a live online status: not a retained one, not a last will (#27)', () => {
    const w = new MessageValidator({ maxPayloadBytes: 4096, maxAgeMs: 86_400_000, maxFutureMs: 3_600_000 });
    const FAST = 2 * 86_400_000;
    const status = (state: string, ts: number) => Buffer.from(JSON.stringify({ v: 1, site: 'mall-1', device: 'box-1', state, ts, version: '1.0.0', startedAt: ts - 5000 }));
    const ahead = batch({ events: [{ id: ID, ts: NOW + FAST, type: 't', source: 's', data: {} }] });
    const S = 'footfall/v1/mall-1/box-1/status';
    w.validate(S, status('online', NOW + FAST), NOW, true);
    w.validate(S, status('offline', NOW + FAST), NOW);
    expect(w.validate(T, ahead, NOW)).toMatchObject({ kind: 'dead', reason: expect.stringMatching(/no status from the box yet/) });
    w.validate(S, status('online', NOW + FAST + 300), NOW);
    expect(w.correctedDevices).toBe(1);
    const r = w.validate(T, ahead, NOW);
    expect(r).toMatchObject({ kind: 'events', clockOffsetMs: FAST + 300 });
    if (r.kind === 'events') expect(JSON.parse(r.payload).events[0].ts).toBe(NOW - 300);
    // The box fixed its clock: nothing is moved any more.
    w.validate(S, status('online', NOW + 20), NOW);
    expect(w.correctedDevices).toBe(0);
    expect(w.validate(T, batch(), NOW)).toMatchObject({ kind: 'events', clockOffsetMs: 0 });
  });
});
