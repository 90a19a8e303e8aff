// Fragments across boxes over a real Mosquitto, each side on the agent's own MqttConnection:
// batches arrive in order and decoded; malformed messages are counted, never thrown; a broker
// that is down makes the publisher drop and count batches without blocking, and both sides
// carry on after it comes back.
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../edge/shared/log.ts';
import type { FragmentBatch } from '../../edge/site-paths/index.ts';
import { encodeFragmentBatch } from '../contract/index.ts';
import { FragmentPublisher } from './fragment-publisher.ts';
import { FragmentSubscriber, MAX_FRAGMENT_MESSAGE_BYTES } from './fragment-subscriber.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { SyncStage } from './sync-stage.ts';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { join } from 'node:path';
import { mqttConfig, storeWith, tempDir, testConnection, waitFor } from './test-support/helpers.ts';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.dispose();
});

const SITE = 'mall-1';
const T0 = Date.UTC(2026, 11, 5, 14, 0, 0);

function connectionOf(device: string): MqttConnection {
  return testConnection(broker.url, SITE, device, `footfall-${SITE}-${device}`);
}

function batchAt(box: string, second: number): FragmentBatch {
  const t = [0, 200, 400, 600, 800].map((d) => T0 + second * 1000 + d);
  return {
    box,
    upToMs: T0 + second * 1000 + 999,
    chunks: [{ box, camera: 'atrium-cam', fragment: 1, t, x: t.map((_, i) => 1.234 + second + i * 0.25), y: t.map(() => -7.891), ended: second === 2 }],
  };
}

async function stitcherSide(onBatch: (b: FragmentBatch) => void = () => undefined) {
  const received: Array<{ batch: FragmentBatch; atMs: number }> = [];
  const subscriber = new FragmentSubscriber({
    site: SITE,
    logger: silentLogger(),
    onBatch: (batch, atMs) => {
      onBatch(batch);
      received.push({ batch, atMs });
    },
  });
  const connection = connectionOf('north-box');
  connection.addListener(subscriber);
  const before = broker.subscriptionCount('footfall-mall-1-north-box', 'footfall/v1/mall-1/+/fragments');
  connection.start();
  await broker.waitForSubscription('footfall-mall-1-north-box', 'footfall/v1/mall-1/+/fragments', before);
  await new Promise((r) => setTimeout(r, 50)); // the SUBACK follows the broker's log line
  return { subscriber, connection, received };
}

async function publisherSide(device = 'south-box') {
  const publisher = new FragmentPublisher({ site: SITE, device, logger: silentLogger(), expiryS: 30 });
  const connection = connectionOf(device);
  connection.addListener(publisher);
  connection.start();
  await waitFor('the box connected', () => connection.state === 'connected');
  return { publisher, connection };
}

