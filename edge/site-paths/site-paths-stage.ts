// The site-paths stage: cuts each calibrated camera's track frames into floor fragments and,
// once a second, hands them over as a batch: to the stitcher in this agent (role local: a
// single-box site, or the box that stitches for the site; other boxes' batches arrive through
// `acceptRemote`) or to the site broker (role broker, through the `publish` hook the agent
// wires to cloud-sync). Cameras without a calibration take no part (said in health).
import type { FootfallConfig } from '../config/index.ts';
import type { EventBus } from '../shared/event-bus.ts';
import type { Logger } from '../shared/log.ts';
import type { EventSink, Stage, StageHealth, TrackFrame } from '../shared/types.ts';
import type { FragmentBatch } from './fragment.ts';
import { FragmentBuilder } from './fragment-builder.ts';
import { siteFloorOf, type SiteFloor } from './site-floor.ts';
import { SitePathsService, type AnonymisedHour, type BatchVerdict, type SitePathsState } from './site-paths-service.ts';

const OWNER = 'site-paths';
const FLUSH_MS = 1000;

export interface SitePathsStageOptions {
  bus: EventBus;
  config: Pick<FootfallConfig, 'site' | 'device' | 'cameras' | 'floorPlan' | 'sitePaths'>;
  sink: EventSink;
  logger: Logger;
  state?: SitePathsState | null;
  /** Wall clock, ms since epoch. */
  now: () => number;
}

/** Whether a config takes part in site paths at all. */
export function sitePathsEnabled(config: Pick<FootfallConfig, 'cameras' | 'floorPlan' | 'sitePaths'>): boolean {
  if (config.sitePaths.enabled === 'off') return false;
  if (config.sitePaths.enabled === 'on') return true;
  return config.floorPlan.zones.length > 0 && config.cameras.some((c) => c.enabled && c.calibration !== undefined);
}

/** What the status page shows. */
export interface SitePathsView {
  role: 'local' | 'broker';
  k: number;
  /** The hours not yet published, cells below k left out (and counted in `suppressed`). */
  hours: AnonymisedHour[];
  cameras: string[];
  uncalibrated: string[];
  unseenZones: string[];
  sources: string[];
}

export class SitePathsStage implements Stage {
  readonly name = 'site-paths';
  private readonly log: Logger;
  private readonly builders = new Map<string, FragmentBuilder>();
  private readonly lastFrameWallMs = new Map<string, number>();
  private readonly floor: SiteFloor;
  private service: SitePathsService | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private batchesPublished = 0;
  private batchesUnsent = 0;
  /** Set by the agent with role broker: sends a batch to the site's stitcher; false when it could not. */
  publish: ((batch: FragmentBatch) => boolean) | null = null;

