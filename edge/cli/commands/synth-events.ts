// `footfall synth-events`: fills a store with realistic synthetic events.
import { resolve } from 'node:path';
import { defineCommand, numberOption, requireString } from '../command.ts';

export default defineCommand({
  name: 'synth-events',
  summary: 'write N realistic synthetic events (mixed types) into a store, for tests and benchmarks',
  usage: ['synth-events --db FILE --count N [--seed S] [--span-hours H]'],
  options: {
    db: { type: 'string', valueName: 'FILE', description: 'SQLite store to write (created if missing)' },
    count: { type: 'string', valueName: 'N', description: 'number of events' },
    seed: { type: 'string', valueName: 'S', description: 'random seed', default: '1' },
    'span-hours': { type: 'string', valueName: 'H', description: 'events spread over the last H hours', default: '24' },
  },
  async run(ctx) {
    const db = resolve(ctx.cwd, requireString(ctx.values, 'db'));
    const count = numberOption(ctx.values, 'count', NaN, 1, 100_000_000, true);
    if (Number.isNaN(count)) throw new (await import('../command.ts')).UsageError('--count is required');
    const seed = numberOption(ctx.values, 'seed', 1, 0, 2 ** 32 - 1, true);
    const spanMs = numberOption(ctx.values, 'span-hours', 24, 0.001, 24 * 3650) * 3_600_000;
    const { EventStore, synthesizeEvents } = await import('../../store/index.ts');
    const store = EventStore.open({ path: db, flushMaxEvents: 5_000, logger: ctx.logger });
    const t0 = performance.now();
    try {
      for (const e of synthesizeEvents({ count, seed, spanMs, startMs: Date.now() - spanMs })) store.append(e);
    } finally {
      store.close();
    }
    const s = (performance.now() - t0) / 1000;
    ctx.stdout.write(`wrote ${count} events to ${db} in ${s.toFixed(2)} s\n`);
    return 0;
  },
});
