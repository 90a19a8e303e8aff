// Finds a model file (config path or directories, then ./models, then the models shipped in
// the repository, then ../shared/models),
// verifies its sha256 against the manifest and says exactly where it looked when it
// cannot. It never downloads anything.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FootfallError } from '../edge/shared/errors.ts';
import { MODEL_MANIFEST, findManifestEntry, type ModelInfo } from './manifest.ts';

/** The repository's own models/ folder (this module's folder), where shipped models live. */
export const SHIPPED_MODELS_DIR = fileURLToPath(new URL('./', import.meta.url)).replace(/\/$/, '');
/** ../shared/models, resolved from this module (models/ sits in the repository root). */
export const SHARED_MODELS_DIR = fileURLToPath(new URL('../../shared/models/', import.meta.url));

export interface ModelSearchOptions {
  /** Extra directories from the config, searched first. */
  modelDirs?: readonly string[];
  /** Working directory for relative paths and ./models. */
  cwd?: string;
  /** Replaces the default ../shared/models (tests). */
  sharedDir?: string | null;
  /** Replaces the repository's models/ folder (tests). */
  shippedDir?: string | null;
}

export interface ResolvedModel {
  /** Manifest entry, or undefined for a user's own file (shape decides the decoder). */
  info: ModelInfo | undefined;
  path: string;
  /** sha256 of the file (hex). */
  sha256: string;
  verified: boolean;
}

const hashCache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** sha256 of a file, cached by path, size and mtime. */
export function fileSha256(path: string): string {
  const st = statSync(path);
  const hit = hashCache.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashCache.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  return sha256;
}

export function searchDirs(options: ModelSearchOptions = {}): string[] {
  const cwd = options.cwd ?? process.cwd();
  const dirs = (options.modelDirs ?? []).map((d) => (isAbsolute(d) ? d : resolve(cwd, d)));
  dirs.push(resolve(cwd, 'models'));
  // The shipped models wherever the agent runs from (a container's WORKDIR is its data volume).
  const shipped = options.shippedDir === undefined ? SHIPPED_MODELS_DIR : options.shippedDir;
  if (shipped) dirs.push(resolve(shipped));
  const shared = options.sharedDir === undefined ? SHARED_MODELS_DIR : options.sharedDir;
  if (shared) dirs.push(resolve(shared));
  return [...new Set(dirs)];
}

function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.toLowerCase().endsWith('.onnx');
}

/** Checks a found file against its manifest entry; throws MODEL_INVALID on a mismatch. */
export function verifyModelFile(path: string, info: ModelInfo): string {
  const size = statSync(path).size;
  const sha256 = fileSha256(path);
  if (sha256 !== info.sha256) {
    const why = size !== info.bytes ? `it has ${size} bytes, expected ${info.bytes} (truncated or a different file)` : 'same size but different content';
    throw new FootfallError(
      'MODEL_INVALID',
      `model file ${path} does not match the manifest entry "${info.name}": sha256 ${sha256.slice(0, 16)}..., expected ${info.sha256.slice(0, 16)}...; ${why}. Replace it with the original (${info.sourceUrl})`,
    );
  }
  return sha256;
}

/**
 * Resolves `spec` (a manifest name or a path to an .onnx file) to a verified file.
 * Throws MODEL_NOT_FOUND naming every place it looked, or MODEL_INVALID on a checksum mismatch.
 */
