// The publisher process (`footfall sync --drain`, the real CLI) is killed with SIGKILL
// at random moments 10 times during a 20,000-event drain and restarted each time:
// the de-duplicated set received equals the set stored, and an event arrives more
// than once only if its PUBACK had not been recorded when a publisher died.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../edge/shared/random.ts';
import { Mosquitto } from '../test-support/mosquitto.ts';
import { Collector, allIds, storeWith, tempDir, waitFor } from './test-support/helpers.ts';

const CLI = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));
const tmp = tempDir();
let broker: Mosquitto | null = null;
afterAll(async () => {
  await broker?.dispose();
  tmp.cleanup();
});

function unsentIds(path: string): Set<string> {
  const db = new Database(path, { readonly: true });
  try {
    // Unsent = past the outbox's acknowledged position, or held back (edge/store/outbox-state.ts).
    const rows = db
      .prepare(
        `SELECT id FROM events WHERE seq > (SELECT acked_seq FROM outbox_state WHERE name = 'events') OR seq IN (SELECT seq FROM outbox_held)`,
      )
      .all() as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  } finally {
    db.close();
  }
}

function startPublisher(db: string, url: string, config: string): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, 'sync', '--db', db, '--url', url, '--drain', '--config', config, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, stderr: () => err };
}

describe('publisher SIGKILLed 10 times during a 20,000-event drain', () => {
  it('loses nothing and duplicates only events whose PUBACK was not recorded', async () => {
    broker = await Mosquitto.start();
    const db = join(tmp.dir, 'kill.db');
    const store = storeWith(db, 20_000, 42);
    const stored = allIds(store);
    store.close();
    // Small batches and a small window make each run take long enough to be killed mid-drain.
    const config = join(tmp.dir, 'footfall.yaml');
    writeFileSync(config, 'site: mall\ndevice: killed\nmqtt:\n  batch:\n    maxEvents: 20\n  maxInFlight: 2\n');
    const collector = await Collector.start(broker.url);
    const rnd = new SeededRandom(7);
    /** For each event id: in how many kill snapshots it was still unsent. */
    const unsentAtKill = new Map<string, number>();
    let received = 0;
    collector.onId = () => received++;
    for (let kill = 0; kill < 10; kill++) {
      const run = startPublisher(db, broker.url, config);
      const target = received + rnd.int(200, 1_200);
      await waitFor(`run ${kill + 1} to publish`, () => received >= target || run.child.exitCode !== null, 30_000, 2);
      expect(run.child.exitCode, `run ${kill + 1} ended before it was killed: ${run.stderr()}`).toBeNull();
      process.kill(run.child.pid!, 'SIGKILL');
      const ended = await run.exit;
      expect(ended.signal, `run ${kill + 1} exited with code ${ended.code} before the kill: ${run.stderr()}`).toBe('SIGKILL');
      const unsent = unsentIds(db);
      expect(unsent.size, `the drain was over before kill ${kill + 1}`).toBeGreaterThan(0);
      for (const id of unsent) unsentAtKill.set(id, (unsentAtKill.get(id) ?? 0) + 1);
    }
    const last = startPublisher(db, broker.url, config);
    const outcome = await last.exit;
    expect(outcome.code, last.stderr()).toBe(0);
    await waitFor('every event at the collector', () => collector.unique === stored.size, 20_000);
    expect(new Set(collector.counts.keys())).toEqual(stored);
    expect(unsentIds(db).size).toBe(0);
    // An event can only be received again by a run that found it unsent: once in the first
    // run, plus once per kill after which it was still unsent.
    let duplicates = 0;
    for (const [id, n] of collector.counts) {
      if (n > 1) duplicates += n - 1;
      expect(n, `event ${id} received ${n} times`).toBeLessThanOrEqual(1 + (unsentAtKill.get(id) ?? 0));
    }
    expect(collector.invalid).toEqual([]);
    // At most the in-flight window (2 batches of 20) can be unrecorded at each kill.
    expect(duplicates).toBeLessThanOrEqual(10 * 2 * 20);
    await collector.stop();
  }, 120_000);
});
