import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../edge/config/index.ts';
import { MODEL_MANIFEST, SHARED_MODELS_DIR, SHIPPED_MODELS_DIR, findManifestEntry, modelStatuses, openModelOrFallback, resolveModel, resolveModelOrFallback, searchDirs } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'footfall-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('model loader', () => {
  it('finds the default model shipped in the repository, with no ../shared beside it, and verifies its sha256', () => {
    const r = resolveModel(configSchema.parse({}).detector.model, { cwd: tmp, sharedDir: null });
    expect(r.path).toBe(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco_int8.onnx'));
    expect(r.verified).toBe(true);
    expect(r.sha256).toBe(findManifestEntry('picodet_s_416_coco_int8')!.sha256);
    const float = resolveModel('picodet_s_416_coco', { cwd: tmp, sharedDir: null });
    expect(float.path).toBe(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco.onnx'));
    expect(float.sha256).toBe('cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2');
  });

  it('resolves an int8 model whose file is missing or altered to its float model, and says why', () => {
    const dir = join(tmp, 'int8-gone');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco.onnx'), join(dir, 'picodet_s_416_coco.onnx'));
    const only = { cwd: tmp, modelDirs: [dir], shippedDir: null, sharedDir: null };
    const missing = resolveModelOrFallback('picodet_s_416_coco_int8', only);
    expect(missing.info!.name).toBe('picodet_s_416_coco');
    expect(missing.path).toBe(join(dir, 'picodet_s_416_coco.onnx'));
    expect(missing.asked).toBe('picodet_s_416_coco_int8');
    expect(missing.fallbackReason).toMatch(/^picodet_s_416_coco_int8 unusable \(model "picodet_s_416_coco_int8" .*not found.*\); using the float model picodet_s_416_coco$/);
    // A file of the right name but other bytes (here: the float model) does not pass as int8.
    writeFileSync(join(dir, 'picodet_s_416_coco_int8.onnx'), readFileSync(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco.onnx')));
    const altered = resolveModelOrFallback('picodet_s_416_coco_int8', only);
    expect(altered.info!.name).toBe('picodet_s_416_coco');
    expect(altered.fallbackReason).toMatch(/does not match the manifest entry "picodet_s_416_coco_int8"/);
    // The asked model when it is fine; no fallback for models without one.
    expect(resolveModelOrFallback('picodet_s_416_coco_int8', { cwd: tmp, sharedDir: null }).fallbackReason).toBeNull();
    expect(() => resolveModelOrFallback('picodet_s_416_coco', { ...only, modelDirs: [] })).toThrow(/not found/);
  });

  it('opens the float model when the int8 one does not open, and throws when the float one fails too', async () => {
    const opened: string[] = [];
    const r = await openModelOrFallback('picodet_s_416_coco_int8', { cwd: tmp, sharedDir: null }, async (m) => {
      opened.push(m.info!.name);
      if (m.info!.precision === 'int8') throw new Error('Could not find an implementation for QLinearConv\nmore detail');
      return m.path;
    });
    expect(opened).toEqual(['picodet_s_416_coco_int8', 'picodet_s_416_coco']);
    expect(r.value).toBe(join(SHIPPED_MODELS_DIR, 'picodet_s_416_coco.onnx'));
    expect(r.resolved.fallbackReason).toBe('picodet_s_416_coco_int8 could not be opened (Could not find an implementation for QLinearConv); using the float model picodet_s_416_coco');
    await expect(openModelOrFallback('picodet_s_416_coco_int8', { cwd: tmp, sharedDir: null }, async () => Promise.reject(new Error('no memory')))).rejects.toThrow('no memory');
    await expect(openModelOrFallback('picodet_s_416_coco', { cwd: tmp, sharedDir: null }, async () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
  });

  it('ships every model marked shipped, the default among them, with its licence and source in NOTICE.md', () => {
    const shipped = MODEL_MANIFEST.filter((m) => m.shipped);
    expect(shipped.map((m) => m.name)).toContain(configSchema.parse({}).detector.model);
    const notice = readFileSync(join(SHIPPED_MODELS_DIR, 'NOTICE.md'), 'utf8');
    for (const m of shipped) {
      expect(resolveModel(m.name, { cwd: tmp, sharedDir: null }).path).toBe(join(SHIPPED_MODELS_DIR, m.file));
      expect(notice).toContain(m.file);
      expect(notice).toContain(m.sha256);
    }
    expect(readFileSync(join(SHIPPED_MODELS_DIR, 'LICENSE-Apache-2.0.txt'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });

  it('searches config dirs first, then ./models, then the shipped models, then ../shared/models', () => {
    const cfgDir = join(tmp, 'cfg');
    const local = join(tmp, 'models');
    for (const d of [cfgDir, local]) mkdirSync(d, { recursive: true });
    symlinkSync(join(SHARED_MODELS_DIR, 'yolox_nano.onnx'), join(local, 'yolox_nano.onnx'));
    expect(resolveModel('yolox_nano', { cwd: tmp }).path).toBe(join(local, 'yolox_nano.onnx'));
    symlinkSync(join(SHARED_MODELS_DIR, 'yolox_nano.onnx'), join(cfgDir, 'yolox_nano.onnx'));
    expect(resolveModel('yolox_nano', { cwd: tmp, modelDirs: ['cfg'] }).path).toBe(join(cfgDir, 'yolox_nano.onnx'));
    expect(searchDirs({ cwd: tmp, modelDirs: ['cfg'] })).toEqual([cfgDir, local, SHIPPED_MODELS_DIR, SHARED_MODELS_DIR.replace(/\/$/, '')]);
  });

  it('rejects a truncated file with a message naming the file and the size', () => {
    const dir = join(tmp, 'trunc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'picodet_s_320_coco.onnx'), readFileSync(join(SHARED_MODELS_DIR, 'picodet_s_320_coco.onnx')).subarray(0, 100_000));
    expect(() => resolveModel('picodet_s_320_coco', { cwd: tmp, modelDirs: [dir] })).toThrow(/does not match.*100000 bytes, expected 4040569 \(truncated/);
  });

  it('says where it looked when a model is missing', () => {
    try {
      resolveModel('fastestdet-352', { cwd: tmp, sharedDir: null });
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('MODEL_NOT_FOUND');
      expect((err as Error).message).toContain(`looked in ${join(tmp, 'models')}`);
      expect((err as Error).message).toMatch(/To get it: .*shared models folder/);
    }
  });

  it('rejects unknown names and missing paths', () => {
    expect(() => resolveModel('resnet-9000', { cwd: tmp })).toThrow(/unknown model "resnet-9000"; known models: picodet_s_416_coco/);
    expect(() => resolveModel('./nope/model.onnx', { cwd: tmp })).toThrow(/does not exist/);
  });

  it('accepts a user file that is not in the manifest, unverified', () => {
    const p = join(tmp, 'mine.onnx');
    writeFileSync(p, 'not really a model');
    const r = resolveModel(p, { cwd: tmp });
    expect(r.info).toBeUndefined();
    expect(r.verified).toBe(false);
  });

  it('reports the status of every manifest model', () => {
    const rows = modelStatuses({ cwd: tmp, sharedDir: null, shippedDir: null, modelDirs: [join(tmp, 'trunc')] });
    expect(rows.map((r) => r.info.name)).toEqual(MODEL_MANIFEST.map((m) => m.name));
    expect(rows.find((r) => r.info.name === 'picodet_s_320_coco')!.status).toBe('mismatch');
    expect(rows.find((r) => r.info.name === 'picodet_s_416_coco')!.status).toBe('missing');
  });
});

