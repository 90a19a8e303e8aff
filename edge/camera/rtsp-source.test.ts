// A real RTSP server (GStreamer's gst-rtsp-server via python3-gi, from Debian packages)
// serving real pedestrian footage; the camera follows it over TCP and survives a restart.
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/log.ts';
import { FfmpegFrameSource } from './ffmpeg-frame-source.ts';
import { ffmpegChildren, freePort, requireBinary, SHARED_VIDEO, startRtspServer, stopProcess, waitFor } from './testing/helpers.ts';

let server: ChildProcess | null = null;
afterAll(async () => {
  if (server) await stopProcess(server);
});

describe('RTSP camera', () => {
  it('follows a real RTSP stream and reconnects after the server restarts', async () => {
    requireBinary('ffmpeg', 'ffmpeg');
    const port = await freePort();
    const video = join(SHARED_VIDEO, 'pets09-s2l1.mp4');
    server = await startRtspServer(port, video);
    const frames: Array<{ idx: number; sw: number; sh: number }> = [];
    const src = new FfmpegFrameSource({
      name: 'rtsp-cam',
      url: `rtsp://127.0.0.1:${port}/cam`,
      geometry: { width: 416, height: 416, resize: 'stretch', padValue: 0 },
      fps: 5,
      restart: true,
      stallTimeoutMs: 4_000,
      backoff: { baseMs: 200, maxMs: 1_000 },
      logger: silentLogger(),
      onFrame: (f) => frames.push({ idx: f.frameIndex, sw: f.sourceWidth, sh: f.sourceHeight }),
    });
    try {
      src.start();
      // The server encodes the footage live: on a loaded 2-core box its first frames take a while.
      await waitFor(() => frames.length >= 5, 45_000, '5 RTSP frames');
      expect(src.kind).toBe('rtsp');
      expect(frames[0]).toMatchObject({ sw: 768, sh: 576 });
      await stopProcess(server);
      await waitFor(() => src.restarts >= 1, 15_000, 'the camera to notice the server went away');
      const before = frames.length;
      server = await startRtspServer(port, video);
      await waitFor(() => frames.length >= before + 5, 30_000, 'frames after the server restart');
      // A loaded box (the full suite on 2 cores) may be mid-reconnect: the live encoder can stall past
      // stallTimeoutMs and the source restart once more before it settles.
      await waitFor(() => src.state === 'streaming', 30_000, 'streaming state');
    } finally {
      await src.stop();
    }
    expect(ffmpegChildren()).toEqual([]);
  }, 150_000);
});
