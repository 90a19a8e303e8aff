// The live view with real frames: PETS09-S2L1 decoded by ffmpeg in the camera stage's
// letterboxed layout, its ground-truth persons as detections and tracks. Checks snapshots
// (aspect, padding removed, only while watched, throttled), SSE overlays and counts.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { contentRectOf } from './frame-content.ts';
import { pointInPolygon } from '../shared/geometry.ts';
import { LiveView } from './live-view.ts';
import { login, startHarness, type Harness, type LoggedIn } from './testing/harness.ts';
import { decodePetsFrames, emitPetsFrame, SOURCE_H, SOURCE_W, type PetsFrames } from './testing/pets-frames.ts';

let pets: PetsFrames;
beforeAll(() => {
  pets = decodePetsFrames(12);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads a server-sent event stream message by message. Each call hands messages to `onMessage`
 * until it returns true, the stream ends or `ms` pass; unread messages wait for the next call.
 */
function sseReader(body: ReadableStream<Uint8Array>): (onMessage: (event: string, data: string) => boolean, ms: number) => Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return async (onMessage, ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const msg = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.+)$/m.exec(msg)?.[1];
        const data = /^data: (.+)$/m.exec(msg)?.[1];
        if (event && data && onMessage(event, data)) return;
      }
      if (Date.now() >= deadline) return;
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
    }
  };
}

describe('frame content', () => {
  it('finds the picture inside a centred letterbox of a real frame', () => {
    expect(contentRectOf(pets.frames[0]!, 640, 640, SOURCE_W, SOURCE_H)).toEqual({ left: 0, top: 80, width: 640, height: 480 });
  });
  it('tells a top-left letterbox and a stretched frame apart', () => {
    const topLeft = Buffer.alloc(640 * 640 * 3, 114);
    pets.frames[0]!.copy(topLeft, 0, 80 * 640 * 3, 560 * 640 * 3);
    expect(contentRectOf(topLeft, 640, 640, SOURCE_W, SOURCE_H)).toEqual({ left: 0, top: 0, width: 640, height: 480 });
    const stretched = Buffer.from(pets.frames[0]!);
    pets.frames[1]!.copy(stretched, 0, 200 * 640 * 3, 280 * 640 * 3);
    pets.frames[1]!.copy(stretched, 560 * 640 * 3, 200 * 640 * 3, 280 * 640 * 3);
    expect(contentRectOf(stretched, 640, 640, SOURCE_W, SOURCE_H)).toEqual({ left: 0, top: 0, width: 640, height: 640 });
  });
  it('counts a foot point inside a zone polygon', () => {
    const poly: Array<[number, number]> = [[0, 0], [10, 0], [10, 10], [0, 10]];
    expect(pointInPolygon(5, 5, poly)).toBe(true);
    expect(pointInPolygon(15, 5, poly)).toBe(false);
  });
});

