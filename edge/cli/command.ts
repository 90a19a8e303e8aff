// What a CLI command is: a name, a summary, its options (parsed strictly, so an
// unknown flag is a usage error) and a run function. Commands live one per file in
// commands/ and import their heavy dependencies lazily inside run().
import type { Writable } from 'node:stream';
import type { LogFormat, Logger } from '../shared/log.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** Shown in --help as the value's name, e.g. FILE, N. */
  valueName?: string;
  default?: string | boolean;
  multiple?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A root logger for this command (level from --log-level, format from --log-format). */
  logger: Logger;
  /** --log-format (else $FOOTFALL_LOG_FORMAT, else auto), for commands that build their own root logger. */
  logFormat: LogFormat;
  /** Resolves when SIGINT/SIGTERM arrives (long-running commands await it). */
  shutdownSignal: Promise<NodeJS.Signals>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** One or more usage lines without the leading `footfall `. */
  usage: string[];
  options: Record<string, OptionSpec>;
  allowPositionals?: boolean;
  /** Longer help text printed after the options. */
  details?: string;
  /** Returns the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}

/** Reads a required string option or throws a usage error naming it. */
export function requireString(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

/** Reads an optional numeric option, validating its range. */
export function numberOption(
  values: OptionValues,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
  integer = false,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'a whole number' : 'a number';
    const range = Number.isFinite(min) && Number.isFinite(max) ? ` between ${min} and ${max}` : Number.isFinite(min) ? ` >= ${min}` : '';
    throw new UsageError(`--${name} must be ${kind}${range}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
