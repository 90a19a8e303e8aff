// Mall-wide paths across boxes, end to end on a real Mosquitto: the same scene (20 people, four
// calibrated cameras with overlaps and a gap, detector noise) gives the same hourly `site.paths`
// whether one box stitches all four cameras or two boxes split them (cameras 1-2 on box-a, which
// stitches for the site, 3-4 on box-b, whose fragments travel over the broker through
// FragmentPublisher and FragmentSubscriber). box-a always runs a second ahead of box-b's
// fragments, so the equality also shows that network delay does not change the paths. Batches
// from a box the stitcher does not know, or with times far off, are dropped and counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../edge/shared/event-bus.ts';
import { silentLogger } from '../../edge/shared/log.ts';
import type { NewEvent } from '../../edge/shared/types.ts';
import { SitePathsStage, type FragmentBatch } from '../../edge/site-paths/index.ts';
import { sitePathsDataSchema, type SitePathsData } from '../contract/index.ts';
import { FragmentPublisher } from './fragment-publisher.ts';
import { FragmentSubscriber } from './fragment-subscriber.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { CameraRun, detectionsOf, FPS, sceneConfig, scenePeople } from './test-support/mall-scene.ts';
import { testConnection, waitFor } from './test-support/helpers.ts';

const HOUR = 3_600_000;
const HOUR_START = Date.UTC(2026, 11, 5, 10, 0, 0);
/** The scene (about 5 minutes) ends inside the hour; frames go on, empty, until a minute past it. */
const T0 = HOUR_START + HOUR - 420_000;
const END = HOUR_START + HOUR + 60_000;
const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
/** k = 1 so every cell is published and the two runs can be compared cell by cell. */
const PATHS = { k: 1, publishDelayS: 0 };

const scene = scenePeople(20, 7);
const detections = new Map(CAMERAS.map((c, i) => [c, detectionsOf(c, scene.tracks, 100 + i)]));

let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.dispose();
});

const clock = { now: T0 };

interface Box {
  stage: SitePathsStage;
  bus: EventBus;
  runs: CameraRun[];
  events: NewEvent[];
}

function boxOf(device: string, cameras: string[], sitePaths: Record<string, unknown>): Box {
  const config = sceneConfig(device, cameras, { ...PATHS, ...sitePaths });
  const bus = new EventBus();
  const events: NewEvent[] = [];
  const stage = new SitePathsStage({ bus, config, sink: { append: (e) => (events.push(e), '') }, logger: silentLogger(), now: () => clock.now });
  return { stage, bus, runs: cameras.map((c) => new CameraRun(config, c, detections.get(c)!)), events };
}

/** The agent's session of a box (a client id of its own per test, so a failed test cannot take over the next one's). */
function connectionOf(device: string, test: string): MqttConnection {
  return testConnection(broker.url, 'mall-1', device, `${test}-${device}`);
}

/** Plays the scene at FPS, every box's stage flushing once a second (in `boxes` order), then `afterSecond`; the stages keep running. */
async function play(boxes: Box[], afterSecond: () => Promise<void> = async () => undefined): Promise<void> {
  for (const b of boxes) await b.stage.start();
  const frames = Math.round(((END - T0) * FPS) / 1000);
  for (let f = 1; f <= frames; f++) {
    const ts = T0 + ((f - 1) * 1000) / FPS;
    clock.now = ts;
    for (const b of boxes) for (const r of b.runs) b.bus.emit('track.frame', r.step(f, ts));
    if (f % FPS === 0) {
      for (const b of boxes) b.stage.flush();
      await afterSecond();
    }
  }
}

function pathsOf(events: NewEvent[]): SitePathsData[] {
  const out = events.filter((e) => e.type === 'site.paths').map((e) => sitePathsDataSchema.parse(e.data));
  expect(out.map((d) => d.hourStartMs)).toEqual([HOUR_START]);
  return out;
}

const total = (rec: Record<string, number>) => Object.values(rec).reduce((a, b) => a + b, 0);

