// The reference consumer's de-duplicator.
import { describe, expect, it } from 'vitest';
import { EventDeduplicator } from './event-consumer.ts';

describe('EventDeduplicator', () => {
  it('passes an id once and forgets the oldest past its capacity', () => {
    const d = new EventDeduplicator(2);
    expect(d.add('a')).toBe(true);
    expect(d.add('a')).toBe(false);
    d.add('b');
    d.add('c');
    expect(d.size).toBe(2);
    expect(d.add('a')).toBe(true);
  });
});
