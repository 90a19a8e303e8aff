// Commands over a real Mosquitto: resync republishes, reload-config and snapshot use
// the agent's hooks, and invalid, unknown, retained or oversized commands are refused
// with a result that says why. Home Assistant discovery announces count sensors.
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../edge/shared/log.ts';
import { defaultClientId } from './client-options.ts';
import { COUNTS_STATE_KEY } from './counts-publisher.ts';
import { deviceTopics, parseMessage, type CommandResult, type CountsMessage } from '../contract/index.ts';
import { SyncStage } from './sync-stage.ts';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { Collector, mqttConfig, storeWith, tempDir, waitFor } from './test-support/helpers.ts';

const tmp = tempDir();
let broker: Mosquitto;
let ops: MqttClient;
const results: CommandResult[] = [];
const snapshots: Array<{ topic: string; bytes: number; retain: boolean }> = [];
const topics = deviceTopics('mall', 'cmd-box');

beforeAll(async () => {
  broker = await Mosquitto.start();
  ops = connect(broker.url, { protocolVersion: 5 });
  await new Promise<void>((r) => ops.once('connect', () => r()));
  ops.on('message', (topic, payload, packet) => {
    if (topic.endsWith('/result')) {
      const m = parseMessage('commandResult', payload);
      if (!m.ok) throw new Error(m.error);
      results.push(m.value);
    } else if (topic.includes('/snapshot/')) snapshots.push({ topic, bytes: payload.length, retain: packet.retain });
  });
  await ops.subscribeAsync({ 'footfall/v1/+/+/cmd/+/result': { qos: 1 }, 'footfall/v1/+/+/snapshot/+': { qos: 1 } });
});
afterAll(async () => {
  await ops.endAsync();
  await broker.dispose();
  tmp.cleanup();
});

async function send(name: string, payload: string | Buffer, retain = false): Promise<CommandResult> {
  const before = results.length;
  await ops.publishAsync(topics.command(name), payload, { qos: 1, retain });
  await waitFor(`result of ${name}`, () => results.length > before);
  return results[results.length - 1]!;
}

describe('commands', () => {
  it('validates, runs once per id, and answers on cmd/{name}/result', async () => {
    const store = storeWith(join(tmp.dir, 'cmd.db'), 1_000);
    let reloads = 0;
    const stage = new SyncStage({
      store,
      config: { site: 'mall', device: 'cmd-box', mqtt: mqttConfig({ url: broker.url }) },
      logger: silentLogger(),
      version: '1.0.0',
      commands: {
        reloadConfig: async () => {
          reloads++;
          return { changed: ['mqtt.statusIntervalMs'] };
        },
        snapshot: async (camera) => ({ camera: camera ?? 'entrance-cam', tsMs: 1_700_000_000_000, jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) }),
      },
    });
    await stage.start();
    await stage.waitForDrain();
    await broker.waitForSubscription(defaultClientId('mall', 'cmd-box'), topics.commandFilter);
    const collector = await Collector.start(broker.url);

    const resync = await send('resync', JSON.stringify({ v: 1, id: 'r1', args: { from: 0 } }));
    expect(resync).toMatchObject({ id: 'r1', name: 'resync', ok: true, result: { fromMs: 0, events: 1_000 } });
    await waitFor('republished events', () => collector.unique === 1_000);
    // The same id again: answered again, not run again.
    const again = await send('resync', JSON.stringify({ v: 1, id: 'r1', args: { from: 0 } }));
    expect(again).toEqual(resync);
    await new Promise((r) => setTimeout(r, 300));
    expect(collector.unique).toBe(1_000);
    expect(collector.duplicates).toBe(0);

    expect(await send('resync', JSON.stringify({ v: 1, id: 'r2', args: { from: '2024-11-23T08:00:00Z' } }))).toMatchObject({ ok: true, result: { fromMs: Date.parse('2024-11-23T08:00:00Z') } });
    expect(await send('reload-config', JSON.stringify({ v: 1, id: 'c1' }))).toMatchObject({ ok: true, result: { changed: ['mqtt.statusIntervalMs'] } });
    expect(reloads).toBe(1);
    expect(await send('snapshot', JSON.stringify({ v: 1, id: 's1', args: { camera: 'door-cam' } }))).toMatchObject({
      ok: true,
      result: { camera: 'door-cam', bytes: 4, topic: topics.snapshot('door-cam') },
    });
    await waitFor('the snapshot image', () => snapshots.length === 1);
    expect(snapshots[0]).toEqual({ topic: topics.snapshot('door-cam'), bytes: 4, retain: false });

    // Refusals, each with a reason.
    expect(await send('resync', 'hello')).toMatchObject({ id: null, ok: false, error: expect.stringMatching(/^command message is not JSON/) });
    expect(await send('resync', JSON.stringify({ v: 1, id: 'bad1', args: { from: 'yesterday' } }))).toMatchObject({
      id: 'bad1',
      ok: false,
      error: expect.stringMatching(/^args\.from: /),
    });
    expect(await send('format-disk', JSON.stringify({ v: 1, id: 'u1' }))).toMatchObject({ ok: false, error: 'unknown command "format-disk"; known: resync, reload-config, snapshot' });
    expect(await send('snapshot', JSON.stringify({ v: 1, id: 'p1', args: { camera: '../etc' } }))).toMatchObject({ ok: false, error: expect.stringMatching(/^args\.camera: must be 1-64 characters/) });
    expect(await send('resync', Buffer.alloc(70_000, 0x20))).toMatchObject({ ok: false, error: expect.stringMatching(/too large/) });

    const h = stage.health();
    expect(h.metrics).toMatchObject({ commandsFailed: 5 });
    await stage.stop();
    await collector.stop();
    store.close();
  });

  it('a retained command is refused when it would replay at subscribe; MQTT 5 request/response works', async () => {
    const store = storeWith(join(tmp.dir, 'rr.db'), 10);
    await ops.publishAsync(topics.command('resync'), JSON.stringify({ v: 1, id: 'ret', args: { from: 0 } }), { qos: 1, retain: true });
    const before = results.length;
    const stage = new SyncStage({ store, config: { site: 'mall', device: 'cmd-box', mqtt: mqttConfig({ url: broker.url }) }, logger: silentLogger(), version: '1' });
    await stage.start();
    await waitFor('the refusal', () => results.length > before);
    expect(results[before]).toMatchObject({ id: null, ok: false, error: expect.stringMatching(/retained commands are refused/) });
    await ops.publishAsync(topics.command('resync'), '', { qos: 1, retain: true }); // clear it
    await stage.waitForDrain();
    await new Promise((r) => setTimeout(r, 200));
    const replies: Array<{ body: string; correlation: string | undefined }> = [];
    ops.on('message', (topic, payload, packet) => {
      if (topic === 'ops/replies/1') replies.push({ body: payload.toString(), correlation: packet.properties?.correlationData?.toString() });
    });
    await ops.subscribeAsync('ops/replies/1', { qos: 1 });
    await ops.publishAsync(topics.command('resync'), JSON.stringify({ v: 1, id: 'rr1', args: { from: Date.now() } }), {
      qos: 1,
      properties: { responseTopic: 'ops/replies/1', correlationData: Buffer.from('corr-7') },
    });
    await waitFor('the reply', () => replies.length === 1);
    expect(replies[0]!.correlation).toBe('corr-7');
    expect(JSON.parse(replies[0]!.body)).toMatchObject({ id: 'rr1', ok: true });
    await stage.stop();
    store.close();
  });
});

