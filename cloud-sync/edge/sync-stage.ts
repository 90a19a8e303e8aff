// The cloud-sync stage: starts the embedded broker when no upstream URL is set, keeps
// one MQTT session (status birth and last will), and runs the outbox publisher, the
// per-minute counts, upstream commands and optional Home Assistant discovery on it.
// Health carries the outbox metrics: backlog, oldest unsent age, publish rate, errors.
// On a site with several boxes it also carries the floor fragments (#24) on the same session:
// out to the site's stitcher (sitePaths.role: broker) or in from the other boxes (the stitcher).
import { FootfallError } from '../../edge/shared/errors.ts';
import type { Logger } from '../../edge/shared/log.ts';
import type { MqttConfig } from '../../edge/config/sections/mqtt.ts';
import type { Stage, StageHealth } from '../../edge/shared/types.ts';
import { clientOptionsOf, redactUrl } from './client-options.ts';
import { CommandHandler, type SyncCommandHooks } from './command-handler.ts';
import { deviceTopics } from '../contract/index.ts';
import { CountsPublisher, type CountsStore } from './counts-publisher.ts';
import { EmbeddedBroker } from './embedded-broker.ts';
import { HomeAssistantDiscovery } from './home-assistant.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { OutboxPublisher, type OutboxStore } from './outbox-publisher.ts';
import { FragmentPublisher } from './fragment-publisher.ts';
import { FragmentSubscriber } from './fragment-subscriber.ts';
import type { FragmentBatch } from '../../edge/site-paths/index.ts';

export type SyncStore = CountsStore & { readonly outbox: OutboxStore; readonly metrics?: { deletedUnsent: number } };

export interface SyncStageOptions {
  store: SyncStore;
  config: { site: string; device: string; mqtt: MqttConfig };
  logger: Logger;
  version: string;
  /** Health of every stage, for the retained `online` status (default: this stage's). */
  healthOf?: () => Record<string, StageHealth>;
  /** reload-config and snapshot come from the agent. */
  commands?: SyncCommandHooks;
  /** Relative TLS file paths resolve against it (default: the working directory). */
  baseDir?: string;
  startedAtMs?: number;
  /**
   * Mall-wide paths across boxes: `publish` (this box's fragments go to the site's stitcher;
   * expiry = sitePaths.maxClockSkewS) or `onBatch` (this box stitches: other boxes' fragments).
   */
  fragments?: { publish?: { expiryS: number }; onBatch?: (batch: FragmentBatch, receivedAtMs: number) => void };
}

export class SyncStage implements Stage {
  readonly name = 'sync';
  private broker: EmbeddedBroker | null = null;
  private connection: MqttConnection | null = null;
  private publisher: OutboxPublisher | null = null;
  private counts: CountsPublisher | null = null;
  private commands: CommandHandler | null = null;
  private fragmentsOut: FragmentPublisher | null = null;
  private fragmentsIn: FragmentSubscriber | null = null;
  private url: string | null = null;
  private running = false;
  private disabledReason: string | null = null;
  private readonly log: Logger;

  constructor(private readonly options: SyncStageOptions) {
    this.log = options.logger.child({ module: 'sync' });
  }

  /** The broker URL in use (the embedded one's when no upstream is set), once started. */
  get brokerUrl(): string | null {
    return this.url;
  }

  get outbox(): OutboxPublisher | null {
    return this.publisher;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { store, config, logger, version } = this.options;
    const mqtt = config.mqtt;
    const topics = deviceTopics(config.site, config.device);
    let url = mqtt.url ?? null;
    if (!url) {
      if (!mqtt.embedded.enabled) {
        this.disabledReason = 'no mqtt.url and the embedded broker is off: events stay in the store';
        this.log.warn(this.disabledReason);
        this.running = true;
        return;
      }
      this.broker = new EmbeddedBroker({ host: mqtt.embedded.host, port: mqtt.embedded.port, logger });
      await this.broker.start();
      url = this.broker.url;
    }
    this.url = url;
    let clientOptions;
    try {
      // aedes speaks MQTT 3.1.1 only.
      clientOptions = clientOptionsOf(this.broker ? { ...mqtt, protocolVersion: 4 } : mqtt, config, this.options.baseDir);
    } catch (err) {
      await this.broker?.stop();
      throw err;
    }
    const startedAtMs = this.options.startedAtMs ?? Date.now();
    const connection = new MqttConnection({
      url,
      clientOptions,
      topics,
      site: config.site,
      device: config.device,
      version,
      startedAtMs,
      healthOf: this.options.healthOf ?? (() => ({ [this.name]: this.health() })),
      statusIntervalMs: mqtt.statusIntervalMs,
      reconnect: mqtt.reconnect,
      logger,
    });
    const publisher = new OutboxPublisher({
      outbox: store.outbox,
      link: connection,
      topic: topics.events,
      site: config.site,
      device: config.device,
      batch: mqtt.batch,
      maxInFlight: mqtt.maxInFlight,
      pollIntervalMs: mqtt.pollIntervalMs,
      logger,
    });
    if (mqtt.commands.enabled) {
      this.commands = new CommandHandler({
        topics,
        site: config.site,
        device: config.device,
        resync: (fromMs) => publisher.resync(fromMs),
        hooks: this.options.commands ?? {},
        logger,
      });
      connection.addListener(this.commands);
    }
    const ha = mqtt.homeAssistant.enabled
      ? new HomeAssistantDiscovery({ discoveryPrefix: mqtt.homeAssistant.discoveryPrefix, topics, site: config.site, device: config.device, version, logger })
      : null;
    if (ha) connection.addListener(ha);
    const fragments = this.options.fragments;
    if (fragments?.publish) {
      this.fragmentsOut = new FragmentPublisher({ site: config.site, device: config.device, logger, expiryS: fragments.publish.expiryS });
      connection.addListener(this.fragmentsOut);
    }
    if (fragments?.onBatch) {
      this.fragmentsIn = new FragmentSubscriber({ site: config.site, logger, onBatch: fragments.onBatch });
      connection.addListener(this.fragmentsIn);
    }
    if (mqtt.counts.enabled) {
      this.counts = new CountsPublisher({
        store,
        topic: topics.counts,
        site: config.site,
        device: config.device,
        graceMs: mqtt.counts.graceMs,
        logger,
        ...(ha ? { onPublished: (m) => ha.onCounts(m) } : {}),
      });
      connection.addListener(this.counts);
      this.counts.start();
    }
    this.connection = connection;
    this.publisher = publisher;
    publisher.start();
    connection.start();
    this.running = true;
    this.log.info({ url: redactUrl(url), embedded: this.broker !== null, events: topics.events }, 'sync started');
  }

