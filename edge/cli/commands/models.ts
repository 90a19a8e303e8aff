// `footfall models`: the known detection models, where their files were found and
// whether the checksum matches.
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'models',
  summary: 'list the known detection models and whether their files are present and verified',
  usage: ['models [--json] [--dir DIR ...]'],
  options: {
    json: { type: 'boolean', description: 'print JSON' },
    dir: { type: 'string', valueName: 'DIR', multiple: true, description: 'extra directory to search first (like detector.modelDirs)' },
  },
  details: 'Model files are searched in the configured directories, then ./models, then ../shared/models.\nfootfall never downloads models.',
  async run(ctx) {
    const { modelStatuses, searchDirs } = await import('../../../models/index.ts');
    const opts = { cwd: ctx.cwd, modelDirs: (ctx.values.dir as string[] | undefined) ?? [] };
    const rows = modelStatuses(opts);
    if (ctx.values.json) {
      ctx.stdout.write(
        `${JSON.stringify({
          searched: searchDirs(opts),
          models: rows.map((r) => ({
            name: r.info.name,
            file: r.info.file,
            status: r.status,
            path: r.path,
            input: `${r.info.inputWidth}x${r.info.inputHeight}`,
            decoder: r.info.decoder,
            scoreThreshold: r.info.defaultScoreThreshold,
            sha256: r.info.sha256,
            license: r.info.license,
            source: r.info.sourceUrl,
            detail: r.detail,
          })),
        })}\n`,
      );
      return rows.some((r) => r.status === 'ok') ? 0 : 1;
    }
    const w = Math.max(...rows.map((r) => r.info.name.length));
    for (const r of rows) {
      const mark = r.status === 'ok' ? 'ok      ' : r.status === 'missing' ? 'MISSING ' : 'MISMATCH';
      ctx.stdout.write(`${r.info.name.padEnd(w)}  ${mark}  ${r.info.inputWidth}x${r.info.inputHeight} ${r.info.decoder.padEnd(10)} thr ${r.info.defaultScoreThreshold}  ${r.path ?? r.detail}\n`);
      ctx.stdout.write(`${''.padEnd(w)}  ${r.info.license}; ${r.info.note}\n`);
    }
    ctx.stdout.write(`searched: ${searchDirs(opts).join(', ')}\n`);
    return rows.some((r) => r.status === 'ok') ? 0 : 1;
  },
});
