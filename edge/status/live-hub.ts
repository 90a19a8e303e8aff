// Server-sent events for the live page: per-camera overlays (boxes, track ids, trails,
// zone occupancy) and today's line counts. Pushes run on a timer only while a client is
// connected, send a camera only when it changed, and skip clients whose socket is backed
// up, so a slow phone never holds frames or memory in the pipeline.
import type { ServerResponse } from 'node:http';
import type { ZoneConfig } from '../config/sections/analytics.ts';
import { pointInPolygon } from '../shared/geometry.ts';
import { type Logger } from '../shared/log.ts';
import type { LocalZone } from '../shared/local-time.ts';
import { dayWindow } from './day-summary.ts';
import { trailOf, type CameraLive, type LiveView } from './live-view.ts';
import type { StatusStoreReader } from './store-reader.ts';

export interface LiveHubOptions {
  pushIntervalMs: number;
  countsIntervalMs?: number;
  trailPoints: number;
  /** The site's local time, for "today". */
  zone: LocalZone;
  maxClients?: number;
  now?: () => number;
}

/** A socket with more than this queued is too slow: it misses updates until it drains. */
const MAX_BUFFERED_BYTES = 256 * 1024;
const HEARTBEAT_MS = 15_000;

export interface CameraZones {
  name: string;
  zones: ZoneConfig[];
}

export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly sentVersion = new Map<string, number>();
  private lastCountsText = '';
  private lastCountsMs = 0;
  private readonly now: () => number;
  messagesSent = 0;
  skippedSlow = 0;

  constructor(
    private readonly live: LiveView,
    private readonly store: StatusStoreReader,
    private readonly cameras: () => CameraZones[],
    private readonly options: LiveHubOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= (this.options.maxClients ?? 20);
  }

  /** Takes over an HTTP response as an event stream and sends the current state at once. */
  add(res: ServerResponse, headers: Record<string, string | number | string[] | undefined>): void {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    this.live.setWatchers(this.clients.size);
    res.on('close', () => {
      this.clients.delete(res);
      this.live.setWatchers(this.clients.size);
      if (this.clients.size === 0) this.pause();
    });
    // A new client gets everything now, not at the next change.
    for (const c of this.live.list()) this.write(res, 'camera', JSON.stringify(this.cameraPayload(c)));
    this.write(res, 'counts', this.countsText());
    this.resume();
  }

  private resume(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.pushIntervalMs);
    this.timer.unref();
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) if (res.writableLength < MAX_BUFFERED_BYTES) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  close(): void {
    this.pause();
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.live.setWatchers(0);
  }

  private tick(): void {
    if (this.clients.size === 0) return;
    try {
      for (const c of this.live.list()) {
        if (this.sentVersion.get(c.name) === c.version) continue;
        this.sentVersion.set(c.name, c.version);
        this.broadcast('camera', JSON.stringify(this.cameraPayload(c)));
      }
      const t = this.now();
      if (t - this.lastCountsMs >= (this.options.countsIntervalMs ?? 2_000)) {
        this.lastCountsMs = t;
        const text = this.countsText();
        if (text !== this.lastCountsText) {
          this.lastCountsText = text;
          this.broadcast('counts', text);
        }
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'live push failed');
    }
  }

  private broadcast(event: string, data: string): void {
    for (const res of this.clients) this.write(res, event, data);
  }

  private write(res: ServerResponse, event: string, data: string): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.skippedSlow++;
      return;
    }
    res.write(`event: ${event}\ndata: ${data}\n\n`);
    this.messagesSent++;
  }

  /** Today's line crossings per camera and line: {camera: {line: {in, out}}}. */
  countsText(): string {
    const day = dayWindow(this.now(), this.options.zone);
    const lines: Record<string, Record<string, { in: number; out: number }>> = {};
    for (const row of this.store.countsBetween(day.fromMs, day.toMs)) {
      if (row.metric !== 'in' && row.metric !== 'out') continue;
      const cam = (lines[row.source] ??= {});
      const l = (cam[row.subject] ??= { in: 0, out: 0 });
      l[row.metric] += row.n;
    }
    return JSON.stringify({ day: day.day, lines });
  }

  cameraPayload(c: CameraLive): Record<string, unknown> {
    const cap = this.options.trailPoints;
    const detections: number[][] = [];
    for (let i = 0; i < c.detectionCount; i++) {
      const b = c.detections;
      detections.push([Math.round(b[i * 4]!), Math.round(b[i * 4 + 1]!), Math.round(b[i * 4 + 2]!), Math.round(b[i * 4 + 3]!), Math.round(c.scores[i]! * 100) / 100]);
    }
    const motion: number[][] = [];
    for (let i = 0; i < c.motionCount; i++) {
      const b = c.motionBoxes;
      motion.push([Math.round(b[i * 4]!), Math.round(b[i * 4 + 1]!), Math.round(b[i * 4 + 2]!), Math.round(b[i * 4 + 3]!)]);
    }
    const tracks: Array<{ id: number; box: number[]; trail: number[] }> = [];
    for (let i = 0; i < c.trackCount; i++) {
      const b = c.trackBoxes;
      const id = c.trackIds[i]!;
      tracks.push({ id, box: [Math.round(b[i * 4]!), Math.round(b[i * 4 + 1]!), Math.round(b[i * 4 + 2]!), Math.round(b[i * 4 + 3]!)], trail: trailOf(c, id, cap) });
    }
    const zones: Record<string, number> = {};
    const cfg = this.cameras().find((k) => k.name === c.name);
    for (const z of cfg?.zones ?? []) {
      let n = 0;
      for (let i = 0; i < c.trackCount; i++) {
        const b = c.trackBoxes;
        if (pointInPolygon(b[i * 4]! + b[i * 4 + 2]! / 2, b[i * 4 + 1]! + b[i * 4 + 3]!, z.polygon)) n++;
      }
      zones[z.name] = n;
    }
    return {
      camera: c.name,
      tsMs: c.lastFrameTsMs,
      sourceWidth: c.sourceWidth,
      sourceHeight: c.sourceHeight,
      snapshotSeq: c.snapshot?.seq ?? 0,
      detections,
      tracks,
      zones,
      gate: c.gate,
      motion,
    };
  }
}