  constructor(private readonly options: SitePathsStageOptions) {
    this.log = options.logger.child({ module: 'site-paths' });
    this.floor = siteFloorOf(options.config.cameras, options.config.floorPlan.zones);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { config } = this.options;
    for (const c of this.floor.cameras) {
      const cam = config.cameras.find((k) => k.name === c.name);
      const frame = cam?.width !== undefined && cam.height !== undefined ? { width: cam.width, height: cam.height } : undefined;
      this.builders.set(c.name, new FragmentBuilder({ box: config.device, camera: c.name, sampleMs: config.sitePaths.sampleMs, frame }));
    }
    if (this.floor.uncalibrated.length > 0) this.log.warn({ cameras: this.floor.uncalibrated }, 'cameras without a floor calibration take no part in site paths');
    for (const z of this.zonesUnseenOnSite()) this.log.warn({ zone: z }, `floorPlan zone "${z}" lies outside every calibrated camera's view: it can never be visited`);
    if (config.sitePaths.role === 'local') this.service = new SitePathsService({ config, sink: this.options.sink, logger: this.options.logger, state: this.options.state ?? null, now: this.options.now });
    this.options.bus.on(OWNER, 'track.frame', (frame) => this.onFrame(frame));
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    this.log.info({ role: config.sitePaths.role, cameras: [...this.builders.keys()], zones: config.floorPlan.zones.length, boxes: config.sitePaths.boxes }, 'site paths started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.options.bus.removeOwner(OWNER);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    this.service?.save();
  }

  /** A batch from another box (the site broker): counted and dropped when it is not for us. */
  acceptRemote(batch: FragmentBatch): BatchVerdict | 'not-stitcher' {
    if (!this.service) return 'not-stitcher';
    const verdict = this.service.add(batch);
    if (verdict === 'unknown-box' || verdict === 'clock-skew') this.log.debug({ box: batch.box, verdict }, 'fragment batch dropped');
    return verdict;
  }

  view(): SitePathsView {
    const { config } = this.options;
    return {
      role: config.sitePaths.role,
      k: config.sitePaths.k,
      hours: this.service?.hoursInProgress() ?? [],
      cameras: [...this.builders.keys()],
      uncalibrated: this.floor.uncalibrated,
      unseenZones: this.floor.unseenZones,
      sources: this.service?.liveSources() ?? [],
    };
  }

  health(): StageHealth {
    if (!this.running) return { status: 'stopped' };
    const s = this.service;
    const c = s?.stitcherCounters;
    const problems: string[] = [];
    if (this.floor.uncalibrated.length > 0) problems.push(`no calibration (no part in site paths): ${this.floor.uncalibrated.join(', ')}`);
    const unseen = this.zonesUnseenOnSite();
    if (unseen.length > 0) problems.push(`zones outside every view: ${unseen.join(', ')}`);
    if (s && (s.counters.droppedUnknownBox > 0 || s.counters.droppedClockSkew > 0)) problems.push(`fragment batches dropped: ${s.counters.droppedUnknownBox} from unknown boxes, ${s.counters.droppedClockSkew} with times off by more than ${this.options.config.sitePaths.maxClockSkewS} s`);
    return {
      status: problems.length > 0 ? 'degraded' : 'ok',
      ...(problems.length > 0 ? { detail: problems.join('; ') } : {}),
      metrics: {
        role: this.options.config.sitePaths.role,
        cameras: this.builders.size,
        uncalibratedCameras: this.floor.uncalibrated.length,
        unseenZones: this.floor.unseenZones.length,
        openFragments: [...this.builders.values()].reduce((n, b) => n + b.openCount, 0),
        batchesPublished: this.batchesPublished,
        batchesUnsent: this.batchesUnsent,
        ...(s && c
          ? {
              batchesStitched: s.counters.batches,
              droppedUnknownBox: s.counters.droppedUnknownBox,
              droppedClockSkew: s.counters.droppedClockSkew,
              fragments: c.fragments,
              siteTracks: c.siteTracks,
              openSiteTracks: s.openTracks,
              handovers: c.overlapJoins + c.gapJoins,
              cuts: c.cuts,
              hoursPublished: s.counters.hoursPublished,
              cellsSuppressed: s.counters.cellsSuppressed,
              liveSources: s.liveSources().length,
            }
          : {}),
      },
    };
  }

  /**
   * Zones no camera of the site sees. This box knows only its own cameras, so it can tell only
   * when it is the whole site (it stitches and no other box sends fragments).
   */
  private zonesUnseenOnSite(): string[] {
    const sp = this.options.config.sitePaths;
    return sp.role === 'local' && sp.boxes.length === 0 ? this.floor.unseenZones : [];
  }

  private onFrame(frame: TrackFrame): void {
    const b = this.builders.get(frame.camera);
    if (!b) return;
    b.onFrame(frame);
    this.lastFrameWallMs.set(frame.camera, this.options.now());
  }

  /** Hands the new fragment samples over as one batch, watermarked by the slowest live camera. */
  flush(): void {
    const now = this.options.now();
    const silentMs = this.options.config.sitePaths.silentAfterS * 1000;
    let upTo = Infinity;
    const chunks = [];
    for (const [camera, b] of this.builders) {
      chunks.push(...b.flush());
      const heard = this.lastFrameWallMs.get(camera);
      if (heard !== undefined && now - heard <= silentMs && b.upToMs > -Infinity) upTo = Math.min(upTo, b.upToMs);
    }
    if (upTo === Infinity) {
      if (chunks.length === 0) {
        // No camera of this box is live (or it has none: a stitcher beside the broker): the
        // other boxes' watermarks still move the site's paths on.
        this.service?.tick();
        return;
      }
      upTo = Math.max(...[...this.builders.values()].map((b) => b.upToMs));
    }
    const batch: FragmentBatch = { box: this.options.config.device, upToMs: upTo, chunks };
    if (this.service) {
      this.service.add(batch);
      this.service.tick();
    } else if (this.publish) {
      if (this.publish(batch)) this.batchesPublished++;
      else this.batchesUnsent++;
    }
  }
}
