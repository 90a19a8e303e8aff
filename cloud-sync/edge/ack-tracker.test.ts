// PUBACKs out of order: the durable position moves only over the contiguous prefix of
// settled batches; batches acknowledged past a gap wait in memory and survive a rewind.
import { describe, expect, it } from 'vitest';
import { AckTracker } from './ack-tracker.ts';

describe('AckTracker', () => {
  it('advances over the contiguous settled prefix only, whatever order PUBACKs arrive in', () => {
    const t = new AckTracker();
    const a = t.add(1, 10);
    const b = t.add(11, 20);
    const c = t.add(23, 30); // 21-22 held or missing: not a gap in what was read
    expect(t.settle(c)).toBeNull();
    expect(t.settle(b)).toBeNull();
    expect(t.settle(a)).toBe(30);
    expect(t.size).toBe(0);
    const d = t.add(31, 40);
    const e = t.add(41, 50);
    expect(t.settle(d)).toBe(40);
    expect(t.settle(e)).toBe(50);
  });

  it('a failed batch blocks the position; a rewind drops it and keeps ranges settled past it', () => {
    const t = new AckTracker();
    const a = t.add(1, 10);
    const b = t.add(11, 20);
    const c = t.add(21, 30);
    t.add(31, 40); // in flight when the link went down
    t.fail(a);
    expect(t.settle(c)).toBeNull();
    expect(t.settle(b)).toBeNull();
    t.rewind(0);
    expect(t.size).toBe(2);
    // The next read must stop before the first settled range, then step over both.
    expect(t.settledAfter(0)).toMatchObject({ firstSeq: 11, lastSeq: 20 });
    expect(t.settledAfter(20)).toMatchObject({ firstSeq: 21, lastSeq: 30 });
    expect(t.settledAfter(30)).toBeNull();
    // Resent as single events, inserted in seq order before the kept ranges.
    const one = t.add(1, 1);
    const rest = t.add(2, 10);
    expect(t.settle(rest)).toBeNull();
    expect(t.settle(one)).toBe(30);
  });

  it('a rewind forgets ranges at or below the durable position', () => {
    const t = new AckTracker();
    const a = t.add(1, 10);
    t.add(11, 20);
    t.settle(t.add(21, 30));
    t.settle(a);
    t.rewind(30);
    expect(t.size).toBe(0);
  });
});