describe('commands keep their word (#27)', () => {
  it('a retained command published while the box is connected is refused, not run (MQTT 5)', async () => {
    const store = storeWith(join(tmp.dir, 'ret-live.db'), 10);
    const stage = new SyncStage({ store, config: { site: 'mall', device: 'ret-live', mqtt: mqttConfig({ url: broker.url }) }, logger: silentLogger(), version: '1' });
    const t = deviceTopics('mall', 'ret-live');
    await stage.start();
    await stage.waitForDrain();
    await broker.waitForSubscription(defaultClientId('mall', 'ret-live'), t.commandFilter);
    const before = results.length;
    await ops.publishAsync(t.command('resync'), JSON.stringify({ v: 1, id: 'ret-live-1', args: { from: 0 } }), { qos: 1, retain: true });
    await waitFor('the answer', () => results.length > before);
    await ops.publishAsync(t.command('resync'), '', { qos: 1, retain: true });
    expect(results[before]).toMatchObject({ ok: false, error: expect.stringMatching(/retained commands are refused/) });
    expect(results.filter((r) => r.id === 'ret-live-1')).toEqual([]);
    await stage.stop();
    store.close();
  });

  it('an MQTT 5 response topic inside footfall/ is not published to; the answer stays on cmd/{name}/result', async () => {
    const store = storeWith(join(tmp.dir, 'rt.db'), 10);
    const stage = new SyncStage({ store, config: { site: 'mall', device: 'rt-box', mqtt: mqttConfig({ url: broker.url }) }, logger: silentLogger(), version: '1' });
    const t = deviceTopics('mall', 'rt-box');
    await stage.start();
    await stage.waitForDrain();
    await broker.waitForSubscription(defaultClientId('mall', 'rt-box'), t.commandFilter);
    const spy = connect(broker.url, { protocolVersion: 5 });
    const onEvents: string[] = [];
    spy.on('message', (_topic, payload) => onEvents.push(payload.toString()));
    await spy.subscribeAsync(t.events, { qos: 1 });
    const before = results.length;
    await ops.publishAsync(t.command('resync'), JSON.stringify({ v: 1, id: 'rt1', args: { from: Date.now() + 86_400_000 } }), {
      qos: 1,
      properties: { responseTopic: t.events, correlationData: Buffer.from('x') },
    });
    await waitFor('the answer', () => results.length > before);
    expect(results[before]).toMatchObject({ id: 'rt1', ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(onEvents.filter((b) => b.includes('"rt1"'))).toEqual([]);
    expect(stage.health().metrics).toMatchObject({ responseTopicsRefused: 1 });
    await spy.endAsync();
    await stage.stop();
    store.close();
  });
});

describe('persistent session', () => {
  it.each([5, 4] as const)('a command sent while the box is offline runs when it reconnects (MQTT %i)', async (protocolVersion) => {
    const device = `offline-box-v${protocolVersion}`;
    const t = deviceTopics('mall', device);
    const store = storeWith(join(tmp.dir, `offline-${protocolVersion}.db`), 5);
    const make = () =>
      new SyncStage({ store, config: { site: 'mall', device, mqtt: mqttConfig({ url: broker.url, protocolVersion }) }, logger: silentLogger(), version: '1' });
    const first = make();
    await first.start();
    await first.waitForDrain();
    await broker.waitForSubscription(defaultClientId('mall', device), t.commandFilter);
    await first.stop();
    const before = results.length;
    await ops.publishAsync(t.command('resync'), JSON.stringify({ v: 1, id: `queued-${protocolVersion}`, args: { from: 0 } }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(results.length).toBe(before); // nobody ran it yet
    const second = make();
    await second.start();
    await waitFor('the queued command result', () => results.some((r) => r.id === `queued-${protocolVersion}`));
    expect(results.find((r) => r.id === `queued-${protocolVersion}`)).toMatchObject({ ok: true, result: { events: 5 } });
    await second.waitForDrain();
    expect(store.outbox.unsentCount()).toBe(0);
    await second.stop();
    store.close();
  });
});

describe('counts and Home Assistant discovery', () => {
  it('publishes closed minutes from the store and announces one sensor per count row', async () => {
    const store = storeWith(join(tmp.dir, 'ha.db'), 0);
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    store.append({ tsMs: minute + 1_000, type: 'line.cross', source: 'entrance-cam', data: { line: 'main-door', direction: 'in', trackId: 1 } });
    store.append({ tsMs: minute + 2_000, type: 'line.cross', source: 'entrance-cam', data: { line: 'main-door', direction: 'in', trackId: 2 } });
    store.append({ tsMs: minute + 3_000, type: 'zone.occupancy', source: 'atrium-cam', data: { zone: 'atrium', max: 14 } });
    store.flush();
    store.setState(COUNTS_STATE_KEY, String(minute));
    const counts: CountsMessage[] = [];
    const discovery = new Map<string, Record<string, unknown>>();
    const sub = connect(broker.url);
    sub.on('message', (topic, payload) => {
      if (topic.startsWith('homeassistant/')) discovery.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
      else {
        const m = parseMessage('counts', payload);
        if (!m.ok) throw new Error(m.error);
        counts.push(m.value);
      }
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync({ 'footfall/v1/+/+/counts': { qos: 1 }, 'homeassistant/#': { qos: 1 } });
    const stage = new SyncStage({
      store,
      config: { site: 'mall', device: 'ha-box', mqtt: mqttConfig({ url: broker.url, homeAssistant: { enabled: true }, counts: { graceMs: 0 } }) },
      logger: silentLogger(),
      version: '1.2.3',
    });
    await stage.start();
    await waitFor('two closed minutes', () => counts.length >= 2);
    expect(counts[0]!.minute).toBe(minute);
    expect(counts[0]!.counts).toEqual(
      expect.arrayContaining([
        { source: 'entrance-cam', subject: 'main-door', metric: 'in', n: 2, sum: 2, max: 1 },
        { source: 'atrium-cam', subject: 'atrium', metric: 'occupancy', n: 1, sum: 14, max: 14 },
      ]),
    );
    expect(counts[1]!).toMatchObject({ minute: minute + 60_000, counts: [] });
    await waitFor('the saved position', () => Number(store.getState(COUNTS_STATE_KEY)) >= minute + 120_000);
    await waitFor('two sensors', () => discovery.size === 2);
    const door = discovery.get('homeassistant/sensor/footfall_mall_ha-box/entrance-cam_main-door_in/config')!;
    expect(door).toMatchObject({
      state_topic: 'footfall/v1/mall/ha-box/counts',
      availability_topic: 'footfall/v1/mall/ha-box/status',
      payload_available: 'online',
      unique_id: 'footfall_mall_ha-box_entrance-cam_main-door_in',
      device: { identifiers: ['footfall_mall_ha-box'], sw_version: '1.2.3' },
    });
    expect(String(door.value_template)).toContain('r.subject == "main-door" and r.metric == "in"');
    expect(discovery.get('homeassistant/sensor/footfall_mall_ha-box/atrium-cam_atrium_occupancy/config')).toMatchObject({ unit_of_measurement: 'people' });
    await stage.stop();
    await sub.endAsync();
    store.close();
  });
});
