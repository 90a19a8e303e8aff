// Realistic synthetic events of every type the agent stores, deterministic by seed,
// for `footfall synth-events`, store tests and benchmarks.
import { SeededRandom } from '../shared/random.ts';
import type { NewEvent } from '../shared/types.ts';

const CAMERAS = ['entrance-cam', 'atrium-cam', 'foodcourt-cam'];
const LINES = ['main-door', 'north-door', 'escalator'];
const ZONES = ['atrium', 'shop-a', 'shop-b', 'foodcourt', 'cashier-queue'];
const SENSORS = ['wifi-east', 'wifi-west'];

export interface SynthOptions {
  count: number;
  seed?: number;
  /** Events are spread evenly over [startMs, startMs + spanMs). */
  startMs?: number;
  spanMs?: number;
}

/** Yields `count` events in time order: mostly line crossings and zone visits, some of every other type. */
export function* synthesizeEvents(options: SynthOptions): Generator<NewEvent> {
  const rnd = new SeededRandom(options.seed ?? 1);
  const spanMs = options.spanMs ?? 24 * 3_600_000;
  const startMs = options.startMs ?? Date.now() - spanMs;
  const step = spanMs / Math.max(1, options.count);
  let trackId = 1;
  for (let i = 0; i < options.count; i++) {
    const tsMs = Math.floor(startMs + i * step);
    const camera = rnd.pick(CAMERAS);
    const r = rnd.next();
    if (r < 0.45) {
      yield { tsMs, type: 'line.cross', source: camera, data: { line: rnd.pick(LINES), direction: rnd.next() < 0.52 ? 'in' : 'out', trackId: trackId++ } };
    } else if (r < 0.75) {
      yield {
        tsMs,
        type: 'zone.visit',
        source: camera,
        data: { zone: rnd.pick(ZONES), trackId: trackId++, dwellMs: Math.round(rnd.exponential(90_000)) },
      };
    } else if (r < 0.85) {
      const n = rnd.int(2, 4);
      const zones: string[] = [];
      const dwellsMs: number[] = [];
      for (let k = 0; k < n; k++) {
        zones.push(rnd.pick(ZONES));
        dwellsMs.push(Math.round(rnd.exponential(60_000)));
      }
      yield { tsMs, type: 'path', source: camera, data: { trackId: trackId++, zones, dwellsMs } };
    } else if (r < 0.9) {
      const length = rnd.int(0, 12);
      yield { tsMs, type: 'queue', source: camera, data: { queue: 'cashier-queue', length, waitMs: length * Math.round(rnd.normal(45_000, 8_000)) } };
    } else if (r < 0.98) {
      const dwellMs = Math.round(rnd.exponential(600_000));
      const hash = Math.floor(rnd.next() * 0xffffffff).toString(16).padStart(8, '0') + Math.floor(rnd.next() * 0xffffffff).toString(16).padStart(8, '0');
      yield {
        tsMs,
        type: 'wifi.visit',
        source: rnd.pick(SENSORS),
        data: {
          macHash: hash,
          randomized: rnd.next() < 0.8,
          firstMs: tsMs - dwellMs,
          lastMs: tsMs,
          dwellMs,
          rssiMaxDbm: rnd.int(-90, -40),
          sensors: [rnd.pick(SENSORS)],
          class: dwellMs >= 300_000 ? 'visitor' : 'passerby',
        },
      };
    } else {
      yield {
        tsMs,
        type: 'alert',
        source: camera,
        data: { rule: 'crowding', subject: rnd.pick(ZONES), value: rnd.int(40, 80), threshold: 40, state: rnd.next() < 0.5 ? 'raised' : 'cleared' },
      };
    }
  }
}
