// Commands from upstream on footfall/v1/{site}/{device}/cmd/{name}: validated like
// any input (size, JSON, contract schema, known name, arguments), executed once per
// request id, answered on .../cmd/{name}/result (and on an MQTT 5 response topic).
// Who may send them is the broker's ACL; retained commands are refused so a stale
// command is never replayed on reconnect (over MQTT 5 the subscription keeps the retain
// flag as published, so one retained while the box is connected is refused too). A
// response topic inside footfall/ (or $-prefixed) is not published to: the box writes
// only its contract topics there.
import type { IPublishPacket, MqttClient } from 'mqtt';
import { RateLimitedLog, type Logger } from '../../edge/shared/log.ts';
import {
  COMMAND_NAMES,
  commandArgsSchemas,
  parseMessage,
  parseTopic,
  type CommandName,
  type CommandResult,
  type DeviceTopics,
} from '../contract/index.ts';
import type { ConnectionListener } from './mqtt-connection.ts';

export const MAX_COMMAND_BYTES = 64 * 1024;

export interface SnapshotImage {
  camera: string;
  tsMs: number;
  jpeg: Buffer;
}

/** What the agent provides for commands the sync stage cannot do itself. */
export interface SyncCommandHooks {
  reloadConfig?: () => Promise<Record<string, unknown> | void>;
  snapshot?: (camera: string | undefined) => Promise<SnapshotImage>;
}

export interface CommandHandlerOptions {
  topics: DeviceTopics;
  site: string;
  device: string;
  resync: (fromMs: number) => Promise<number>;
  hooks: SyncCommandHooks;
  logger: Logger;
  now?: () => number;
}

export interface CommandMetrics {
  received: number;
  succeeded: number;
  failed: number;
  invalid: number;
  /** MQTT 5 response topics not published to (inside footfall/ or $-prefixed). */
  responseTopicsRefused: number;
}

export class CommandHandler implements ConnectionListener {
  readonly metrics: CommandMetrics = { received: 0, succeeded: 0, failed: 0, invalid: 0, responseTopicsRefused: 0 };
  private client: MqttClient | null = null;
  private readonly recent = new Map<string, CommandResult>();
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;

  constructor(private readonly options: CommandHandlerOptions) {
    this.log = options.logger.child({ module: 'commands' });
    this.warnings = new RateLimitedLog(this.log);
    this.now = options.now ?? Date.now;
  }

  up(client: MqttClient): void {
    this.client = client;
    // rap (MQTT 5 "retain as published"): a command retained while we are subscribed still
    // arrives with retain set, so it is refused like one replayed at subscribe (v3.1.1 brokers
    // clear the flag for live subscribers: the broker ACL must forbid retained commands there).
    client.subscribe(this.options.topics.commandFilter, { qos: 1, rap: true }, (err, granted) => {
      const refused = granted?.some((g) => g.qos >= 0x80);
      if (err || refused) {
        this.warnings.warn({ err: err?.message, granted }, 'cannot subscribe to commands (broker ACL?); commands are off for this session');
      }
    });
  }

  down(): void {
    this.client = null;
  }

