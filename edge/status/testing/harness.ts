// Starts a real StatusStage for tests: temp data dir, real EventStore, a YAML config file,
// its own prom-client Registry, a logger whose lines the test can read, on a free port.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { loadConfig } from '../../config/load.ts';
import type { FootfallConfig } from '../../config/schema.ts';
import { EventBus } from '../../shared/event-bus.ts';
import { EventStore } from '../../store/index.ts';
import type { StageHealth } from '../../shared/types.ts';
import type { SitePathsView } from '../../site-paths/index.ts';
import type { StatusCamera } from '../server-deps.ts';
import { StatusStage } from '../status-stage.ts';
import { LocalZone } from '../../shared/local-time.ts';

export interface Harness {
  stage: StatusStage;
  baseUrl: string;
  store: EventStore;
  bus: EventBus;
  registry: Registry;
  dir: string;
  configFile: string;
  saved: FootfallConfig[];
  logLines: Array<Record<string, unknown>>;
  cameras: () => StatusCamera[];
  close(): Promise<void>;
}

export const DEFAULT_YAML = `# test site
site: test-site
cameras:
  - name: entrance
    url: \${CAM_URL:-/tmp/none.mp4}
    fps: 5
    lines:
      - name: door
        points: [[100, 400], [600, 400]]
    zones:
      - name: lobby
        polygon: [[50, 50], [400, 50], [400, 300], [50, 300]]
`;

export interface HarnessOptions {
  yaml?: string;
  status?: Record<string, unknown>;
  /** Reuse a data dir (and its events.db); it is then left in place on close. */
  dir?: string;
  /** Give the stage the store as its sink (daily reports on). */
  withSink?: boolean;
  now?: () => number;
  /** The site-paths stage's view (default: none, site paths off). */
  sitePaths?: () => SitePathsView | null;
  /** More stages' health beside the store's and the status stage's. */
  health?: () => Record<string, StageHealth>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'footfall-status-'));
  const configFile = join(dir, 'footfall.yaml');
  writeFileSync(configFile, options.yaml ?? DEFAULT_YAML);
  let config = loadConfig({ file: configFile, env: {} }).config;
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const store = EventStore.open({ path: join(dir, 'events.db'), flushIntervalMs: 50, logger });
  await store.start();
  const bus = new EventBus();
  const registry = new Registry();
  const saved: FootfallConfig[] = [];
  const cameras = () => config.cameras as StatusCamera[];
  const statusConfig = { ...config.status, host: '127.0.0.1', port: 0, ...options.status } as FootfallConfig['status'];
  const stage: StatusStage = new StatusStage({
    config: statusConfig,
    // Tests pin their clock: the config's zone, else its fixed offset, else UTC (never the machine's).
    zone: config.timeZone ? LocalZone.of(config.timeZone) : LocalZone.fixed(statusConfig.utcOffsetMinutes ?? 0),
    dataDir: dir,
    logger,
    bus,
    store,
    health: (): Record<string, StageHealth> => ({ store: store.health(), status: stage.health(), ...options.health?.() }),
    cameras,
    configFile,
    onConfigSaved: async (c) => {
      saved.push(c);
      config = c;
    },
    metricsRegistry: registry,
    // Analytics renders heatmaps in the agent; here a small real PNG stands in for its output.
    heatmap: async (camera) =>
      cameras().some((c) => c.name === camera)
        ? sharp({ create: { width: 16, height: 12, channels: 4, background: { r: 255, g: 64, b: 0, alpha: 0.5 } } }).png().toBuffer()
        : null,
    ...(options.withSink ? { sink: store } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sitePaths ? { sitePaths: options.sitePaths } : {}),
  });
  await stage.start();
  const baseUrl = `http://127.0.0.1:${stage.port}`;
  return {
    stage, baseUrl, store, bus, registry, dir, configFile, saved, logLines, cameras,
    async close() {
      await stage.stop();
      store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first-start password from the log line the stage printed. */
export function generatedPasswordOf(h: Harness): string {
  const line = h.logLines.find((l) => typeof l.password === 'string');
  if (!line) throw new Error('no generated password in the log');
  return line.password as string;
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
}

export async function login(h: Harness, password = generatedPasswordOf(h)): Promise<LoggedIn> {
  const res = await fetch(`${h.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken: body.csrfToken };
}
