// bench sync: events/s end to end at QoS 1 through store -> outbox -> local Mosquitto ->
// a subscriber, against a bare mqtt.js publisher sending the same batches (prebuilt,
// same in-flight window, no store) in the same run; plus the time to drain a
// 1,000,000-event backlog.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type MqttClient } from 'mqtt';
import { mqttSection } from '../../edge/config/index.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import { EventStore, synthesizeEvents } from '../../edge/store/index.ts';
import { EventBatchEncoder, SyncStage } from '../../cloud-sync/edge/index.ts';
import { Mosquitto } from '../../cloud-sync/test-support/mosquitto.ts';
import { machineInfo } from './machine.ts';
import type { BenchTarget } from './types.ts';

const SITE = 'bench';

/** Counts events arriving for one device; resolves when `expected` have arrived. */
async function subscriber(url: string, device: string, expected: number): Promise<{ done: Promise<number>; client: MqttClient }> {
  const client = connect(url, { clientId: `bench-sub-${device}` });
  await new Promise<void>((r) => client.once('connect', () => r()));
  let got = 0;
  let finish: (ms: number) => void = () => {};
  const done = new Promise<number>((r) => (finish = r));
  client.on('message', (_topic, payload) => {
    got += (JSON.parse(payload.toString()) as { events: unknown[] }).events.length;
    if (got >= expected) finish(performance.now());
  });
  await client.subscribeAsync(`footfall/v1/${SITE}/${device}/events`, { qos: 1 });
  return { done, client };
}

function mqttConfig(url: string, maxEvents: number, maxInFlight: number) {
  return mqttSection.parse({
    url,
    batch: { maxEvents },
    maxInFlight,
    counts: { enabled: false },
    commands: { enabled: false },
    pollIntervalMs: 10,
  });
}

async function ours(store: EventStore, url: string, device: string, n: number, maxEvents: number, maxInFlight: number): Promise<number> {
  store.outbox.rewindToTime(0);
  const sub = await subscriber(url, device, n);
  const stage = new SyncStage({ store, config: { site: SITE, device, mqtt: mqttConfig(url, maxEvents, maxInFlight) }, logger: silentLogger(), version: 'bench' });
  const t0 = performance.now();
  await stage.start();
  const t1 = await sub.done;
  await stage.stop();
  await sub.client.endAsync();
  return n / ((t1 - t0) / 1000);
}

/** The same batches, prebuilt outside the timing, published with the same in-flight window. */
async function bare(payloads: Buffer[], url: string, device: string, n: number, maxInFlight: number): Promise<number> {
  const sub = await subscriber(url, device, n);
  const t0 = performance.now();
  const client = connect(url, { clientId: `bench-bare-${device}`, protocolVersion: 5 });
  await new Promise<void>((r) => client.once('connect', () => r()));
  const topic = `footfall/v1/${SITE}/${device}/events`;
  await new Promise<void>((resolve) => {
    let next = 0;
    let inFlight = 0;
    const pump = () => {
      while (inFlight < maxInFlight && next < payloads.length) {
        inFlight++;
        client.publish(topic, payloads[next++]!, { qos: 1 }, () => {
          inFlight--;
          if (next === payloads.length && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const t1 = await sub.done;
  await client.endAsync();
  await sub.client.endAsync();
  return n / ((t1 - t0) / 1000);
}

function fillStore(path: string, n: number): EventStore {
  const store = EventStore.open({ path, flushMaxEvents: 10_000 });
  for (const e of synthesizeEvents({ count: n, seed: 11 })) store.append(e);
  store.flush();
  return store;
}

const target: BenchTarget = {
  name: 'sync',
  summary: 'outbox end to end to Mosquitto at QoS 1 vs a bare mqtt.js publisher (events/s), and 1M-event drain time',
  async run(ctx) {
    const n = Number(ctx.args.events ?? 200_000);
    const rounds = Number(ctx.args.rounds ?? 3);
    const drainN = Number(ctx.args['drain-events'] ?? 1_000_000);
    const maxEvents = Number(ctx.args['batch-events'] ?? 500);
    const maxInFlight = Number(ctx.args['in-flight'] ?? 8);
    const dir = mkdtempSync(join(ctx.cwd, '.bench-sync-'));
    const broker = await Mosquitto.start();
    const oursEps: number[] = [];
    const bareEps: number[] = [];
    let drainS = NaN;
    try {
      const store = fillStore(join(dir, 'a.db'), n);
      // The reference's batches: the same encoder, the same grouping, built before timing.
      const encoder = new EventBatchEncoder(SITE, 'x');
      const rows = store.outbox.unsentWireJson(0, n);
      const payloads: Buffer[] = [];
      for (let i = 0; i < rows.length; i += maxEvents) {
        const pieces = rows.slice(i, i + maxEvents).map((r) => r[1]);
        payloads.push(Buffer.from(encoder.prefix + pieces.join(',') + encoder.suffix));
      }
      for (let r = 0; r < rounds; r++) {
        bareEps.push(await bare(payloads, broker.url, `bare-${r}`, n, maxInFlight));
        oursEps.push(await ours(store, broker.url, `ours-${r}`, n, maxEvents, maxInFlight));
        ctx.log(`round ${r + 1}: outbox ${Math.round(oursEps[r]!)} ev/s, bare mqtt.js ${Math.round(bareEps[r]!)} ev/s`);
      }
      store.close();
      if (drainN > 0) {
        ctx.log(`filling a store with ${drainN} events...`);
        const big = fillStore(join(dir, 'drain.db'), drainN);
        const sub = await subscriber(broker.url, 'drain', drainN);
        const stage = new SyncStage({ store: big, config: { site: SITE, device: 'drain', mqtt: mqttConfig(broker.url, maxEvents, maxInFlight) }, logger: silentLogger(), version: 'bench' });
        const t0 = performance.now();
        await stage.start();
        await stage.waitForDrain();
        const t1 = await sub.done;
        drainS = (t1 - t0) / 1000;
        await stage.stop();
        await sub.client.endAsync();
        if (big.outbox.unsentCount() !== 0) throw new Error(`drain left ${big.outbox.unsentCount()} events unsent`);
        big.close();
        ctx.log(`drained ${drainN} events in ${drainS.toFixed(1)} s`);
      }
    } finally {
      await broker.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    const o = Math.max(...oursEps);
    const b = Math.max(...bareEps);
    const results = [
      {
        name: `${n} events store -> outbox -> Mosquitto -> subscriber, QoS 1, ${maxEvents}/batch, ${maxInFlight} in flight`,
        unit: 'events/s',
        ours: Math.round(o),
        reference: Math.round(b),
        referenceName: 'bare mqtt.js publisher, same prebuilt batches, same in-flight window, no store',
        ratio: Number((o / b).toFixed(3)),
        target: '>= 0.7 and >= 20000 events/s',
        pass: o / b >= 0.7 && o >= 20_000,
      },
    ];
    if (drainN > 0) {
      results.push({
        name: `drain a ${drainN}-event backlog to Mosquitto (QoS 1, acknowledged and marked sent)`,
        unit: 's',
        ours: Number(drainS.toFixed(1)),
        reference: Number((drainN / b).toFixed(1)),
        referenceName: 'the same count at the bare publisher rate measured above',
        ratio: Number((drainN / b / drainS).toFixed(3)),
        target: '<= 50 s (>= 20000 events/s)',
        pass: drainS <= drainN / 20_000,
      });
    }
    return { target: 'sync', machine: machineInfo(), results, notes: ['Mosquitto 2 on loopback, started by the bench; subscriber parses every batch.'] };
  },
};

export default target;
