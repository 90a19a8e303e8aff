// Real ffmpeg against real sources: the demo video, a missing file, a corrupt file,
// a stream that never sends a frame (stall), an MJPEG server restarted mid-stream.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/log.ts';
import { DEMO_VIDEO_PATH } from './demo-camera.ts';
import { FfmpegFrameSource, type FrameSourceOptions } from './ffmpeg-frame-source.ts';
import { ffmpegChildren, freePort, processGone, requireBinary, SHARED_VIDEO, startMjpegServer, stopProcess, waitFor } from './testing/helpers.ts';

const G = { width: 320, height: 320, resize: 'stretch' as const, padValue: 0 };
const tmp = mkdtempSync(join(tmpdir(), 'footfall-cam-'));
beforeAll(() => {
  requireBinary('ffmpeg', 'ffmpeg');
  if (!readFileSync(DEMO_VIDEO_PATH).length) throw new Error(`${DEMO_VIDEO_PATH} missing: apt-get install opencv-doc`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function source(over: Partial<FrameSourceOptions> & Pick<FrameSourceOptions, 'url'>) {
  const frames: Array<{ idx: number; w: number; h: number; sw: number; sh: number; len: number }> = [];
  const ends: Array<string | null> = [];
  const src = new FfmpegFrameSource({
    name: 'cam',
    geometry: G,
    logger: silentLogger(),
    restart: true,
    backoff: { baseMs: 100, maxMs: 500 },
    onFrame: (f) => frames.push({ idx: f.frameIndex, w: f.width, h: f.height, sw: f.sourceWidth, sh: f.sourceHeight, len: f.data.length }),
    onEnd: (e) => ends.push(e),
    ...over,
  });
  return { src, frames, ends };
}

describe('FfmpegFrameSource', () => {
  it('streams the looping demo video as model-size rgb24 frames and leaves no ffmpeg behind', async () => {
    const { src, frames } = source({ url: DEMO_VIDEO_PATH, fps: 10, loop: true });
    src.start();
    await waitFor(() => frames.length >= 5, 15_000, '5 frames');
    const pid = src.stats().pid!;
    expect(src.state).toBe('streaming');
    expect(frames[0]).toEqual({ idx: 0, w: 320, h: 320, sw: 768, sh: 576, len: 320 * 320 * 3 });
    expect(frames.map((f) => f.idx).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    await src.stop();
    await src.stop(); // idempotent
    expect(src.state).toBe('stopped');
    expect(processGone(pid)).toBe(true);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('stops cleanly when stopped right after start (before ffmpeg has spawned)', async () => {
    const { src } = source({ url: DEMO_VIDEO_PATH, loop: true });
    src.start();
    await src.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(ffmpegChildren()).toEqual([]);
  });

  it('runs a file once (CLI mode) and reports a clean end', async () => {
    const { src, frames, ends } = source({ url: join(SHARED_VIDEO, 'tud-campus.mp4'), restart: false, realtime: false });
    src.start();
    await waitFor(() => ends.length === 1, 20_000, 'end of file');
    expect(ends[0]).toBeNull();
    expect(frames.length).toBe(71); // every frame, aligned with the MOT ground truth
    expect(src.state).toBe('ended');
    await src.stop();
  });

  it('backs off and retries a missing file, with the reason', async () => {
    const { src } = source({ url: join(tmp, 'no-such-file.mp4') });
    src.start();
    await waitFor(() => src.restarts >= 2, 10_000, 'two restarts');
    expect(src.stats().lastError).toMatch(/No such file or directory/);
    expect(['backoff', 'connecting']).toContain(src.state);
    await src.stop();
    expect(ffmpegChildren()).toEqual([]);
  });

  it('retries a camera that refuses the connection, saying so', async () => {
    const port = await freePort(); // nothing listens there
    const { src, frames } = source({ url: `rtsp://127.0.0.1:${port}/cam` });
    src.start();
    await waitFor(() => src.restarts >= 2, 10_000, 'two reconnect attempts');
    expect(frames).toHaveLength(0);
    expect(src.stats().lastError).toMatch(/Connection refused/);
    await src.stop();
    expect(ffmpegChildren()).toEqual([]);
  });

  it('reports a corrupt video clearly', async () => {
    const bad = join(tmp, 'corrupt.mp4');
    writeFileSync(bad, Buffer.concat([Buffer.from('not a video at all'), Buffer.alloc(50_000, 0x42)]));
    const { src, frames, ends } = source({ url: bad, restart: false, realtime: false });
    src.start();
    await waitFor(() => ends.length === 1, 10_000, 'failure');
    expect(frames).toHaveLength(0);
    expect(ends[0]).toMatch(/Invalid data found when processing input/);
    expect(src.state).toBe('failed');
  });

  it('restarts a stream that connects but never sends a frame (stall)', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s)); // accepts, never answers
    const port = await new Promise<number>((r) => silent.listen(0, '127.0.0.1', () => r((silent.address() as { port: number }).port)));
    const { src } = source({ url: `http://127.0.0.1:${port}/stream.mjpg`, stallTimeoutMs: 1_000 });
    try {
      src.start();
      await waitFor(() => src.stalls >= 1 && src.restarts >= 1, 10_000, 'a stall restart');
      expect(src.stats().lastError).toMatch(/stalled/);
    } finally {
      await src.stop();
      for (const s of sockets) s.destroy();
      silent.close();
    }
    expect(ffmpegChildren()).toEqual([]);
  });

  it('follows an HTTP MJPEG stream and survives a server restart mid-stream', async () => {
    requireBinary('ffmpeg', 'ffmpeg');
    const port = await freePort();
    let server = startMjpegServer(port, DEMO_VIDEO_PATH);
    const { src, frames } = source({ url: `http://127.0.0.1:${port}/stream.mjpg`, fps: 5, stallTimeoutMs: 3_000 });
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the server listen
      src.start();
      await waitFor(() => frames.length >= 5, 15_000, '5 MJPEG frames');
      expect(frames[0]!.sw).toBe(768);
      await stopProcess(server); // the camera "reboots"
      await waitFor(() => src.restarts >= 1, 10_000, 'the source to notice');
      await waitFor(() => src.stats().lastError !== null, 10_000, 'the outage to be reported');
      const before = frames.length;
      server = startMjpegServer(port, DEMO_VIDEO_PATH);
      await waitFor(() => frames.length >= before + 5, 20_000, 'frames after the restart');
      await waitFor(() => src.state === 'streaming', 10_000, 'streaming state'); // a slow box may be mid-reconnect
      expect(src.stats().lastError).toBeNull(); // recovered: the outage is history, not its state now
      expect(frames.at(-1)!.idx).toBe(frames.length - 1); // indices keep counting across restarts
    } finally {
      await src.stop();
      await stopProcess(server);
    }
    expect(ffmpegChildren()).toEqual([]);
  });
});
