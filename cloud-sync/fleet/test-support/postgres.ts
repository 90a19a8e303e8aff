// Runs a real PostgreSQL (Debian package `postgresql`) for tests and benchmarks: a
// throw-away cluster made with initdb in a temp dir owned by the `postgres` OS user
// (initdb and postgres refuse to run as root), on a free loopback port, stopped by PID.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../edge/shared/test-support/net.ts';
import { migrate } from '../migrations.ts';

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/14/bin'];

export function postgresBinDir(): string {
  const found = BIN_DIRS.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres')));
  if (found) return found;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  throw new Error('PostgreSQL is not installed: these tests need the Debian package (apt-get install -y postgresql)');
}

interface OsUser {
  uid: number;
  gid: number;
  name: string;
}

/** As root, the cluster runs as the `postgres` user; otherwise as ourselves. */
function runAsUser(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid, name: 'postgres' };
  } catch {
    throw new Error('running as root needs the `postgres` OS user (created by the Debian postgresql package)');
  }
}

/** setpriv execs the command in place, so the PID we hold is postgres itself (signals reach it). */
function asUser(user: OsUser | null, cmd: string, args: string[]): [string, string[]] {
  return user ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', cmd, ...args]] : [cmd, args];
}

export interface PostgresOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

export class PostgresServer {
  readonly dir: string;
  readonly dataDir: string;
  readonly port: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    port: number,
    private readonly user: OsUser | null,
    private readonly options: PostgresOptions,
  ) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'footfall-pg-'));
    this.dataDir = join(this.dir, 'data');
    if (user) chownSync(this.dir, user.uid, user.gid);
    chmodSync(this.dir, 0o700);
  }

  static async start(options: PostgresOptions = {}): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const user = runAsUser();
    const server = new PostgresServer(await freePort(), user, options);
    const [cmd, args] = asUser(user, join(bin, 'initdb'), ['-D', server.dataDir, '-U', 'footfall', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    try {
      execFileSync(cmd, args, { stdio: 'pipe' });
    } catch (err) {
      const e = err as { stderr?: Buffer };
      throw new Error(`initdb failed: ${e.stderr?.toString().trim() ?? String(err)}`);
    }
    await server.launch();
    return server;
  }

  /** Connection string for the `footfall` superuser and database `postgres`. */
  get url(): string {
    return `postgres://footfall@127.0.0.1:${this.port}/postgres`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  private async launch(): Promise<void> {
    const socketDir = join(this.dir, 'sock');
    if (!existsSync(socketDir)) {
      mkdirSync(socketDir);
      if (this.user) chownSync(socketDir, this.user.uid, this.user.gid);
    }
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(this.port),
      unix_socket_directories: socketDir,
      max_connections: '100',
      shared_buffers: '128MB',
      // A throw-away cluster: fsync off by default (the disk here fsyncs in ~3 ms and tests
      // stop it cleanly); benchmarks pass fsync=on to measure real commits.
      fsync: 'off',
      full_page_writes: 'off',
      log_min_messages: 'warning',
      ...this.options.settings,
    };
    const args = ['-D', this.dataDir];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    const [cmd, cmdArgs] = asUser(this.user, join(postgresBinDir(), 'postgres'), args);
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`postgres exited at start: ${this.output.trim()}`);
      if (await this.ready()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`postgres did not accept connections on ${this.port} within 20 s: ${this.output.trim()}`);
  }

  private async ready(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Stops it by PID: SIGINT is PostgreSQL's fast shutdown (clients disconnected, data kept). */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    process.kill(child.pid, signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** A new database on this server; returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return `postgres://footfall@127.0.0.1:${this.port}/${name}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const currentUser = (): string => userInfo().username;

/** A small pool on a fresh server with every migration applied (errors of a server shutting down at the end ignored). */
export async function migratedPool(server: PostgresServer): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  pool.on('error', () => undefined);
  const c = await pool.connect();
  try {
    await migrate(c);
  } finally {
    c.release();
  }
  return pool;
}
