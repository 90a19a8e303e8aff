// `footfall count`: runs the analytics (lines, zones, paths) of one configured camera
// over a MOTChallenge track file and prints the totals, without any camera source.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

/** frameRate from a seqinfo.ini beside the file or one folder up (MOTChallenge layout). */
function seqinfoFps(motPath: string): number | null {
  for (const dir of [dirname(motPath), dirname(dirname(motPath))]) {
    const ini = join(dir, 'seqinfo.ini');
    if (!existsSync(ini)) continue;
    const m = /^\s*frameRate\s*=\s*([0-9.]+)\s*$/m.exec(readFileSync(ini, 'utf8'));
    if (m && Number(m[1]) > 0) return Number(m[1]);
  }
  return null;
}

export default defineCommand({
  name: 'count',
  summary: 'count line crossings, zone visits and paths in a MOTChallenge track file',
  usage: ['count --mot TRACKS.txt --config FILE [--camera NAME] [--fps N] [--json]'],
  options: {
    mot: { type: 'string', valueName: 'FILE', description: 'tracks, MOTChallenge format: frame,id,x,y,w,h[,...] (1-based frames)' },
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'YAML config holding the camera\'s lines and zones' },
    camera: { type: 'string', valueName: 'NAME', description: 'camera whose geometry to use (optional with one camera)' },
    fps: { type: 'string', valueName: 'N', description: 'frame rate of the file (default: seqinfo.ini beside it, else the camera\'s fps)' },
    json: { type: 'boolean', description: 'print {"lines":{...},"zones":{...},"paths":{...}} as one JSON line' },
  },
  details:
    'Totals: lines {"<name>": {"in": n, "out": n}}, zones {"<name>": {"visits": n, "meanDwellMs": n}},\npaths {"<A>><B>": n} (moves between consecutive zones of a track). Foot point = bottom centre of the box.',
  async run(ctx) {
    const motPath = resolve(ctx.cwd, requireString(ctx.values, 'mot'));
    const configPath = requireString(ctx.values, 'config');
    const { loadConfig } = await import('../../config/index.ts');
    const { floorCalibrationOf } = await import('../../config/sections/calibration.ts');
    const { analyticsConfigOf } = await import('../../analytics/index.ts');
    const { motTracksOf, runCount } = await import('../../analytics/offline/index.ts');
    const { readMotFile, describeBadLines } = await import('../../track/eval/index.ts');
    const { config } = loadConfig({ file: configPath, env: ctx.env, cwd: ctx.cwd });
    const wanted = ctx.values.camera as string | undefined;
    const names = config.cameras.map((c) => c.name);
    let camera;
    if (wanted !== undefined) {
      camera = config.cameras.find((c) => c.name === wanted);
      if (!camera) throw new UsageError(`--camera ${JSON.stringify(wanted)} is not in ${configPath}; cameras: ${names.join(', ') || '(none)'}`);
    } else if (config.cameras.length === 1) camera = config.cameras[0]!;
    else if (config.cameras.length === 0) throw new UsageError(`${configPath} configures no camera; add one with lines and zones`);
    else throw new UsageError(`${configPath} has ${names.length} cameras (${names.join(', ')}); choose one with --camera`);
    const fps = numberOption(ctx.values, 'fps', seqinfoFps(motPath) ?? camera.fps, 0.1, 1000);
    const table = readMotFile(motPath);
    if (table.badLines > 0) ctx.stderr.write(`footfall count: ${motPath}: ${describeBadLines(table)}\n`);
    const tracks = motTracksOf(table);
    // A calibrated camera counts on the floor (its lines' bandM), as in the agent.
    const result = runCount({ tracks, camera: { ...camera, floor: floorCalibrationOf(camera) }, fps, analytics: analyticsConfigOf(config), keepEvents: false });
    const t = result.totals;
    if (tracks.duplicateRows > 0) ctx.stderr.write(`footfall count: ${motPath}: ${tracks.duplicateRows} rows repeat an id already seen in the same frame; the first row of each was kept\n`);
    if (ctx.values.json) {
      ctx.stdout.write(`${JSON.stringify({ lines: t.lines, zones: t.zones, paths: t.paths })}\n`);
      return 0;
    }
    ctx.stdout.write(`${tracks.distinctIds} tracks, ${tracks.frameCount} frames at ${fps} fps, camera ${camera.name}\n`);
    for (const [name, c] of Object.entries(t.lines)) ctx.stdout.write(`line ${name}: in ${c.in}, out ${c.out}\n`);
    for (const [name, z] of Object.entries(t.zones)) ctx.stdout.write(`zone ${name}: ${z.visits} visits, mean dwell ${(z.meanDwellMs / 1000).toFixed(1)} s\n`);
    for (const [k, n] of Object.entries(t.paths)) ctx.stdout.write(`path ${k}: ${n}\n`);
    return 0;
  },
});
