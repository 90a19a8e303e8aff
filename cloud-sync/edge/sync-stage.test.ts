// SyncStage against a real Mosquitto and the real SQLite store: events arrive as
// valid v1 batches and are marked sent, the retained status says online and then
// offline, and the embedded broker serves local subscribers when no URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'mqtt';
import { join } from 'node:path';
import { silentLogger } from '../../edge/shared/log.ts';
import { parseMessage } from '../contract/index.ts';
import { SyncStage } from './sync-stage.ts';
import { Mosquitto, freePort } from '../test-support/mosquitto.ts';
import { Collector, mqttConfig, storeWith, tempDir, waitFor } from './test-support/helpers.ts';

let broker: Mosquitto;
const tmp = tempDir();

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.dispose();
  tmp.cleanup();
});

describe('SyncStage with Mosquitto', () => {
  it('publishes every stored event once, marks them sent, and reports status online then offline', async () => {
    const store = storeWith(join(tmp.dir, 'a.db'), 5_000);
    const collector = await Collector.start(broker.url);
    const stage = new SyncStage({
      store,
      config: { site: 'mall-1', device: 'box-a', mqtt: mqttConfig({ url: broker.url, batch: { maxEvents: 300 } }) },
      logger: silentLogger(),
      version: '9.9.9',
    });
    await stage.start();
    await stage.waitForDrain();
    await waitFor('all events at the collector', () => collector.unique === 5_000);
    expect(store.outbox.unsentCount()).toBe(0);
    expect(collector.invalid).toEqual([]);
    expect(collector.duplicates).toBe(0);
    expect(collector.batches).toBe(Math.ceil(5_000 / 300));
    const h = stage.health();
    expect(h.status).toBe('ok');
    expect(h.metrics).toMatchObject({ backlog: 0, oldestUnsentAgeMs: null, sentEvents: 5_000, connection: 'connected' });
    expect(collector.statuses[0]).toMatchObject({ state: 'online', site: 'mall-1', device: 'box-a', version: '9.9.9' });
    expect(collector.statuses[0]!.stages!.sync).toBeDefined();

    // New events appended while running are picked up by polling.
    store.append({ tsMs: Date.now(), type: 'line.cross', source: 'cam', data: { line: 'door', direction: 'in', trackId: 1 } });
    store.flush();
    await waitFor('the new event', () => collector.unique === 5_001);

    await stage.stop();
    await stage.stop();
    await waitFor('offline status', () => collector.statuses.some((s) => s.state === 'offline'));
    expect(collector.statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'shutdown' });
    expect(stage.health().status).toBe('stopped');
    await collector.stop();
    store.close();
  });

  it('the broker publishes the offline last will when the link dies without a goodbye', async () => {
    const store = storeWith(join(tmp.dir, 'b.db'), 10);
    const stage = new SyncStage({
      store,
      config: { site: 'mall-1', device: 'box-lwt', mqtt: mqttConfig({ url: broker.url, keepaliveS: 5 }) },
      logger: silentLogger(),
      version: '1.0.0',
    });
    await stage.start();
    await stage.waitForDrain();
    // Kill the session's socket under the client: the broker sees an unclean disconnect.
    const client = (stage as unknown as { connection: { connected: { stream: { destroy(): void } } } }).connection.connected;
    const watcher = await Collector.start(broker.url);
    await waitFor('retained online', () => watcher.statuses.some((s) => s.device === 'box-lwt' && s.state === 'online'));
    client.stream.destroy();
    await waitFor('last will', () => watcher.statuses.some((s) => s.device === 'box-lwt' && s.state === 'offline' && s.reason === 'connection-lost'));
    // ...and it reconnects and says online again.
    await waitFor('online again', () => watcher.statuses.filter((s) => s.device === 'box-lwt' && s.state === 'online').length >= 2, 10_000);
    await stage.stop();
    await watcher.stop();
    store.close();
  });
});

describe('embedded broker', () => {
  it('starts when no url is set and local subscribers receive the events', async () => {
    const port = await freePort();
    const store = storeWith(join(tmp.dir, 'c.db'), 1_000);
    const stage = new SyncStage({
      store,
      config: { site: 's', device: 'd', mqtt: mqttConfig({ embedded: { port } }) },
      logger: silentLogger(),
      version: '1.0.0',
    });
    await stage.start();
    expect(stage.brokerUrl).toBe(`mqtt://127.0.0.1:${port}`);
    const got = new Set<string>();
    const sub = connect(stage.brokerUrl!);
    sub.on('message', (_t, payload) => {
      const m = parseMessage('events', payload);
      if (m.ok) for (const e of m.value.events) got.add(e.id);
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('footfall/v1/+/+/events', { qos: 1 });
    // The store was drained before we subscribed: resync republishes everything.
    await stage.waitForDrain();
    await stage.outbox!.resync(0);
    await waitFor('1,000 events via the embedded broker', () => got.size === 1_000);
    await sub.endAsync();
    await stage.stop();
    store.close();
  });

  it('fails to start with a clear message when its port is taken', async () => {
    const store = storeWith(join(tmp.dir, 'd.db'), 1);
    const stage = new SyncStage({
      store,
      config: { site: 's', device: 'd', mqtt: mqttConfig({ embedded: { port: broker.port } }) },
      logger: silentLogger(),
      version: '1.0.0',
    });
    await expect(stage.start()).rejects.toThrow(/embedded MQTT broker cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    store.close();
  });
});
