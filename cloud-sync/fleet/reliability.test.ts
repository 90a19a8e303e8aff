// The fleet-ingestion reliability test from the issue: 50 simulated devices x 2,000
// events through 3 `footfall ingest` processes sharing one subscription; one worker is
// SIGKILLed twice mid-stream and restarted, the broker is restarted once. PostgreSQL
// must end with exactly the 100,000 ids sent: none missing, none twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { FleetSimulator } from './fleet-simulator.ts';
import { migrate } from './migrations.ts';
import { PostgresServer } from './test-support/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));
const DEVICES = 50;
const EVENTS = 2_000;
const TOTAL = DEVICES * EVENTS;

let pgs: PostgresServer;
let broker: Mosquitto;
const children = new Set<ChildProcess>();

/** The last filter of each lane's SUBSCRIBE: once the broker logs it, the SUBACK follows. */
const LAST_FILTER = '$share/reliability/footfall/v1/+/+/status';

/** Starts `footfall ingest` and resolves once it has connected and subscribed. */
function startWorker(clientId: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'ingest', '--url', broker.url, '--pg', pgs.url, '--group', 'reliability', '--client-id', clientId, '--lanes', '3', '--stats-interval', '0', '--log-level', 'info'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' } },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lanes = [1, 2, 3].map((i) => `${clientId}-${i}`);
  const subscribed = lanes.map((lane) => broker.subscriptionCount(lane, LAST_FILTER));
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${clientId} did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('ingest started')) {
        clearTimeout(timer);
        Promise.all(lanes.map((lane, i) => broker.waitForSubscription(lane, LAST_FILTER, subscribed[i]))).then(() => resolve(child), reject);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${clientId} exited with ${code}: ${err}`));
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  [pgs, broker] = await Promise.all([PostgresServer.start(), Mosquitto.start({ persistence: true })]);
  const c = new pg.Client(pgs.url);
  await c.connect();
  await migrate(c);
  await c.end();
});

afterAll(async () => {
  await Promise.all([...children].map((c) => kill(c, 'SIGKILL')));
  await Promise.all([pgs?.dispose(), broker?.dispose()]);
});

describe('fleet ingestion reliability', () => {
  it('stores exactly the 100,000 events sent through worker kills and a broker restart', { timeout: 180_000 }, async () => {
    const db = new pg.Client(pgs.url);
    await db.connect();
    const rows = async () => Number((await db.query('SELECT count(*) AS n FROM events')).rows[0].n);
    try {
      const workers = await Promise.all(['w1', 'w2', 'w3'].map((id) => startWorker(id)));
      const sent = new Set<string>();
      // Paced so that the stream lasts long enough for the kills and the restart.
      const sim = new FleetSimulator({ url: broker.url, devices: DEVICES, events: EVENTS, rate: 4_000, batchSize: 50, counts: false, onIds: (ids) => ids.forEach((id) => sent.add(id)) });
      const simDone = sim.run();
      const progress: number[] = [];

      await sleep(2_500);
      progress.push(await rows());
      await kill(workers[0]!, 'SIGKILL');
      await sleep(1_500);
      workers[0] = await startWorker('w1');

      await sleep(2_000);
      progress.push(await rows());
      await broker.restart();

      await sleep(2_500);
      progress.push(await rows());
      await kill(workers[0]!, 'SIGKILL');
      await sleep(1_500);
      workers[0] = await startWorker('w1');

      const simResult = await simDone;
      expect(simResult.events).toBe(TOTAL);
      expect(sent.size).toBe(TOTAL);
      // Every disruption happened while events were still flowing.
      expect(progress[0]).toBeGreaterThan(0);
      for (const p of progress) expect(p).toBeLessThan(TOTAL);

      const deadline = Date.now() + 60_000;
      while ((await rows()) < TOTAL && Date.now() < deadline) await sleep(250);
      await sleep(1_000); // anything extra (a duplicate) would land now
      const { rows: r } = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events');
      expect(Number(r[0]!.n)).toBe(TOTAL);
      expect(Number(r[0]!.d)).toBe(TOTAL);
      const stored = (await db.query<{ id: string }>('SELECT id FROM events')).rows;
      let foreign = 0;
      for (const { id } of stored) if (!sent.has(id)) foreign++;
      expect(foreign).toBe(0);
      await Promise.all(workers.map((w) => kill(w, 'SIGTERM')));
    } finally {
      await db.end();
    }
  });
});
