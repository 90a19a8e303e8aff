// `footfall bench TARGET`: runs a benchmark from scripts/bench side by side with its reference.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, UsageError } from '../command.ts';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'bench');
const NOT_TARGETS = new Set(['types', 'machine', 'paths-throughput']);

function targets(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_TARGETS.has(n) && !n.startsWith('_'))
    .sort();
}

export default defineCommand({
  name: 'bench',
  summary: 'run a benchmark against its reference in one run and print the ratio',
  usage: ['bench TARGET [--json] [-- --key value ...]'],
  options: {
    json: { type: 'boolean', description: 'print one JSON object {"target","results":[...]} as the last line' },
  },
  allowPositionals: true,
  details: 'Targets are the files in scripts/bench; extra "--key value" pairs after TARGET go to the target.',
  async run(ctx) {
    const [name, ...extra] = ctx.positionals;
    const available = targets();
    if (!name) throw new UsageError(`name a target: ${available.join(', ')}`);
    if (!available.includes(name)) throw new UsageError(`unknown bench target "${name}"; available: ${available.join(', ')}`);
    const args: Record<string, string | boolean> = {};
    for (let i = 0; i < extra.length; i++) {
      const k = extra[i]!;
      if (!k.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(k)}`);
      const next = extra[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        args[k.slice(2)] = next;
        i++;
      } else args[k.slice(2)] = true;
    }
    const mod = (await import(join(BENCH_DIR, `${name}.ts`))) as { default: import('../../../scripts/bench/types.ts').BenchTarget };
    const report = await mod.default.run({ args, cwd: ctx.cwd, log: (line) => ctx.stderr.write(`${line}\n`) });
    for (const r of report.results) {
      const ratio = r.ratio === null ? '-' : r.ratio.toFixed(3);
      const pass = r.pass === undefined ? '' : r.pass ? '  PASS' : '  MISS';
      ctx.stdout.write(`${r.name}: ours ${r.ours} ${r.unit}, reference ${r.reference ?? '-'} ${r.unit}, ratio ${ratio}${r.target ? ` (target ${r.target})` : ''}${pass}\n`);
    }
    if (ctx.values.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  },
});
