// Reads the YAML config, substitutes ${ENV_VAR} secrets, validates it once against
// the schema and reports every problem as `path: what is allowed, got value`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { FootfallError } from '../shared/errors.ts';
import { CONFIG_LIMITS, checkConfigLimits } from './limits.ts';
import { configSchema, type FootfallConfig } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'footfall.yaml';

export interface LoadedConfig {
  config: FootfallConfig;
  /** Absolute path of the file read, or null for the embedded defaults. */
  file: string | null;
}

/** `cameras[1].fps` from ['cameras', 1, 'fps']. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${formatPath(issue.path)}: ` : '';
    return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const at = valueAt(input, issue.path);
  const got = at.found ? `, got ${describeValue(at.value)}` : ' (missing)';
  let message = issue.message;
  if (issue.code === 'invalid_union' && message === 'Invalid input') message = 'has an invalid shape';
  return `${formatPath(issue.path)}: ${message}${got}`;
}

/** Validates a parsed config object; throws CONFIG_INVALID naming every bad field. */
export function validateConfig(input: unknown, source = 'config'): FootfallConfig {
  checkConfigLimits(input, source);
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => formatIssue(issue, input));
  throw new FootfallError('CONFIG_INVALID', `${source}: ${lines.join('; ')}`);
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces ${NAME} and ${NAME:-default} in every string, naming the field of a missing variable. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      throw new FootfallError('CONFIG_INVALID', `${formatPath(path)}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, [...path, k]);
    return out;
  }
  return value;
}

/** Parses YAML text into a plain object, with line numbers in syntax errors. */
export function parseConfigText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    throw new FootfallError('CONFIG_PARSE', `${source}: not valid YAML${where}: ${first.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new FootfallError('CONFIG_PARSE', `${source}: YAML aliases expand too far (${(err as Error).message.toLowerCase()}); write the values out instead of nesting aliases`);
  }
  if (hasCycle(value)) throw new FootfallError('CONFIG_PARSE', `${source}: a YAML alias refers to the node that contains it (a cycle); write the value out instead`);
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new FootfallError('CONFIG_PARSE', `${source}: the top level must be a mapping of fields, got ${describeValue(value)}`);
  }
  return value ?? {};
}

/** Whether a parsed YAML value refers to itself (an alias inside its own anchor). */
function hasCycle(value: unknown, ancestors = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) if (hasCycle(child, ancestors)) return true;
  ancestors.delete(value);
  return false;
}

/** FOOTFALL_DATA_DIR sets dataDir when the file does not (containers mount a volume there). */
function withEnvDefaults(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!env.FOOTFALL_DATA_DIR || raw === null || typeof raw !== 'object') return raw;
  const obj = raw as Record<string, unknown>;
  return obj.dataDir === undefined ? { ...obj, dataDir: env.FOOTFALL_DATA_DIR } : obj;
}

export interface LoadConfigOptions {
  /** Explicit --config path; else FOOTFALL_CONFIG; else ./footfall.yaml if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.FOOTFALL_CONFIG;
  let file: string | null = null;
  if (explicit) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new FootfallError('CONFIG_NOT_FOUND', `config file not found: ${file}`);
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    file = resolve(cwd, DEFAULT_CONFIG_FILE);
  }
  if (file === null) return { config: validateConfig(withEnvDefaults({}, env), 'embedded defaults'), file: null };
  let text: string;
  try {
    const bytes = statSync(file).size;
    if (bytes > CONFIG_LIMITS.fileBytes) {
      throw new FootfallError('CONFIG_TOO_LARGE', `${file}: the file is ${bytes} bytes; at most ${CONFIG_LIMITS.fileBytes} bytes (1 MiB) are allowed (config limit)`);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof FootfallError) throw err;
    throw new FootfallError('CONFIG_NOT_FOUND', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  const parsed = parseConfigText(text, file);
  checkConfigLimits(parsed, file);
  let raw: unknown;
  try {
    raw = substituteEnv(parsed, env);
  } catch (err) {
    throw err instanceof FootfallError ? new FootfallError(err.code, `${file}: ${err.message}`) : err;
  }
  return { config: validateConfig(withEnvDefaults(raw, env), file), file };
}