  message(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.kind !== 'command' || parsed.site !== this.options.site || parsed.device !== this.options.device) return;
    this.metrics.received++;
    void this.handle(parsed.name!, payload, packet);
  }

  /** Validates and runs one command; always answers. Exposed for tests. */
  async handle(name: string, payload: Buffer, packet?: Pick<IPublishPacket, 'retain' | 'properties'>): Promise<CommandResult> {
    const reply = (id: string | null, ok: boolean, body: { result?: Record<string, unknown>; error?: string }): CommandResult => {
      const result: CommandResult = { v: 1, id, name, ok, ts: this.now(), ...body };
      if (ok) this.metrics.succeeded++;
      else this.metrics.failed++;
      this.publishResult(name, result, packet);
      if (id !== null) this.remember(id, result);
      return result;
    };
    const invalid = (id: string | null, error: string): CommandResult => {
      this.metrics.invalid++;
      this.warnings.warn({ command: name, error }, 'invalid command refused');
      return reply(id, false, { error });
    };
    if (packet?.retain) return invalid(null, 'retained commands are refused (they would run again on every reconnect); publish with retain=false');
    if (payload.length > MAX_COMMAND_BYTES) return invalid(null, `command payload too large (${payload.length} bytes, at most ${MAX_COMMAND_BYTES})`);
    const message = parseMessage('command', payload);
    if (!message.ok) return invalid(idOf(payload), message.error);
    const { id, args } = message.value;
    const seen = this.recent.get(`${name}\u0000${id}`);
    if (seen) {
      // QoS 1 may deliver a command twice: answer again, do not run it again.
      this.publishResult(name, seen, packet);
      return seen;
    }
    if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
      return invalid(id, `unknown command "${name}"; known: ${COMMAND_NAMES.join(', ')}`);
    }
    const argsResult = commandArgsSchemas[name as CommandName].safeParse(args);
    if (!argsResult.success) {
      const issue = argsResult.error.issues[0]!;
      return invalid(id, `args${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    }
    this.log.info({ command: name, id }, 'running command');
    try {
      const result = await this.run(name as CommandName, argsResult.data as Record<string, unknown>);
      return reply(id, true, { result });
    } catch (err) {
      this.log.warn({ command: name, id, err: (err as Error).message }, 'command failed');
      return reply(id, false, { error: (err as Error).message });
    }
  }

  private async run(name: CommandName, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (name) {
      case 'resync': {
        const from = args.from as number | string;
        const fromMs = typeof from === 'number' ? from : Date.parse(from);
        const events = await this.options.resync(fromMs);
        return { fromMs, events };
      }
      case 'reload-config': {
        if (!this.options.hooks.reloadConfig) throw new Error('reload-config is not available in this process');
        return (await this.options.hooks.reloadConfig()) ?? {};
      }
      case 'snapshot': {
        if (!this.options.hooks.snapshot) throw new Error('snapshot is not available (no camera in this process)');
        const image = await this.options.hooks.snapshot(args.camera as string | undefined);
        const topic = this.options.topics.snapshot(image.camera);
        const client = this.client;
        if (!client) throw new Error('not connected');
        await client.publishAsync(topic, image.jpeg, { qos: 1, retain: true });
        return { camera: image.camera, ts: image.tsMs, bytes: image.jpeg.length, topic };
      }
    }
  }

  private publishResult(name: string, result: CommandResult, packet?: Pick<IPublishPacket, 'properties'>): void {
    const client = this.client;
    if (!client) return;
    const body = JSON.stringify(result);
    client.publish(this.options.topics.commandResult(name), body, { qos: 1 });
    const responseTopic = packet?.properties?.responseTopic;
    if (responseTopic && !responseTopicAllowed(responseTopic)) {
      this.metrics.responseTopicsRefused++;
      this.warnings.warn({ command: name, responseTopic: responseTopic.slice(0, 200) }, 'response topic refused (inside footfall/ or $-prefixed); answered on cmd/{name}/result only');
    } else if (responseTopic) {
      const correlationData = packet?.properties?.correlationData;
      client.publish(responseTopic, body, { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) });
    }
  }

  private remember(id: string, result: CommandResult): void {
    this.recent.set(`${result.name}\u0000${id}`, result);
    if (this.recent.size > 256) this.recent.delete(this.recent.keys().next().value!);
  }
}

/** A response topic the box may answer on: not its own (or any box's) contract tree, not a $ topic. */
function responseTopicAllowed(topic: string): boolean {
  return topic.length > 0 && topic.length <= 256 && !topic.startsWith('footfall/') && !topic.startsWith('$') && !/[+#\u0000]/.test(topic);
}

/** The request id of an invalid command, when one can be read, so the sender can match the error. */
function idOf(payload: Buffer): string | null {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { id?: unknown };
    return typeof v?.id === 'string' && v.id.length <= 128 ? v.id : null;
  } catch {
    return null;
  }
}
