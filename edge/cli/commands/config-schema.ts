// `footfall config-schema`: the config's JSON Schema, for editors and docs.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'config-schema',
  summary: 'print the JSON Schema of footfall.yaml (or write it with --out)',
  usage: ['config-schema [--out FILE]', 'config-schema --check FILE'],
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'write the schema to FILE instead of stdout' },
    check: { type: 'string', valueName: 'FILE', description: 'validate a config file and print the problems' },
  },
  async run(ctx) {
    if (typeof ctx.values.check === 'string') {
      const { loadConfig } = await import('../../config/index.ts');
      loadConfig({ file: ctx.values.check, env: ctx.env, cwd: ctx.cwd });
      ctx.stdout.write(`${ctx.values.check}: valid\n`);
      return 0;
    }
    const { configJsonSchema } = await import('../../config/index.ts');
    const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
    if (typeof ctx.values.out === 'string') writeFileSync(resolve(ctx.cwd, ctx.values.out), text);
    else ctx.stdout.write(text);
    return 0;
  },
});