describe('fragments over Mosquitto', () => {
  it('batches arrive in order, decoded within 1 cm and 1 ms, with their receive time', async () => {
    const s = await stitcherSide();
    const p = await publisherSide();
    const sent = [0, 1, 2].map((k) => batchAt('south-box', k));
    for (const b of sent) expect(p.publisher.publish(b)).toBe(true);
    await waitFor('three batches', () => s.received.length === 3);
    await waitFor('three PUBACKs', () => p.publisher.metrics.batchesSent === 3);
    expect(s.received.map((r) => r.batch.upToMs)).toEqual(sent.map((b) => Math.floor(b.upToMs)));
    for (let k = 0; k < 3; k++) {
      const got = s.received[k]!.batch.chunks[0]!;
      const src = sent[k]!.chunks[0]!;
      expect([got.box, got.camera, got.fragment, got.ended]).toEqual(['south-box', 'atrium-cam', 1, k === 2]);
      for (let i = 0; i < src.t.length; i++) {
        expect(Math.abs(got.t[i]! - src.t[i]!)).toBeLessThanOrEqual(1);
        expect(Math.abs(got.x[i]! - src.x[i]!)).toBeLessThanOrEqual(0.01);
        expect(Math.abs(got.y[i]! - src.y[i]!)).toBeLessThanOrEqual(0.01);
      }
      expect(Math.abs(s.received[k]!.atMs - Date.now())).toBeLessThan(10_000);
    }
    expect(p.publisher.metrics).toMatchObject({ batchesSent: 3, messagesSent: 3, samplesSent: 15, droppedOffline: 0, failedMessages: 0 });
    expect(s.subscriber.metrics).toMatchObject({ received: 3, accepted: 3, malformed: 0 });
    await s.subscriber.stop();
    await Promise.all([s.connection.stop(), p.connection.stop()]);
  });

  it('malformed messages are counted and named, a failing stitcher is counted, and good batches still arrive', async () => {
    let fail = false;
    const s = await stitcherSide(() => {
      if (fail) throw new Error('stitcher bug');
    });
    const raw = await connect(broker.url, { clientId: 'intruder', protocolVersion: 5 }).on('error', () => undefined);
    await new Promise<void>((r) => raw.once('connect', () => r()));
    const topic = (device: string, site = SITE) => `footfall/v1/${site}/${device}/fragments`;
    const good = encodeFragmentBatch(SITE, batchAt('box-x', 0))[0]!;
    await raw.publishAsync(topic('box-x'), 'not json', { qos: 1 });
    await raw.publishAsync(topic('box-x'), JSON.stringify({ v: 1, site: SITE, device: 'box-x', upToMs: T0, chunks: [{ camera: 'c', fragment: 1, t0: T0, dt: [0], x: [1.5], y: [2], ended: false }] }), { qos: 1 });
    await raw.publishAsync(topic('box-y'), good, { qos: 1 }); // box-x's payload on box-y's topic
    await raw.publishAsync(topic('box-x'), Buffer.alloc(MAX_FRAGMENT_MESSAGE_BYTES + 1, 0x20), { qos: 1 });
    await raw.publishAsync(topic('box-x', 'mall-2'), good, { qos: 1 }); // another site: not ours, not subscribed
    fail = true;
    await raw.publishAsync(topic('box-x'), good, { qos: 1 });
    await waitFor('the handler error', () => s.subscriber.metrics.handlerErrors === 1);
    fail = false;
    await raw.publishAsync(topic('box-x'), good, { qos: 1 });
    await waitFor('the good batch', () => s.received.length === 1);
    expect(s.subscriber.metrics).toMatchObject({ received: 6, malformed: 4, handlerErrors: 1, accepted: 1 });
    expect(s.received[0]!.batch.box).toBe('box-x');
    expect(s.connection.state).toBe('connected');
    await raw.endAsync();
    await s.subscriber.stop();
    await s.connection.stop();
  });

  it('with the broker down the box drops and counts batches at once, and both sides resume when it is back', async () => {
    const s = await stitcherSide();
    const p = await publisherSide();
    expect(p.publisher.publish(batchAt('south-box', 0))).toBe(true);
    await waitFor('the first batch', () => s.received.length === 1);
    await broker.stop();
    await waitFor('the box saw the link go', () => p.connection.state !== 'connected');
    const started = performance.now();
    for (let k = 1; k <= 5; k++) expect(p.publisher.publish(batchAt('south-box', k))).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
    expect(p.publisher.metrics.droppedOffline).toBe(5);
    const before = broker.subscriptionCount('footfall-mall-1-north-box', 'footfall/v1/mall-1/+/fragments');
    await broker.restart();
    await waitFor('the box reconnected', () => p.connection.state === 'connected', 20_000);
    await broker.waitForSubscription('footfall-mall-1-north-box', 'footfall/v1/mall-1/+/fragments', before);
    await new Promise((r) => setTimeout(r, 50));
    expect(p.publisher.publish(batchAt('south-box', 6))).toBe(true);
    await waitFor('the batch after the restart', () => s.received.length === 2);
    expect(s.received[1]!.batch.upToMs).toBe(T0 + 6_999);
    await s.subscriber.stop();
    await Promise.all([s.connection.stop(), p.connection.stop()]);
  });

  it("SyncStage carries them on the agent's session: publishFragments on a broker box, onBatch on the stitcher, metrics in health", async () => {
    const tmp = tempDir();
    const got: FragmentBatch[] = [];
    const stage = (device: string, fragments: ConstructorParameters<typeof SyncStage>[0]['fragments']) =>
      new SyncStage({ store: storeWith(join(tmp.dir, `${device}.db`), 0), config: { site: SITE, device, mqtt: mqttConfig({ url: broker.url }) }, logger: silentLogger(), version: 'test', fragments });
    const stitcher = stage('sync-a', { onBatch: (b) => got.push(b) });
    const box = stage('sync-b', { publish: { expiryS: 30 } });
    const plain = stage('sync-c', undefined);
    await Promise.all([stitcher.start(), box.start(), plain.start()]);
    await broker.waitForSubscription('footfall-mall-1-sync-a', 'footfall/v1/mall-1/+/fragments');
    await waitFor('the broker box connected', () => box.health().metrics?.connection === 'connected');
    await new Promise((r) => setTimeout(r, 50));
    expect(box.publishFragments(batchAt('sync-b', 0))).toBe(true);
    expect(plain.publishFragments(batchAt('sync-c', 0))).toBe(false); // not a broker box: nothing to send with
    await waitFor('the batch at the stitcher', () => got.length === 1);
    await waitFor('its PUBACK', () => box.health().metrics?.fragmentBatchesSent === 1);
    expect(got[0]!.box).toBe('sync-b');
    expect(box.health().metrics).toMatchObject({ fragmentBatchesSent: 1, fragmentBatchesDropped: 0, fragmentMessagesFailed: 0 });
    expect(stitcher.health().metrics).toMatchObject({ fragmentBatchesReceived: 1, fragmentsMalformed: 0 });
    expect(plain.health().metrics).not.toHaveProperty('fragmentBatchesSent');
    await Promise.all([stitcher.stop(), box.stop(), plain.stop()]);
    tmp.cleanup();
  });
});
