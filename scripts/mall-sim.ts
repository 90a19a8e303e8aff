// Writes a simulated multi-camera mall (scripts/mall-sim/) for mall-wide paths (#24):
//   npx tsx scripts/mall-sim.ts --layout street-overlap|tee-gaps|atrium --people N --minutes M --seed S --out DIR
//     [--fps 10] [--jitter 0.04] [--fp-rate 0.03] [--installer-px 2] [--installer-m 0.03]
// DIR gets site.yaml (cameras with calibration points, floorPlan.zones), det/<camera>.txt and
// gt/<camera>.txt (MOTChallenge), truth.json (visits, transitions, sequences, per person).
// Then: footfall paths --config DIR/site.yaml --det cam1=DIR/det/cam1.txt ... --fps 10 --json
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Document, isSeq } from 'yaml';
import { LAYOUTS } from './mall-sim/layouts.ts';
import { DEFAULT_MALL, MALL_NOISE_MODEL, simulateMall } from './mall-sim/simulator.ts';

export { simulateMall, DEFAULT_MALL, MALL_NOISE_MODEL, type MallSimOptions, type MallSimulation } from './mall-sim/simulator.ts';

const USAGE = `usage: mall-sim --layout ${Object.keys(LAYOUTS).join('|')} --people N --minutes M --seed S --out DIR [--fps N] [--jitter J] [--fp-rate R] [--installer-px P] [--installer-m M]\n`;

function main(): void {
  const { values } = parseArgs({
    options: {
      layout: { type: 'string' },
      people: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      fps: { type: 'string', default: String(DEFAULT_MALL.fps) },
      jitter: { type: 'string', default: String(DEFAULT_MALL.jitter) },
      'fp-rate': { type: 'string', default: String(DEFAULT_MALL.falsePositiveRate) },
      'installer-px': { type: 'string', default: String(DEFAULT_MALL.installerPx) },
      'installer-m': { type: 'string', default: String(DEFAULT_MALL.installerM) },
    },
    strict: true,
  });
  const fail = (msg: string): never => {
    process.stderr.write(`mall-sim: ${msg}\n${USAGE}`);
    process.exit(2);
  };
  if (!values.out || !values.layout || !values.people || !values.minutes || !values.seed) fail('--layout, --people, --minutes, --seed and --out are required');
  if (!LAYOUTS[values.layout!]) fail(`unknown --layout "${values.layout}"`);
  const num = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number between ${min} and ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  const sim = simulateMall({
    layout: values.layout!,
    people: Math.round(num('people', values.people, 1, 5000)),
    minutes: num('minutes', values.minutes, 0.1, 120),
    seed: Math.round(num('seed', values.seed, 0, 2 ** 32 - 1)),
    fps: num('fps', values.fps, 1, 60),
    jitter: num('jitter', values.jitter, 0, 0.2),
    falsePositiveRate: num('fp-rate', values['fp-rate'], 0, 10),
    installerPx: num('installer-px', values['installer-px'], 0, 50),
    installerM: num('installer-m', values['installer-m'], 0, 1),
  });
  const dir = resolve(values.out!);
  mkdirSync(join(dir, 'det'), { recursive: true });
  mkdirSync(join(dir, 'gt'), { recursive: true });
  // Points and polygons one pair per line ([u, v, x, y], [x, y]), the rest block style.
  const doc = new Document(sim.siteConfig);
  const flowItems = (path: Array<string | number>) => {
    const seq = doc.getIn(path, true);
    if (isSeq(seq)) for (const item of seq.items) if (isSeq(item)) item.flow = true;
  };
  sim.siteConfig.cameras.forEach((_, i) => flowItems(['cameras', i, 'calibration', 'points']));
  sim.siteConfig.floorPlan.zones.forEach((_, i) => {
    const seq = doc.getIn(['floorPlan', 'zones', i, 'polygon'], true);
    if (isSeq(seq)) seq.flow = true;
  });
  writeFileSync(join(dir, 'site.yaml'), `# mall-sim ${JSON.stringify(sim.options)}\n# ${sim.layout.description}\n# noise: ${MALL_NOISE_MODEL}\n${doc.toString()}`);
  for (const d of sim.detections) writeFileSync(join(dir, 'det', `${d.camera}.txt`), d.det);
  for (const g of sim.gt) writeFileSync(join(dir, 'gt', `${g.camera}.txt`), g.gt);
  const cameras = sim.cameras.map((c) => ({ name: c.name, width: c.width, height: c.height, K: c.K, R: c.R, T: c.T, mount: c.mount }));
  writeFileSync(join(dir, 'truth.json'), `${JSON.stringify({ options: sim.options, layout: sim.layout.name, noise: MALL_NOISE_MODEL, frames: sim.frames, cameras, chain: sim.chain, ...sim.truth }, null, 1)}\n`);
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `wrote ${dir}: ${sim.layout.name}, ${sim.cameras.length} cameras, ${sim.frames} frames at ${sim.options.fps} fps, ${sim.options.people} people; truth ${total(sim.truth.visits)} visits, ${total(sim.truth.transitions)} transitions, ${total(sim.truth.sequences)} sequences\n` +
      `run: footfall paths --config ${join(dir, 'site.yaml')} ${sim.cameras.map((c) => `--det ${c.name}=${join(dir, 'det', `${c.name}.txt`)}`).join(' ')} --fps ${sim.options.fps} --json\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('mall-sim.ts')) main();
