// The outbox read-ahead's worker thread (plain JavaScript: it starts in milliseconds,
// without the TypeScript loader): its own read-only connection to the store file runs
// the outbox's batch statement (OUTBOX_BATCH_SQL, passed in) for one batch after another,
// joins each as joinBatch in outbox-batch-reader.ts does, and posts its bytes to the
// publisher's thread, at most `depth` batches ahead. Messages: outbox-read-protocol.ts.
// A batch over the byte limit is posted as it is; the other side then reads that one
// itself (with fewer events).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** A seq past any real one: an unbounded read. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/** @type {{ path: string; depth: number; sql: string }} */
const { path, depth, sql } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

let statement;
try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  statement = db.prepare(sql).raw(true);
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

let generation = -1;
/** @type {{ maxEvents: number; maxJsonBytes: number; prefix: string; suffix: string } | null} */
let limits = null;
let nextAfterSeq = 0;
let ahead = 0;
let ended = true;

function readAhead() {
  while (!ended && limits && ahead < depth) {
    const afterSeq = nextAfterSeq;
    /** @type {Array<[number, string]>} */
    const rows = statement.all(afterSeq, NO_BOUND, limits.maxEvents);
    if (rows.length === 0) {
      ended = true;
      port.postMessage({ type: 'end', generation, afterSeq });
      return;
    }
    const parts = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) parts[i] = rows[i][1];
    const payload = Buffer.from(limits.prefix + parts.join(',') + limits.suffix);
    const lastSeq = rows[rows.length - 1][0];
    nextAfterSeq = lastSeq;
    ahead++;
    // A Buffer that owns its memory moves to the other thread without a copy.
    const owns = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength;
    port.postMessage({ type: 'batch', generation, afterSeq, payload, firstSeq: rows[0][0], lastSeq, count: rows.length }, owns ? [payload.buffer] : []);
  }
}

port.on('message', (m) => {
  try {
    if (m.type === 'start') {
      generation = m.generation;
      limits = m.limits;
      nextAfterSeq = m.afterSeq;
      ahead = 0;
      ended = false;
    } else if (m.generation === generation) {
      ahead = Math.max(0, ahead - m.taken);
    }
    readAhead();
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
