// Soak (#27): an hour of simulated time on the agent's clock model with a forward and a
// backward wall-clock step, retention running every simulated minute with a 14-minute
// retention period and deleteUnsent false while the broker is away. Nothing is lost
// (the sync stage then drains every stored event to a real Mosquitto) and no row is
// stamped ahead of the wall clock at the moment it was written.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonotonicClock, SimulatedTime } from '../../edge/shared/clock.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import { EventStore } from '../../edge/store/index.ts';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { SyncStage } from './sync-stage.ts';
import { Collector, mqttConfig, tempDir, waitFor } from './test-support/helpers.ts';

const tmp = tempDir('footfall-soak-');
let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.dispose();
  tmp.cleanup();
});

describe('clock soak', () => {
  it('an hour with a +2 h and a -3 h wall-clock step loses no event and writes none in the future', async () => {
    const T0 = Date.UTC(2026, 2, 7, 9, 0, 0);
    const t = new SimulatedTime(T0);
    const clock = new MonotonicClock({ wallNow: t.wallNow, monotonicNow: t.monotonicNow });
    const path = join(tmp.dir, 'soak.db');
    const store = EventStore.open({ path, clock, retention: { days: 0.01, maxSizeMb: 1000, intervalMs: 60_000, deleteUnsent: false } });
    let ahead = 0;
    let maxWallAtWrite = 0;
    const SECONDS = 3600;
    for (let s = 0; s < SECONDS; s++) {
      if (s === 1200) t.step(2 * 3_600_000);
      if (s === 2400) t.step(-3 * 3_600_000);
      const tsMs = clock.now();
      if (tsMs > t.wallMs) ahead++;
      maxWallAtWrite = Math.max(maxWallAtWrite, t.wallMs);
      store.append({ tsMs, type: 'line.cross', source: 'cam', data: { line: 'door', direction: s % 2 ? 'in' : 'out', trackId: s } });
      t.advance(1_000);
      if (s % 60 === 59) {
        store.flush();
        expect(store.runRetention().deletedUnsent).toBe(0);
      }
    }
    store.flush();
    expect(clock.jumps).toMatchObject({ forward: 1, backward: 1 });
    expect(ahead).toBe(0);
    expect(store.eventCount()).toBe(SECONDS);
    expect(store.metrics.deletedUnsent).toBe(0);
    // Per-minute aggregates (aged out by retention like events, being no outbox data): none in a
    // minute after the latest wall time seen at a write.
    const rows = store.countsBetween(0, Number.MAX_SAFE_INTEGER);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.minute).toBeLessThanOrEqual(maxWallAtWrite);

    const collector = await Collector.start(broker.url);
    const stage = new SyncStage({ store, config: { site: 'mall', device: 'soak-box', mqtt: mqttConfig({ url: broker.url }) }, logger: silentLogger(), version: '1' });
    await stage.start();
    await waitFor('every stored event upstream', () => collector.unique === SECONDS, 60_000);
    await stage.waitForDrain();
    expect(store.outbox.unsentCount()).toBe(0);
    await stage.stop();
    await collector.stop();
    store.close();
  }, 120_000);
});
