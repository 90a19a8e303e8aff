// Runs a real Mosquitto (Debian package `mosquitto`) for integration tests: a free
// loopback port, its own generated config and persistence directory, stopped (or
// killed) by PID. Restarting keeps the port and the persisted sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export { freePort } from '../../edge/shared/test-support/net.ts';
import { freePort } from '../../edge/shared/test-support/net.ts';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto'];

export function mosquittoBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('mosquitto is not installed: these tests need the Debian package (apt-get install -y mosquitto)');
  return found;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  /** Extra lines for the listener's config (e.g. `password_file ...`, `cafile ...`). */
  config?: string[];
  /** Keep sessions and queued messages across restarts (saved on SIGTERM). */
  persistence?: boolean;
  port?: number;
  /** URL scheme reported by `url` (mqtts for a TLS listener). */
  scheme?: 'mqtt' | 'mqtts';
}

export class Mosquitto {
  readonly dir: string;
  readonly port: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    port: number,
    private readonly options: MosquittoOptions,
  ) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'footfall-mosquitto-'));
  }

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    mosquittoBinary();
    const m = new Mosquitto(options.port ?? (await freePort()), options);
    m.writeConfig();
    await m.launch();
    return m;
  }

  get url(): string {
    return `${this.options.scheme ?? 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get logText(): string {
    const file = join(this.dir, 'mosquitto.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** How many times the broker has subscribed `clientId` to `filter` (read from its log). */
  subscriptionCount(clientId: string, filter: string): number {
    // Lines read `<time>: <clientId> <qos> <filter>`; Mosquitto 2.0 ends a shared one with no newline.
    return this.logText.split(`: ${clientId} `).slice(1).filter((rest) => /^\d /.test(rest) && rest.slice(2).startsWith(filter)).length;
  }

  /**
   * Resolves once the broker has subscribed `clientId` to `filter` more than `after` times.
   * Mosquitto logs a subscription when it adds it, before it sends the SUBACK: this is the
   * SUBACK of a client the test does not own (a sync stage's, an ingest worker's lanes).
   */
  async waitForSubscription(clientId: string, filter: string, after = 0, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.subscriptionCount(clientId, filter) <= after) {
      if (Date.now() > deadline) throw new Error(`${clientId} did not subscribe to ${filter} within ${timeoutMs} ms; broker log ends: ${this.logText.slice(-600)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private writeConfig(): void {
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous true',
      `log_dest file ${join(this.dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'log_type subscribe', // what waitForSubscription reads
      'max_queued_messages 0',
      'max_inflight_messages 0',
      ...(this.options.persistence ? ['persistence true', `persistence_location ${this.dir}/`, 'autosave_interval 0'] : ['persistence false']),
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      ...(this.options.config ?? []),
    ];
    writeFileSync(join(this.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  }

  private async launch(): Promise<void> {
    const child = spawn(mosquittoBinary(), ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`mosquitto exited at start: ${stderr.trim() || this.logText.trim()}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`mosquitto did not listen on ${this.port} within 10 s: ${stderr.trim()}`);
  }

  /** Stops the broker by PID (SIGTERM saves persisted sessions; SIGKILL loses them). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    process.kill(child.pid, signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops it and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