describe('LiveView snapshots', () => {
  it('encodes nothing while nobody watches, then at most one snapshot per interval', async () => {
    let t = 1_000_000;
    const bus = new EventBus();
    const live = new LiveView(bus, { snapshotIntervalMs: 1_000, trailPoints: 4, blurPersons: false, now: () => t }, silentLogger());
    live.start('test');
    for (let i = 0; i < 5; i++) emitPetsFrame(bus, 'cam', pets, i, (t += 100));
    await sleep(50);
    expect(live.snapshotsEncoded).toBe(0);
    expect(live.camera('cam')!.framesSeen).toBe(5);
    live.setWatchers(1);
    for (let i = 0; i < 25; i++) {
      emitPetsFrame(bus, 'cam', pets, i, (t += 100));
      await sleep(10);
    }
    await sleep(300);
    // 2.5 s of frames at a 1 s interval.
    expect(live.snapshotsEncoded).toBeGreaterThanOrEqual(2);
    expect(live.snapshotsEncoded).toBeLessThanOrEqual(3);
    const snap = live.camera('cam')!.snapshot!;
    const meta = await sharp(snap.jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', SOURCE_W, SOURCE_H]);
    // The letterbox padding is gone: the top rows are picture, not flat grey.
    const { data } = await sharp(snap.jpeg).extract({ left: 0, top: 0, width: SOURCE_W, height: 4 }).raw().toBuffer({ resolveWithObject: true });
    let min = 255;
    let max = 0;
    for (const v of data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(max - min).toBeGreaterThan(40);
    // Nobody watching any more: after the grace period no more encoding.
    live.setWatchers(0);
    t += 20_000;
    const before = live.snapshotsEncoded;
    for (let i = 0; i < 5; i++) emitPetsFrame(bus, 'cam', pets, i, (t += 1_000));
    await sleep(100);
    expect(live.snapshotsEncoded).toBe(before);
    bus.removeOwner('test');
  });

  it('blurs persons when asked', async () => {
    const bus = new EventBus();
    const views = [false, true].map((blurPersons) => {
      const v = new LiveView(bus, { snapshotIntervalMs: 200, trailPoints: 0, blurPersons }, silentLogger());
      v.start(`blur-${blurPersons}`);
      v.setWatchers(1);
      return v;
    });
    emitPetsFrame(bus, 'cam', pets, 0, 0); // detections arrive after the frame: the next frame uses them
    await sleep(300);
    emitPetsFrame(bus, 'cam', pets, 0, 1);
    await sleep(400);
    const [plain, blurred] = await Promise.all(views.map((v) => sharp(v.camera('cam')!.snapshot!.jpeg).raw().toBuffer()));
    // Compare the first person's box: blur removes detail (lower variance of neighbour differences).
    const [, x, y, w, h] = pets.boxes[0]![0]!;
    const detail = (buf: Buffer) => {
      let sum = 0;
      for (let yy = Math.floor(y); yy < y + h - 1; yy++) for (let xx = Math.floor(x); xx < x + w - 1; xx++) sum += Math.abs(buf[(yy * SOURCE_W + xx) * 3]! - buf[(yy * SOURCE_W + xx + 1) * 3]!);
      return sum;
    };
    expect(detail(blurred!)).toBeLessThan(detail(plain!) * 0.6);
  });
});

describe('live stream (SSE)', () => {
  let h: Harness;
  let s: LoggedIn;
  beforeAll(async () => {
    h = await startHarness({ status: { snapshotIntervalMs: 200, livePushIntervalMs: 100 } });
    s = await login(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pushes boxes, track ids, trails, zone occupancy and counts, and serves the snapshot', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.baseUrl}/api/live`, { headers: { cookie: s.cookie }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    h.store.append({ tsMs: Date.now(), type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in', trackId: 1 } });
    h.store.flush();
    let i = 0;
    const timer = setInterval(() => emitPetsFrame(h.bus, 'entrance', pets, i++, Date.now()), 100);
    const read = sseReader(res.body!);
    let camera: { snapshotSeq: number; tracks: Array<{ id: number; trail: number[] }>; detections: number[][]; zones: Record<string, number>; sourceWidth: number } | null = null;
    let counts: { lines: Record<string, Record<string, { in: number; out: number }>> } | null = null;
    try {
      await read((event, data) => {
        if (event === 'camera') camera = JSON.parse(data);
        if (event === 'counts') counts = JSON.parse(data);
        return !!(camera && camera.snapshotSeq > 0 && camera.tracks.some((t) => t.trail.length >= 6) && counts);
      }, 10_000);
    } finally {
      clearInterval(timer);
    }
    expect(camera).not.toBeNull();
    expect(camera!.sourceWidth).toBe(SOURCE_W);
    expect(camera!.detections.length).toBeGreaterThan(0);
    expect(camera!.tracks.length).toBe(camera!.detections.length);
    const ids = new Set(pets.boxes.flat().map((b) => b[0]));
    expect(camera!.tracks.every((t) => ids.has(t.id))).toBe(true);
    expect(camera!.tracks.some((t) => t.trail.length >= 6)).toBe(true);
    expect(typeof camera!.zones.lobby).toBe('number');
    expect(counts!.lines.entrance!.door).toEqual({ in: 1, out: 0 });
    expect(h.stage.health().metrics!.liveClients).toBe(1);
    const snap = await fetch(`${h.baseUrl}/api/cameras/entrance/snapshot.jpg?seq=${camera!.snapshotSeq}`, { headers: { cookie: s.cookie } });
    expect(snap.status).toBe(200);
    expect(snap.headers.get('content-type')).toBe('image/jpeg');
    expect(snap.headers.get('cache-control')).toBe('private, no-store');
    expect((await sharp(Buffer.from(await snap.arrayBuffer())).metadata()).width).toBe(SOURCE_W);

    // The motion gate's debug layer: a frame the gate skipped, with one motion box (source px).
    const motionBoxes = new Float32Array([100.4, 50, 40, 80]);
    h.bus.emit('detect.frame', { camera: 'entrance', tsMs: Date.now(), frameIndex: 999, width: SOURCE_W, height: SOURCE_H, count: 0, boxes: new Float32Array(0), scores: new Float32Array(0), gate: 'skipped', motionCount: 1, motionBoxes });
    let debug: { gate: string | null; motion: number[][]; detections: number[][] } | null = null;
    await read((event, data) => {
      if (event === 'camera') debug = JSON.parse(data);
      return debug?.gate === 'skipped';
    }, 5_000);
    expect(debug).toEqual(expect.objectContaining({ gate: 'skipped', motion: [[100, 50, 40, 80]], detections: [] }));
    ac.abort();
    await sleep(100);
    expect(h.stage.health().metrics!.liveClients).toBe(0);
  });
});
