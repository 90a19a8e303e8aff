// What the status HTTP server and its routes are given: config, the site's local time, the
// store reader, live state and the agent's callbacks. Its own module so server.ts (security,
// hooks) and routes.ts (pages and API) both read it without importing each other.
import type { CalibrationConfig } from '../config/sections/calibration.ts';
import type { Registry } from 'prom-client';
import type { FootfallConfig, LineConfig, StatusConfig, ZoneConfig } from '../config/index.ts';
import type { LocalZone } from '../shared/local-time.ts';
import type { Logger } from '../shared/log.ts';
import type { SitePathsView } from '../site-paths/index.ts';
import type { StageHealth } from '../shared/types.ts';
import type { GeometryEditor } from './geometry-editor.ts';
import type { LiveHub } from './live-hub.ts';
import type { LiveView } from './live-view.ts';
import type { SessionStore } from './session-store.ts';
import type { StatusMetrics } from './status-metrics.ts';
import type { StatusStoreReader } from './store-reader.ts';

/** A camera as the status page sees it: its config (name, source, lines, zones). */
export interface StatusCamera {
  name: string;
  url?: string;
  fps?: number;
  loop?: boolean;
  lines: LineConfig[];
  zones: ZoneConfig[];
  /** The camera's floor calibration, when it has one (cameras[].calibration). */
  calibration?: CalibrationConfig | undefined;
}

export interface StatusServerDeps {
  config: StatusConfig;
  /** The site's local time (days, hours, closing time). */
  zone: LocalZone;
  logger: Logger;
  sessions: SessionStore;
  passwordHash: string;
  live: LiveView;
  hub: LiveHub;
  store: StatusStoreReader;
  health: () => Record<string, StageHealth>;
  cameras: () => StatusCamera[];
  editor: GeometryEditor | null;
  onConfigSaved: (config: FootfallConfig) => Promise<void>;
  registry: Registry;
  heatmap: (camera: string) => Promise<Buffer | null>;
  /** The site-paths stage's view (role, k, the hours in progress), or null when site paths are off. */
  sitePaths: () => SitePathsView | null;
  metrics: StatusMetrics;
  dataDir: string;
  startedAtMs: number;
  now: () => number;
}