  /** Sends a batch of this box's floor fragments to the site's stitcher; false when it was dropped (counted). */
  publishFragments(batch: FragmentBatch): boolean {
    return this.fragmentsOut?.publish(batch) ?? false;
  }

  /** Lets in-flight batches finish, says `offline`, disconnects, stops the embedded broker. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.fragmentsIn?.stop();
    await this.publisher?.stop();
    this.counts?.stop();
    await this.connection?.stop();
    await this.broker?.stop();
  }

  /** Resolves when the outbox is empty (for `footfall sync --drain` and tests). */
  async waitForDrain(): Promise<void> {
    if (!this.publisher) throw new FootfallError('INTERNAL', 'sync is not running');
    await this.publisher.waitForDrain();
  }

  private fragmentMetrics(): Record<string, number | string | null> {
    const out = this.fragmentsOut;
    const inn = this.fragmentsIn;
    return {
      ...(out
        ? {
            fragmentBatchesSent: out.metrics.batchesSent,
            fragmentBatchesDropped: out.metrics.droppedOffline + out.metrics.droppedBusy + out.metrics.encodeErrors,
            fragmentMessagesFailed: out.metrics.failedMessages,
          }
        : {}),
      ...(inn ? { fragmentBatchesReceived: inn.metrics.accepted, fragmentsMalformed: inn.metrics.malformed, fragmentsSubscribeErrors: inn.metrics.subscribeErrors } : {}),
      ...(out?.lastError || inn?.lastError ? { fragmentsLastError: inn?.lastError ?? out?.lastError ?? null } : {}),
    };
  }

  health(): StageHealth {
    if (this.disabledReason) return { status: 'degraded', detail: this.disabledReason };
    const c = this.connection;
    const p = this.publisher;
    if (!this.running || !c || !p) return { status: 'stopped' };
    let outbox: Record<string, number | string | null> = {};
    try {
      outbox = p.metricsSnapshot();
    } catch (err) {
      outbox = { lastError: `cannot read the outbox: ${(err as Error).message}` };
    }
    const lostUnsent = this.options.store.metrics?.deletedUnsent ?? 0;
    const metrics: Record<string, number | string | null> = {
      connection: c.state,
      url: this.url ? redactUrl(this.url) : null,
      embeddedBroker: this.broker ? 1 : 0,
      ...c.metrics,
      connectionError: c.lastError,
      ...outbox,
      deletedUnsentByRetention: lostUnsent,
      commandsReceived: this.commands?.metrics.received ?? 0,
      commandsFailed: this.commands?.metrics.failed ?? 0,
      responseTopicsRefused: this.commands?.metrics.responseTopicsRefused ?? 0,
      countsPublished: this.counts?.published ?? 0,
      ...this.fragmentMetrics(),
    };
    if (p.blocked) return { status: 'degraded', detail: p.blocked, metrics };
    const dropping = p.metrics.droppedSessions > 0 && p.metrics.sentBatches === 0 ? p.lastError : null;
    if (c.state !== 'connected') {
      // A broker that drops us right after our publishes causes the reconnect errors: its
      // diagnosis (check the ACL or size limit) says more than the ECONNRESET that follows.
      return { status: 'degraded', detail: dropping ?? c.lastError ?? `not connected to ${this.url ? redactUrl(this.url) : 'a broker'} (${c.state})`, metrics };
    }
    if (dropping) return { status: 'degraded', detail: dropping, metrics };
    if (p.heldEvents > 0) return { status: 'degraded', detail: `${p.heldEvents} events refused by the broker stay unsent`, metrics };
    if (lostUnsent > 0) return { status: 'degraded', detail: `retention deleted ${lostUnsent} events that were never sent`, metrics };
    return { status: 'ok', metrics };
  }
}
