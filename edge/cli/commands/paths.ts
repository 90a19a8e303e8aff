// `footfall paths`: mall-wide paths offline. Runs the agent's floor tracker, fragment builder and
// site stitcher over MOTChallenge detection files, one per camera of a site config (each with a
// floor calibration, the site's floorPlan zones), and prints the visits per zone, transitions
// "A>B" and sequences "A>B>C". No k-anonymity offline.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'paths',
  summary: 'mall-wide paths (zone visits, transitions, sequences) from per-camera detection files',
  usage: ['paths --config SITE.yaml --det CAMERA=DET.txt [--det CAMERA=DET.txt ...] --fps N [--no-handover] [--json]'],
  options: {
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'site config: floorPlan.zones (metres) and cameras with calibration' },
    det: { type: 'string', multiple: true, valueName: 'CAMERA=FILE', description: 'a camera\'s detections, MOTChallenge det format (frame,id,x,y,w,h,score; frames from 1)' },
    fps: { type: 'string', valueName: 'N', description: 'frame rate of the detection files (all the same; frame 1 of each is the same instant)' },
    'no-handover': { type: 'boolean', description: 'the per-camera baseline: each camera\'s own tracks, no hand-over between cameras' },
    json: { type: 'boolean', description: 'the last line is {"visits":{...},"transitions":{"A>B":n},"sequences":{"A>B>C":n},...}' },
  },
  details: 'A visit is sitePaths.visitMinS (default 3 s) continuously inside a floorPlan zone; transitions are consecutive visits of one person to different zones; sequences three in a row.\nCameras without a calibration take no part (said on stderr).',
  async run(ctx) {
    const configPath = requireString(ctx.values, 'config');
    const dets = (ctx.values.det as string[] | undefined) ?? [];
    if (dets.length === 0) throw new UsageError('--det CAMERA=FILE is needed at least once');
    const fps = numberOption(ctx.values, 'fps', Number.NaN, 0.1, 1000);
    if (!Number.isFinite(fps)) throw new UsageError('--fps N is needed (the detection files\' frame rate)');
    const { loadConfig } = await import('../../config/index.ts');
    const { runSitePathsOffline } = await import('../../site-paths/index.ts');
    const { config } = loadConfig({ file: configPath, env: ctx.env, cwd: ctx.cwd });
    const names = new Set(config.cameras.map((c) => c.name));
    const detections = dets.map((d) => {
      const at = d.indexOf('=');
      if (at <= 0 || at === d.length - 1) throw new UsageError(`--det ${JSON.stringify(d)}: must be CAMERA=FILE`);
      const camera = d.slice(0, at);
      if (!names.has(camera)) throw new UsageError(`--det ${camera}=...: camera "${camera}" is not in ${configPath}; cameras: ${[...names].join(', ') || '(none)'}`);
      const file = resolve(ctx.cwd, d.slice(at + 1));
      let det: string;
      try {
        det = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`--det ${camera}=${d.slice(at + 1)}: cannot read ${file}: ${(err as Error).message}`);
      }
      return { camera, det };
    });
    if (config.floorPlan.zones.length === 0) ctx.stderr.write(`footfall paths: ${configPath} has no floorPlan.zones: nothing can be visited\n`);
    const r = runSitePathsOffline({ config, detections, fps, handover: ctx.values['no-handover'] !== true });
    for (const c of r.uncalibrated) ctx.stderr.write(`footfall paths: camera "${c}" has no floor calibration: it takes no part\n`);
    for (const z of r.unseenZones) ctx.stderr.write(`footfall paths: floorPlan zone "${z}" lies outside every calibrated camera's view\n`);
    const result = { visits: r.visits, transitions: r.transitions, sequences: r.sequences, fragments: r.fragments, siteTracks: r.siteTracks, handovers: r.handovers, cuts: r.cuts };
    if (ctx.values.json) {
      ctx.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    ctx.stdout.write(`${detections.length} cameras at ${fps} fps: ${r.fragments} fragments -> ${r.siteTracks} site tracks (${r.handovers} hand-overs, ${r.cuts} cut as ambiguous)\n`);
    for (const [z, n] of Object.entries(r.visits)) ctx.stdout.write(`visits ${z}: ${n}\n`);
    for (const [k, n] of Object.entries(r.transitions).sort((a, b) => b[1] - a[1])) ctx.stdout.write(`transition ${k}: ${n}\n`);
    for (const [k, n] of Object.entries(r.sequences).sort((a, b) => b[1] - a[1])) ctx.stdout.write(`sequence ${k}: ${n}\n`);
    return 0;
  },
});
