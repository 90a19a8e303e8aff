import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { buildFfmpegArgs, redactUrl, sourceKind, videoFilter } from './ffmpeg-args.ts';
import { FrameAssembler } from './frame-assembler.ts';
import { FfmpegStderrParser } from './stderr-parser.ts';

const G = { width: 416, height: 416, resize: 'stretch' as const, padValue: 0 };

describe('ffmpeg arguments', () => {
  it('recognises source kinds', () => {
    expect(sourceKind('rtsp://cam/stream')).toBe('rtsp');
    expect(sourceKind('http://cam/mjpg')).toBe('http');
    expect(sourceKind('/dev/video0')).toBe('v4l2');
    expect(sourceKind('./clip.mp4')).toBe('file');
  });

  it('uses TCP for RTSP, loops and paces files, samples before scaling', () => {
    const rtsp = buildFfmpegArgs({ url: 'rtsp://u:p@cam/s', geometry: G, fps: 5 });
    expect(rtsp.inputOptions.join(' ')).toContain('-rtsp_transport tcp');
    expect(rtsp.outputOptions.join(' ')).toContain('-vf fps=5,scale=416:416:flags=area -pix_fmt rgb24 -f rawvideo');
    const file = buildFfmpegArgs({ url: 'a.mp4', geometry: G, loop: true, realtime: true });
    expect(file.inputOptions.join(' ')).toContain('-re -stream_loop -1');
    expect(file.outputOptions).toContain('passthrough');
    const v4l2 = buildFfmpegArgs({ url: '/dev/video2', geometry: G });
    expect(v4l2.inputOptions.join(' ')).toContain('-f v4l2');
    expect(buildFfmpegArgs({ url: 'http://x/y.mjpg', geometry: G }).inputOptions).toContain('-use_wallclock_as_timestamps');
  });

  it('letterboxes in ffmpeg with the pad colour', () => {
    expect(videoFilter({ width: 416, height: 416, resize: 'letterbox-topleft', padValue: 114 })).toBe(
      'scale=416:416:flags=area:force_original_aspect_ratio=decrease,pad=416:416:0:0:color=0x727272',
    );
  });

  it('redacts credentials', () => {
    expect(redactUrl('rtsp://admin:secret@10.0.0.5:554/h264')).toBe('rtsp://***@10.0.0.5:554/h264');
  });
});

describe('FfmpegStderrParser', () => {
  it('reads the source size from the input stream, not the output', () => {
    const p = new FfmpegStderrParser();
    expect(p.parse('Output #0, rawvideo, to pipe:').kind).toBe('ignore');
    const q = new FfmpegStderrParser();
    expect(q.parse('  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 768x576 [SAR 1:1 DAR 4:3], 290 kb/s, 7 fps').kind).toBe('source-size');
    expect([q.sourceWidth, q.sourceHeight]).toEqual([768, 576]);
    q.parse('Output #0, rawvideo, to pipe:');
    q.parse('  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, progressive), 416x416, q=2-31');
    expect(q.sourceWidth).toBe(768);
  });

  it('counts decode errors and keeps the last real error', () => {
    const p = new FfmpegStderrParser();
    expect(p.parse('[h264 @ 0x55d1] error while decoding MB 12 7, bytestream -5').kind).toBe('decode-error');
    expect(p.decodeErrors).toBe(1);
    expect(p.parse('[tcp @ 0x5612] Connection to tcp://127.0.0.1:1 failed: Connection refused').kind).toBe('error');
    expect(p.lastError).toBe('Connection to tcp://127.0.0.1:1 failed: Connection refused');
    expect(p.parse('Press [q] to stop, [?] for help').kind).toBe('ignore');
  });
});

describe('Backoff', () => {
  it('grows exponentially with jitter and is capped', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, random: () => 1 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 100, 200, 400, 500]);
    const noJitter = new Backoff({ baseMs: 100, maxMs: 1_000, jitter: 0.5, random: () => 0 });
    expect([noJitter.next(), noJitter.next()]).toEqual([100, 200]);
    b.reset();
    expect(b.next()).toBe(50);
  });
});

describe('FrameAssembler', () => {
  it('cuts arbitrary chunks into whole frames', () => {
    const seen: number[] = [];
    const a = new FrameAssembler(4, (f) => seen.push(f.readUInt32BE(0)));
    a.push(Buffer.from([0, 0, 0]));
    a.push(Buffer.from([1, 0, 0, 0, 2, 0]));
    expect(seen).toEqual([1, 2]);
    a.push(Buffer.from([0]));
    expect(a.reset()).toBe(2); // one byte left from the second chunk, one from the third
  });
});
