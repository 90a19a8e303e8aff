// A child process for the crash test: appends events in batches forever and, after
// each committed batch, prints `committed <rowsInDb> <lastId>`. The test kills it
// with SIGKILL at random moments and checks what the database holds.
import { EventStore } from '../event-store.ts';

const [path, seedArg] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: crash-writer DB [SEED]\n');
  process.exit(2);
}
const store = EventStore.open({ path, synchronous: 'NORMAL', flushMaxEvents: 1_000_000 });
let rows = store.eventCount();
let i = Number(seedArg ?? 0) * 1_000_000;
for (;;) {
  let lastId = '';
  const batch = 200 + (i % 300);
  for (let k = 0; k < batch; k++) {
    lastId = store.append({ tsMs: Date.now(), type: 'line.cross', source: 'crash-cam', data: { line: 'door', direction: k % 2 ? 'in' : 'out', trackId: i++ } });
  }
  rows += store.flush();
  process.stdout.write(`committed ${rows} ${lastId}\n`);
}
