import { describe, expect, it } from 'vitest';
import { findManifestEntry } from '../../../models/index.ts';
import { GENERIC_THRESHOLDS, trackerSection, withModelThresholds } from './tracker.ts';

describe('tracker thresholds per detection model', () => {
  it('takes the model\'s thresholds where the config sets none, and keeps what the config sets', () => {
    const model = { highScore: 0.6, newTrackScore: 0.7 };
    expect(withModelThresholds(trackerSection.parse({}), model)).toMatchObject(model);
    expect(withModelThresholds(trackerSection.parse({ highScore: 0.45 }), model)).toMatchObject({ highScore: 0.45, newTrackScore: 0.7 });
    // An unknown model (or a custom .onnx) brings none: the tracker falls back to the generic ones.
    const unknown = withModelThresholds(trackerSection.parse({}), undefined);
    expect([unknown.highScore, unknown.newTrackScore]).toEqual([undefined, undefined]);
    expect(GENERIC_THRESHOLDS).toEqual({ highScore: 0.5, newTrackScore: 0.6 });
  });

  it('the default model carries thresholds chosen on the tuning video', () => {
    expect(findManifestEntry('picodet_s_416_coco')?.trackerThresholds).toEqual({ highScore: 0.6, newTrackScore: 0.7 });
  });
});