describe('site paths across two boxes over Mosquitto', () => {
  it('the same scene split over two boxes and one broker gives the same transitions and sequences as one box', async () => {
    // One box: all four cameras, stitched in the agent.
    const solo = boxOf('solo', CAMERAS, { role: 'local' });
    await play([solo]);
    await solo.stage.stop();
    const one = pathsOf(solo.events)[0]!;

    // Two boxes: box-a stitches (its own cameras in process, box-b's from the broker).
    const a = boxOf('box-a', ['cam-1', 'cam-2'], { role: 'local', boxes: ['box-b'] });
    const b = boxOf('box-b', ['cam-3', 'cam-4'], { role: 'broker' });
    const subscriber = new FragmentSubscriber({ site: 'mall-1', logger: silentLogger(), onBatch: (batch) => a.stage.acceptRemote(batch) });
    const publisher = new FragmentPublisher({ site: 'mall-1', device: 'box-b', logger: silentLogger(), expiryS: 30 });
    let published = 0;
    b.stage.publish = (batch: FragmentBatch) => {
      const ok = publisher.publish(batch);
      if (ok) published++;
      return ok;
    };
    const connA = connectionOf('box-a', 'same');
    const connB = connectionOf('box-b', 'same');
    connA.addListener(subscriber);
    connB.addListener(publisher);
    connA.start();
    connB.start();
    await broker.waitForSubscription('same-box-a', 'footfall/v1/mall-1/+/fragments');
    await waitFor('box-b connected', () => connB.state === 'connected');
    await new Promise((r) => setTimeout(r, 50));
    // box-a flushes (and stitches) first each second: box-b's batch of that second is still on its way.
    const arrived = () => waitFor("box-b's batch at box-a", () => subscriber.metrics.accepted === published, 10_000, 1);
    await play([a, b], arrived);
    await b.stage.stop();
    await arrived(); // box-b's last batch, from its stop
    const two = pathsOf(a.events)[0]!;
    expect(b.events).toEqual([]); // a broker box publishes no site.paths

    expect(published).toBeGreaterThan(400);
    expect(publisher.metrics).toMatchObject({ droppedOffline: 0, droppedBusy: 0, failedMessages: 0, encodeErrors: 0 });
    expect(subscriber.metrics).toMatchObject({ malformed: 0, handlerErrors: 0, accepted: published });
    expect(a.stage.health().metrics).toMatchObject({ droppedUnknownBox: 0, droppedClockSkew: 0 });

    expect(total(one.transitions)).toBeGreaterThanOrEqual(30);
    expect(total(one.sequences)).toBeGreaterThanOrEqual(10);
    expect(two.transitions).toEqual(one.transitions);
    expect(two.sequences).toEqual(one.sequences);
    expect(two.visits).toEqual(one.visits);
    expect(two.boxes).toEqual(['box-a', 'box-b']);
    await a.stage.stop();

    await subscriber.stop();
    await Promise.all([connA.stop(), connB.stop()]);
  });

  it('batches from a box the stitcher does not know, or with times far off, are dropped and counted', async () => {
    clock.now = T0;
    const a = boxOf('box-a', ['cam-1', 'cam-2'], { role: 'local', boxes: ['box-b'] });
    await a.stage.start();
    const subscriber = new FragmentSubscriber({ site: 'mall-1', logger: silentLogger(), onBatch: (batch) => a.stage.acceptRemote(batch) });
    const connA = connectionOf('box-a', 'drops');
    connA.addListener(subscriber);
    connA.start();
    await broker.waitForSubscription('drops-box-a', 'footfall/v1/mall-1/+/fragments');
    await new Promise((r) => setTimeout(r, 50));
    const senders = ['box-z', 'box-b'].map((device) => {
      const publisher = new FragmentPublisher({ site: 'mall-1', device, logger: silentLogger(), expiryS: 30 });
      const conn = connectionOf(device, 'drops');
      conn.addListener(publisher);
      conn.start();
      return { publisher, conn };
    });
    await waitFor('the senders connected', () => senders.every((s) => s.conn.state === 'connected'));
    const batch = (box: string, atMs: number): FragmentBatch => ({ box, upToMs: atMs, chunks: [{ box, camera: 'cam-3', fragment: 1, t: [atMs - 400, atMs - 200], x: [17, 17.2], y: [3, 3], ended: false }] });
    senders[0]!.publisher.publish(batch('box-z', T0)); // not in sitePaths.boxes
    senders[1]!.publisher.publish(batch('box-b', T0 - 2 * HOUR)); // a clock two hours behind
    senders[1]!.publisher.publish(batch('box-b', T0 + 5_000)); // fine
    await waitFor(`three batches at box-a (${JSON.stringify([subscriber.metrics, senders.map((s) => s.publisher.metrics)])})`, () => subscriber.metrics.accepted === 3, 3000);
    const h = a.stage.health();
    expect(h.metrics).toMatchObject({ droppedUnknownBox: 1, droppedClockSkew: 1, batchesStitched: 1 });
    expect(h.status).toBe('degraded');
    expect(h.detail).toMatch(/1 from unknown boxes, 1 with times off by more than 30 s/);
    await a.stage.stop();
    await subscriber.stop();
    await Promise.all([connA.stop(), ...senders.map((s) => s.conn.stop())]);
  });
});
