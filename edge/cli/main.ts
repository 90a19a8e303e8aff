// The `footfall` command dispatcher: finds the command module, parses its flags
// strictly, prints --help, and turns errors into one clear line and an exit code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isFootfallError, errorMessage } from '../shared/errors.ts';
import { LOG_FORMATS, createRootLogger, type LogFormat } from '../shared/log.ts';
import { UsageError, type CommandContext, type CommandSpec, type OptionSpec } from './command.ts';

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const PACKAGE_JSON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  'log-level': { type: 'string', valueName: 'LEVEL', description: 'trace, debug, info, warn, error or silent' },
  'log-format': { type: 'string', valueName: 'FORMAT', description: 'pretty (readable lines), json (JSON lines) or auto: pretty on a terminal, else json (else $FOOTFALL_LOG_FORMAT)' },
};

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function commandFiles(): string[] {
  return readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
}

async function loadCommand(name: string): Promise<CommandSpec | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  if (!commandFiles().includes(`${name}.ts`)) return undefined;
  const mod = (await import(join(COMMANDS_DIR, `${name}.ts`))) as { default: CommandSpec };
  return mod.default;
}

async function loadAllCommands(): Promise<CommandSpec[]> {
  const specs: CommandSpec[] = [];
  for (const file of commandFiles()) {
    const mod = (await import(join(COMMANDS_DIR, file))) as { default?: CommandSpec };
    if (mod.default) specs.push(mod.default);
  }
  return specs;
}

function formatOptions(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined ? ` (default: ${String(o.default)})` : '';
    return [flag, `${o.description}${def}`] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const usage = spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}footfall ${u}`).join('\n');
  const opts = formatOptions({ ...spec.options, ...GLOBAL_OPTIONS });
  return `${usage}\n\n${spec.summary}\n\noptions:\n${opts}\n${spec.details ? `\n${spec.details.trim()}\n` : ''}`;
}

async function mainHelp(): Promise<string> {
  const specs = await loadAllCommands();
  const width = Math.max(...specs.map((s) => s.name.length));
  const list = specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n');
  return (
    `footfall ${packageVersion()} - edge footfall analytics: cameras and Wi-Fi probes to counts, dwell, paths and queues\n\n` +
    `usage: footfall <command> [options]\n       footfall <command> --help\n\ncommands:\n${list}\n\n` +
    `global options:\n${formatOptions({ ...GLOBAL_OPTIONS, version: { type: 'boolean', description: 'print the version' } })}\n`
  );
}

function toParseArgsOptions(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  return out;
}

/** A negative number (`-70`, `-0.5`), which node's parser would take for an option. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * `--min-rssi -70` as `--min-rssi=-70`: a value-taking option followed by a negative number
 * takes it as its value (node's parseArgs refuses it as "ambiguous").
 */
export function joinNegativeValues(args: readonly string[], options: Record<string, OptionSpec>): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (takesValue.has(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function shutdownPromise(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const out = process.stdout;
  const err = process.stderr;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(await mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    out.write(`${packageVersion()}\n`);
    return 0;
  }
  let spec: CommandSpec | undefined;
  try {
    spec = await loadCommand(name);
  } catch (e) {
    err.write(`footfall: cannot load command "${name}": ${errorMessage(e)}\n`);
    return 1;
  }
  if (!spec) {
    err.write(`footfall: unknown command "${name}"; run "footfall --help" for the list\n`);
    return 2;
  }
  const allOptions = { ...spec.options, ...GLOBAL_OPTIONS };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: joinNegativeValues(rest, allOptions),
      options: toParseArgsOptions(allOptions),
      strict: true,
      allowPositionals: spec.allowPositionals ?? false,
    });
  } catch (e) {
    err.write(`footfall ${name}: ${errorMessage(e).replace(/\. To specify a positional.*$/s, '')}\n${spec.usage.map((u) => `usage: footfall ${u}`).join('\n')}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.write(commandHelp(spec));
    return 0;
  }
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [k, o] of Object.entries(allOptions)) {
    values[k] = (parsed.values[k] as string | boolean | string[] | undefined) ?? o.default;
  }
  const level = (values['log-level'] as string | undefined) ?? process.env.FOOTFALL_LOG_LEVEL;
  const validLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  if (level !== undefined && !validLevels.includes(level)) {
    err.write(`footfall ${name}: --log-level must be one of ${validLevels.join(', ')}, got ${JSON.stringify(level)}\n`);
    return 2;
  }
  const format = (values['log-format'] as string | undefined) ?? process.env.FOOTFALL_LOG_FORMAT ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    err.write(`footfall ${name}: --log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}\n`);
    return 2;
  }
  const ctx: CommandContext = {
    values,
    positionals: parsed.positionals,
    stdout: out,
    stderr: err,
    cwd: process.cwd(),
    env: process.env,
    logger: createRootLogger({ level: (level ?? 'info') as 'info', format: format as LogFormat }),
    logFormat: format as LogFormat,
    shutdownSignal: shutdownPromise(),
  };
  try {
    return await spec.run(ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`footfall ${name}: ${e.message}\n${spec.usage.map((u) => `usage: footfall ${u}`).join('\n')}\n`);
      return 2;
    }
    if (isFootfallError(e)) {
      err.write(`footfall ${name}: ${e.message}\n`);
      return 1;
    }
    err.write(`footfall ${name}: ${errorMessage(e)}\n`);
    if (process.env.FOOTFALL_DEBUG) err.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}