export function resolveModel(spec: string, options: ModelSearchOptions = {}): ResolvedModel {
  const cwd = options.cwd ?? process.cwd();
  if (looksLikePath(spec)) {
    const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
    const info = findManifestEntry(spec);
    if (!existsSync(path)) {
      // A bare file name of a known model may still be in the search directories.
      if (info && !spec.includes('/') && !spec.includes('\\')) return resolveModel(info.name, options);
      throw new FootfallError('MODEL_NOT_FOUND', `model file ${path} does not exist`);
    }
    if (!statSync(path).isFile()) throw new FootfallError('MODEL_INVALID', `model path ${path} is not a file`);
    if (info) return { info, path, sha256: verifyModelFile(path, info), verified: true };
    return { info: undefined, path, sha256: fileSha256(path), verified: false };
  }
  const info = findManifestEntry(spec);
  if (!info) {
    throw new FootfallError(
      'MODEL_NOT_FOUND',
      `unknown model "${spec}"; known models: ${MODEL_MANIFEST.map((m) => m.name).join(', ')} (or give a path to an .onnx file)`,
    );
  }
  const dirs = searchDirs(options);
  for (const dir of dirs) {
    const path = resolve(dir, info.file);
    if (existsSync(path)) return { info, path, sha256: verifyModelFile(path, info), verified: true };
  }
  throw new FootfallError(
    'MODEL_NOT_FOUND',
    `model "${info.name}" (${info.file}) not found; looked in ${dirs.join(', ')}. To get it: ${info.howToGet} (source: ${info.sourceUrl})`,
  );
}

export interface ModelStatus {
  info: ModelInfo;
  status: 'ok' | 'missing' | 'mismatch';
  path: string | null;
  detail: string;
}

/** Status of every manifest model, for `footfall models`. */
export function modelStatuses(options: ModelSearchOptions = {}): ModelStatus[] {
  return MODEL_MANIFEST.map((info) => {
    try {
      const r = resolveModel(info.name, options);
      return { info, status: 'ok', path: r.path, detail: 'sha256 verified' };
    } catch (err) {
      const e = err as FootfallError;
      return { info, status: e.code === 'MODEL_INVALID' ? 'mismatch' : 'missing', path: null, detail: e.message };
    }
  });
}

export interface ResolvedOrFallback extends ResolvedModel {
  /** The model asked for (a manifest name or a path). */
  asked: string;
  /** Why the resolved model is not the one asked for; null when it is. */
  fallbackReason: string | null;
}

/**
 * Like `resolveModel`, but a manifest model with a `floatFallback` (the int8 PicoDet) whose
 * file is missing or does not match its checksum resolves to that float model instead, with
 * the reason. Errors of the float model itself (or of a model without a fallback) are thrown.
 */
export function resolveModelOrFallback(spec: string, options: ModelSearchOptions = {}): ResolvedOrFallback {
  try {
    return { ...resolveModel(spec, options), asked: spec, fallbackReason: null };
  } catch (err) {
    const info = findManifestEntry(spec);
    const code = (err as FootfallError).code;
    if (!info?.floatFallback || (code !== 'MODEL_NOT_FOUND' && code !== 'MODEL_INVALID')) throw err;
    const float = resolveModel(info.floatFallback, options);
    return { ...float, asked: spec, fallbackReason: `${info.name} unusable (${(err as Error).message}); using the float model ${info.floatFallback}` };
  }
}

/**
 * Resolves `spec` and opens it with `open` (the caller's onnxruntime session factory, so this
 * module stays free of onnxruntime). When the model has a `floatFallback` and either its file is
 * unusable or `open` rejects it (a quantized graph this onnxruntime build cannot run, a damaged
 * file), the float model is resolved and opened instead and `fallbackReason` says why.
 */
export async function openModelOrFallback<T>(
  spec: string,
  options: ModelSearchOptions,
  open: (resolved: ResolvedModel) => Promise<T>,
): Promise<{ resolved: ResolvedOrFallback; value: T }> {
  const resolved = resolveModelOrFallback(spec, options);
  try {
    return { resolved, value: await open(resolved) };
  } catch (err) {
    const info = resolved.info;
    if (resolved.fallbackReason !== null || !info?.floatFallback) throw err;
    const float = resolveModel(info.floatFallback, options);
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const value = await open(float);
    return { resolved: { ...float, asked: spec, fallbackReason: `${info.name} could not be opened (${why}); using the float model ${info.floatFallback}` }, value };
  }
}
