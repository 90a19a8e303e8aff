// Writes a simulated crowd sequence (gt.txt, det.txt, seqinfo.ini in MOTChallenge format)
// for dense-crowd tracking tests and benchmarks:
//   npx tsx scripts/crowd-sim.ts --out DIR [--people 200] [--frames 300] [--fps 10] [--seed 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { simulateCrowd, DEFAULT_CROWD } from './crowd-sim/simulator.ts';

export { simulateCrowd, DEFAULT_CROWD, type CrowdSimOptions, type CrowdSequence } from './crowd-sim/simulator.ts';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      people: { type: 'string', default: String(DEFAULT_CROWD.people) },
      frames: { type: 'string', default: String(DEFAULT_CROWD.frames) },
      fps: { type: 'string', default: String(DEFAULT_CROWD.fps) },
      seed: { type: 'string', default: String(DEFAULT_CROWD.seed) },
      'fp-rate': { type: 'string', default: String(DEFAULT_CROWD.falsePositiveRate) },
    },
    strict: true,
  });
  if (!values.out) {
    process.stderr.write('usage: crowd-sim --out DIR [--people N] [--frames N] [--fps N] [--seed S] [--fp-rate R]\n');
    process.exit(2);
  }
  const num = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      process.stderr.write(`crowd-sim: --${name} must be a number between ${min} and ${max}, got ${JSON.stringify(v)}\n`);
      process.exit(2);
    }
    return n;
  };
  const seq = simulateCrowd({
    people: Math.round(num('people', values.people, 1, 5000)),
    frames: Math.round(num('frames', values.frames, 1, 1_000_000)),
    fps: num('fps', values.fps, 0.1, 120),
    seed: Math.round(num('seed', values.seed, 0, 2 ** 32 - 1)),
    falsePositiveRate: num('fp-rate', values['fp-rate'], 0, 10),
  });
  const dir = resolve(values.out);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gt.txt'), seq.gt);
  writeFileSync(join(dir, 'det.txt'), seq.det);
  writeFileSync(join(dir, 'seqinfo.ini'), seq.seqinfo);
  process.stdout.write(`wrote ${dir}: ${seq.options.frames} frames, ${seq.gtBoxes} gt boxes, ${seq.detBoxes} detections\n`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('crowd-sim.ts')) main();
