// Writes synthetic radiotap captures of a simulated mall with ground truth:
//   npx tsx scripts/synth-pcap.ts --frames 100000 --sensors 2 --out DIR [--seed 1] [--span-minutes M] [--start ISO]
// Produces DIR/sensor-N.pcap (one per sensor) and DIR/truth.json (devices, classes, per-minute presence).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultSpanMs, generateMall } from './synth-pcap/mall.ts';

function main(): void {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '10000' },
      sensors: { type: 'string', default: '2' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'span-minutes': { type: 'string' },
      start: { type: 'string', default: '2026-03-14T09:00:00Z' },
    },
    strict: true,
  });
  const frames = Number(values.frames);
  const sensors = Number(values.sensors);
  if (!Number.isInteger(frames) || frames < 1 || frames > 20_000_000) throw new Error('--frames must be a whole number 1..20000000');
  if (!Number.isInteger(sensors) || sensors < 1 || sensors > 16) throw new Error('--sensors must be 1..16');
  if (!values.out) throw new Error('--out DIR is required');
  const startMs = Date.parse(values.start!);
  if (Number.isNaN(startMs)) throw new Error('--start must be an ISO date-time');
  const spanMs = values['span-minutes'] ? Number(values['span-minutes']) * 60_000 : defaultSpanMs(frames);
  const t0 = performance.now();
  const truth = generateMall({ frames, sensors, seed: Number(values.seed), startMs, spanMs, outDir: resolve(values.out) });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `wrote ${truth.frames} frames to ${truth.files.join(', ')} in ${s} s: ${truth.devices} devices ` +
      `(${truth.randomizedDevices} randomizing, ${truth.addresses} addresses; ${JSON.stringify(truth.byClass)})\n`,
  );
}

main();
