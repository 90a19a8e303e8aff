import { describe, expect, it } from 'vitest';
import { validateConfig } from '../index.ts';
import { findManifestEntry } from '../../../models/index.ts';
import { detectorPoolOf, detectorSection, FALLBACK_DETECTOR } from './detector.ts';

describe('detector worker pool config', () => {
  it('auto is one worker per core (at most 8), each 1 thread; one worker defaults to 2 threads', () => {
    const d = detectorSection.parse({});
    expect(d.workers).toBe('auto');
    expect(detectorPoolOf(d, 2)).toEqual({ workers: 2, threads: 1 });
    expect(detectorPoolOf(d, 1)).toEqual({ workers: 1, threads: 2 });
    expect(detectorPoolOf(d, 64)).toEqual({ workers: 8, threads: 1 });
    expect(detectorPoolOf(detectorSection.parse({ workers: 1 }), 2)).toEqual({ workers: 1, threads: 2 });
    expect(detectorPoolOf(detectorSection.parse({ workers: 3, threads: 2 }), 2)).toEqual({ workers: 3, threads: 2 });
  });

  it('the default model is the int8 PicoDet; the fallback is one float session of the model it was made from, 2 threads', () => {
    const model = detectorSection.parse({}).model;
    expect(model).toBe('picodet_s_416_coco_int8');
    expect(findManifestEntry(model)?.floatFallback).toBe('picodet_s_416_coco');
    expect(FALLBACK_DETECTOR).toEqual({ model: 'picodet_s_416_coco', workers: 1, threads: 2 });
    expect(findManifestEntry(FALLBACK_DETECTOR.model)?.precision ?? 'fp32').toBe('fp32');
  });

  it('names the field when workers is wrong', () => {
    expect(() => validateConfig({ detector: { workers: 0 } })).toThrow(/detector\.workers: must be .*between 1 and 16/);
    expect(() => validateConfig({ detector: { workers: 'many' } })).toThrow(/detector\.workers: must be "auto" or a whole number/);
  });
});
