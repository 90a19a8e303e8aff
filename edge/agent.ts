// The composition root: the only module that knows every stage. It builds the stages
// from the validated config, starts them in data-flow order, and stops them in reverse
// on SIGINT/SIGTERM within the shutdown budget, so the store is flushed last.
import { isAbsolute, resolve } from 'node:path';
import { SyncStage } from '../cloud-sync/index.ts';
import { CameraStage, defaultDemoCamera } from './camera/index.ts';
import type { FootfallConfig } from './config/schema.ts';
import { DetectorStage } from './detect/index.ts';
import { EventBus } from './shared/event-bus.ts';
import { errorMessage } from './shared/errors.ts';
import type { Logger } from './shared/log.ts';
import type { Stage, StageHealth } from './shared/types.ts';
import { EventStore } from './store/index.ts';
import { TrackerStage } from './track/index.ts';

export interface AgentOptions {
  config: FootfallConfig;
  logger: Logger;
  cwd: string;
  /** The config file the agent was started with (null: embedded defaults). */
  configFile?: string | null;
  version?: string;
}

/** Absolute data directory from the config (relative paths are under the working directory). */
export function dataDirOf(config: FootfallConfig, cwd: string): string {
  return isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
}

/** The cameras the agent runs: the configured ones, else the demo camera when it is on and present. */
export function effectiveCameras(config: FootfallConfig, log?: Logger): FootfallConfig['cameras'] {
  if (config.cameras.length > 0 || !config.demoCamera) return config.cameras;
  const demo = defaultDemoCamera();
  if (!demo.camera) {
    log?.warn({ reason: demo.reason }, 'no camera configured and no demo camera');
    return [];
  }
  return [demo.camera];
}

export class Agent {
  readonly bus = new EventBus();
  readonly startedAtMs = Date.now();
  private readonly stages: Stage[] = [];
  private readonly started: Stage[] = [];
  private readonly log: Logger;
  private stopping: Promise<void> | null = null;
  store: EventStore | null = null;

  constructor(private readonly options: AgentOptions) {
    this.log = options.logger.child({ module: 'agent' });
  }

  get dataDir(): string {
    return dataDirOf(this.options.config, this.options.cwd);
  }

  /** Builds every configured stage, in data-flow order; nothing is started yet. */
  build(): void {
    const { config, logger, cwd } = this.options;
    const bus = this.bus;
    const dbPath = isAbsolute(config.store.path) ? config.store.path : resolve(this.dataDir, config.store.path);
    const store = EventStore.open({
      path: dbPath,
      synchronous: config.store.synchronous,
      flushIntervalMs: config.store.flushIntervalMs,
      flushMaxEvents: config.store.flushMaxEvents,
      retention: config.store.retention,
      ...(config.store.hardLimitMb !== undefined ? { hardLimitMb: config.store.hardLimitMb } : {}),
      logger,
    });
    this.store = store;
    const cameras = effectiveCameras(config, this.log);

    // Order = start order: the store first (everything writes to it), sources last.
    this.stages.push(store);
    this.stages.push(
      new SyncStage({
        store,
        config: { site: config.site, device: config.device ?? 'footfall', mqtt: config.mqtt },
        logger,
        version: this.options.version ?? '0.0.0',
        healthOf: () => this.health(),
        baseDir: this.options.configFile ? resolve(this.options.configFile, '..') : cwd,
        startedAtMs: this.startedAtMs,
      }),
    );
    if (cameras.length > 0) {
      this.stages.push(new TrackerStage({ bus, config: config.tracker, logger }));
      this.stages.push(new DetectorStage({ bus, config, logger, cwd }));
      this.stages.push(new CameraStage({ bus, config: { cameras, demoCamera: false, detector: config.detector }, logger }));
    }
  }

  /** Starts stages in order; on a failure stops what started and rethrows. */
  async start(): Promise<void> {
    if (this.stages.length === 0) this.build();
    for (const stage of this.stages) {
      try {
        await stage.start();
        this.started.push(stage);
      } catch (err) {
        this.log.fatal({ stage: stage.name, err: errorMessage(err) }, 'stage failed to start');
        await this.stop();
        throw err;
      }
    }
    this.log.info({ dataDir: this.dataDir, stages: this.started.map((s) => s.name) }, 'footfall agent running');
  }

  /** Stops started stages in reverse order, each bounded by what is left of the budget. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const deadline = Date.now() + this.options.config.shutdownTimeoutMs;
    for (const stage of [...this.started].reverse()) {
      const left = Math.max(100, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), left);
      });
      try {
        const outcome = await Promise.race([stage.stop().then(() => 'stopped' as const), timeout]);
        if (outcome === 'timeout') this.log.warn({ stage: stage.name, budgetMs: left }, 'stage did not stop in time; abandoned');
      } catch (err) {
        this.log.error({ stage: stage.name, err: errorMessage(err) }, 'stage failed to stop cleanly');
      } finally {
        clearTimeout(timer);
      }
    }
    // The store is always closed last, even if it was never started.
    if (this.store && !this.store.isClosed) this.store.close();
    this.started.length = 0;
    this.log.info('footfall agent stopped');
  }

  health(): Record<string, StageHealth> {
    const out: Record<string, StageHealth> = {};
    for (const s of this.stages) out[s.name] = s.health();
    return out;
  }
}
