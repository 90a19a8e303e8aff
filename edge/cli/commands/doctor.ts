// `footfall doctor`: checks what the agent needs on this box and says how to fix what is wrong.
import { defineCommand } from '../command.ts';

export const DEMO_VIDEO = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

export default defineCommand({
  name: 'doctor',
  summary: 'check ffmpeg, packet capture, the model, the database path, cameras and the broker',
  usage: ['doctor [--config FILE] [--json]'],
  options: {
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'YAML config file' },
    json: { type: 'boolean', description: 'print the results as JSON' },
  },
  details: 'Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed.',
  async run(ctx) {
    const { loadConfig } = await import('../../config/index.ts');
    const checks = await import('../doctor-checks.ts');
    const { config, file } = loadConfig({ file: ctx.values.config as string | undefined, env: ctx.env, cwd: ctx.cwd });
    const results = [
      { name: 'config', status: 'ok' as const, detail: file ?? 'embedded defaults (no footfall.yaml)' },
      await checks.checkFfmpeg(),
      await checks.checkCapture(config),
      checks.checkModel(config, ctx.cwd),
      checks.checkDatabasePath(config, ctx.cwd),
      checks.checkCameras(config, DEMO_VIDEO),
      await checks.checkBroker(config),
    ];
    if (ctx.values.json) {
      ctx.stdout.write(`${JSON.stringify({ results })}\n`);
    } else {
      const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
      for (const r of results) {
        ctx.stdout.write(`[${mark[r.status]}] ${r.name}: ${r.detail}\n`);
        if ('fix' in r && r.fix && r.status !== 'ok') ctx.stdout.write(`       fix: ${r.fix}\n`);
      }
    }
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  },
});
