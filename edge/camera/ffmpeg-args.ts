// Builds the ffmpeg input/output options for one camera URL: RTSP over TCP, HTTP(S)
// MJPEG or streams, local files (optionally looping, at native speed) and V4L2 devices.
// ffmpeg samples (fps filter first, so dropped frames are never scaled), scales and pads
// to the model input, and writes rgb24 raw frames to stdout.
import type { ResizeMode } from '../../models/index.ts';

export type SourceKind = 'rtsp' | 'http' | 'file' | 'v4l2';

/** The pixel geometry frames must arrive in (the detector's input). */
export interface FrameGeometry {
  width: number;
  height: number;
  resize: ResizeMode;
  /** 0-255 grey level of letterbox padding. */
  padValue: number;
  /** ffmpeg scaler (swscale flags); default `area`. */
  scaleFlags?: string;
}

export interface FfmpegArgsOptions {
  url: string;
  geometry: FrameGeometry;
  /** Sampled frames per second; undefined keeps every frame. */
  fps?: number;
  /** Loop a file source forever. */
  loop?: boolean;
  /** Read a file at its native frame rate (a file posing as a live camera). */
  realtime?: boolean;
  /** Network I/O timeout (ms) handed to ffmpeg's protocol. */
  ioTimeoutMs?: number;
  /** Decoder threads (1 keeps several cameras fair on a small box). */
  decoderThreads?: number;
  rtspTransport?: 'tcp' | 'udp';
}

export interface FfmpegArgs {
  kind: SourceKind;
  input: string;
  inputOptions: string[];
  outputOptions: string[];
}

export function sourceKind(url: string): SourceKind {
  if (/^rtsps?:\/\//i.test(url)) return 'rtsp';
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^\/dev\/video\d+$/.test(url) || /^v4l2:/i.test(url)) return 'v4l2';
  return 'file';
}

/** Redacts user:password@ in URLs before they reach logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}

export const DEFAULT_SCALE_FLAGS = 'area';

export function videoFilter(geometry: FrameGeometry, fps?: number): string {
  const { width: w, height: h, resize } = geometry;
  const flags = geometry.scaleFlags ?? DEFAULT_SCALE_FLAGS;
  const parts: string[] = [];
  if (fps !== undefined) parts.push(`fps=${fps}`);
  if (resize === 'stretch') {
    parts.push(`scale=${w}:${h}:flags=${flags}`);
  } else {
    const grey = Math.max(0, Math.min(255, Math.round(geometry.padValue))).toString(16).padStart(2, '0');
    parts.push(`scale=${w}:${h}:flags=${flags}:force_original_aspect_ratio=decrease`);
    const pos = resize === 'letterbox-center' ? '(ow-iw)/2:(oh-ih)/2' : '0:0';
    parts.push(`pad=${w}:${h}:${pos}:color=0x${grey}${grey}${grey}`);
  }
  return parts.join(',');
}

export function buildFfmpegArgs(o: FfmpegArgsOptions): FfmpegArgs {
  const kind = sourceKind(o.url);
  const ioUs = String(Math.round((o.ioTimeoutMs ?? 10_000) * 1000));
  const inputOptions = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-threads', String(o.decoderThreads ?? 1)];
  let input = o.url;
  switch (kind) {
    case 'rtsp':
      inputOptions.push('-rtsp_transport', o.rtspTransport ?? 'tcp', '-timeout', ioUs);
      break;
    case 'http':
      // MJPEG over HTTP carries no real timestamps: stamp frames on arrival so fps sampling is right.
      inputOptions.push('-rw_timeout', ioUs, '-use_wallclock_as_timestamps', '1');
      break;
    case 'v4l2':
      input = o.url.replace(/^v4l2:/i, '');
      inputOptions.push('-f', 'v4l2');
      break;
    case 'file':
      if (o.realtime) inputOptions.push('-re');
      if (o.loop) inputOptions.push('-stream_loop', '-1');
      break;
  }
  const outputOptions = ['-an', '-sn', '-dn', '-vf', videoFilter(o.geometry, o.fps), '-pix_fmt', 'rgb24', '-f', 'rawvideo'];
  if (o.fps === undefined) outputOptions.unshift('-fps_mode', 'passthrough');
  return { kind, input, inputOptions, outputOptions };
}
