import { describe, expect, it } from 'vitest';
import { ScoreMapper, type ScoreMapperOptions } from './score-mapper.ts';

const base: ScoreMapperOptions = { mode: 'auto', scoreMin: 0, scoreMax: 1, rankWindow: 256, rankExponent: 1 };

describe('ScoreMapper', () => {
  it('auto keeps probability-like scores as they are', () => {
    const m = new ScoreMapper(base);
    m.observe(Float32Array.of(0.2, 0.9, 1), 3);
    expect(m.map(0.2)).toBeCloseTo(0.2, 6);
    expect(m.map(0.9)).toBeCloseTo(0.9, 6);
  });

  it('auto switches to the rank of the score once raw scores leave [0, 1] (ACF, DPM)', () => {
    const m = new ScoreMapper(base);
    const acf = Float32Array.from({ length: 100 }, (_, i) => i * 1.4 - 2); // -2 .. 136.6
    m.observe(acf, acf.length);
    expect(m.map(-2)).toBeCloseTo(0.01, 6);
    expect(m.map(136.6)).toBe(1);
    expect(m.map(68)).toBeCloseTo(0.5, 1);
    expect(m.map(1000)).toBe(1);
    expect(m.map(-50)).toBe(0);
  });

  it('ties at the top map to 1 (a detector that mostly outputs its maximum score)', () => {
    const m = new ScoreMapper({ ...base, mode: 'rank' });
    const s = Float32Array.from({ length: 100 }, (_, i) => (i < 90 ? 1 : 0.3));
    m.observe(s, s.length);
    expect(m.map(1)).toBe(1);
    expect(m.map(0.3)).toBeCloseTo(0.1, 6);
  });

  it('rankExponent < 1 lifts middle ranks', () => {
    const m = new ScoreMapper({ ...base, mode: 'rank', rankExponent: 0.5 });
    const s = Float32Array.from({ length: 100 }, (_, i) => i);
    m.observe(s, s.length);
    expect(m.map(24)).toBeCloseTo(0.5, 6);
  });

  it('forgets old scores beyond its window', () => {
    const m = new ScoreMapper({ ...base, mode: 'rank', rankWindow: 64 });
    m.observe(Float32Array.from({ length: 64 }, () => 100), 64);
    expect(m.map(50)).toBe(0);
    // A new detector regime fills the window: 50 is now the top.
    for (let k = 0; k < 8; k++) m.observe(Float32Array.from({ length: 16 }, (_, i) => i), 16);
    expect(m.map(50)).toBe(1);
  });

  it('linear, logistic and identity mappings', () => {
    const lin = new ScoreMapper({ ...base, mode: 'linear', scoreMin: -0.5, scoreMax: 4.5 });
    expect(lin.map(2)).toBeCloseTo(0.5, 6);
    expect(lin.map(9)).toBe(1);
    expect(lin.map(-3)).toBe(0);
    const log = new ScoreMapper({ ...base, mode: 'logistic' });
    expect(log.map(0)).toBeCloseTo(0.5, 6);
    expect(log.map(4.6)).toBeGreaterThan(0.98);
    const id = new ScoreMapper({ ...base, mode: 'identity' });
    id.observe(Float32Array.of(40, 50), 2);
    expect(id.map(40)).toBe(40);
    expect(id.map(NaN)).toBe(0);
  });
});
