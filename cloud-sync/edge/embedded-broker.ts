// The in-process MQTT broker (aedes) that `footfall run` starts when no upstream URL
// is configured, so local tools (footfall tail, mosquitto_sub, Home Assistant) can
// subscribe at once. Loopback by default; retained messages and sessions in memory.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { FootfallError } from '../../edge/shared/errors.ts';
import type { Logger } from '../../edge/shared/log.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: Logger;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly log: Logger;
  private boundPort = 0;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.log = options.logger.child({ module: 'embedded-broker' });
  }

  /** mqtt://host:port of the running broker. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `mqtt://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  get connectedClients(): number {
    return this.broker?.connectedClients ?? 0;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const broker = await Aedes.createBroker();
    broker.on('clientError', (client, err) => this.log.debug({ client: client?.id, err: err.message }, 'client error'));
    broker.on('connectionError', (_client, err) => this.log.debug({ err: err.message }, 'connection error'));
    const server = createServer(broker.handle);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((r) => broker.close(() => r()));
      const code = (err as NodeJS.ErrnoException).code;
      const where = `${this.options.host}:${this.options.port}`;
      throw new FootfallError(
        'NETWORK',
        code === 'EADDRINUSE'
          ? `embedded MQTT broker cannot listen on ${where}: the port is in use (another broker?); set mqtt.embedded.port, or mqtt.url to use that broker`
          : `embedded MQTT broker cannot listen on ${where}: ${(err as Error).message}`,
      );
    }
    server.on('error', (err) => this.log.error({ err: err.message }, 'embedded broker server error'));
    this.broker = broker;
    this.server = server;
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.options.port;
    this.log.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  /** Closes client connections and the listener. Idempotent. */
  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
