// The floor tracker on real data: the shared MOTChallenge sequences with UCMCTrack's camera
// calibrations (fixed cameras), scored by our evaluator against their ground truth.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trackerSection } from '../config/index.ts';
import { FloorCalibration, parseCamPara } from '../shared/floor-calibration.ts';
import { ByteTracker } from './index.ts';
import { evaluateMot, packDetections, parseMotText, readMotFile, resultText, runTracker } from './eval/index.ts';

const MOT = new URL('../../../shared/fixtures/mot/', import.meta.url);
const calibrationOf = (seq: string) => FloorCalibration.fromCamera(parseCamPara(readFileSync(new URL(`${seq}/cam_para.txt`, MOT), 'utf8')), { width: 1920, height: 1080 });
const config = trackerSection.parse({});

describe('ByteTracker on the floor', () => {
  it.each([
    ['MOT16-09', 30],
    ['MOT17-09', 30],
  ])('keeps identities better than the image tracker on %s (fixed camera, public detections)', (seq, fps) => {
    const gt = readMotFile(new URL(`${seq}/gt.txt`, MOT).pathname);
    const det = packDetections(readMotFile(new URL(`${seq}/det.txt`, MOT).pathname));
    const image = evaluateMot(gt, parseMotText(resultText(runTracker(det, config, fps))));
    const run = runTracker(det, config, fps, { calibration: calibrationOf(seq) });
    const floor = evaluateMot(gt, parseMotText(resultText(run)));
    expect(floor.IDF1).toBeGreaterThan(image.IDF1 + 1.5);
    expect(floor.MOTA).toBeGreaterThan(image.MOTA - 1);
  });

  it('reports each track at its filtered floor position, close to where its box stands', () => {
    const cal = calibrationOf('MOT17-02');
    const tracker = new ByteTracker(config, { calibration: cal });
    const scores = new Float32Array([0.9, 0.9]);
    const foot = new Float64Array(2);
    let out = tracker.output;
    // Two people walking 1 m/s apart on the floor, seen at 10 fps for 3 s.
    for (let f = 0; f < 30; f++) {
      const boxes = new Float32Array(8);
      for (let p = 0; p < 2; p++) {
        const x = 2 + 3 * p + 0.1 * f;
        const y = 3 + p;
        cal.toImage(x, y, foot, 0);
        const h = 150;
        boxes.set([foot[0]! - 25, foot[1]! - h, 50, h], 4 * p);
      }
      out = tracker.update(f * 100, { count: 2, boxes, scores });
    }
    expect(out.count).toBe(2);
    for (let r = 0; r < 2; r++) {
      const p = out.floor[2 * r]! < 6.4 ? 0 : 1;
      expect(out.floor[2 * r]).toBeCloseTo(2 + 3 * p + 0.1 * 29, 0);
      expect(out.floor[2 * r + 1]).toBeCloseTo(3 + p, 0);
      expect(out.floorVelocities[2 * r]).toBeGreaterThan(0.6);
      expect(out.floorVelocities[2 * r]).toBeLessThan(1.4);
    }
  });

  it('drops and counts detections whose foot point is beyond the horizon', () => {
    const cal = calibrationOf('MOT17-02');
    const [a, b, c] = cal.horizon();
    // A pixel above the horizon line a·u + b·v + c = 0 (on the sky side).
    const u = 960;
    const v = -(a * u + c) / b - 50 * Math.sign(b);
    const tracker = new ByteTracker(config, { calibration: cal });
    tracker.update(0, { count: 1, boxes: new Float32Array([u - 20, v - 100, 40, 100]), scores: new Float32Array([0.9]) });
    expect(tracker.counters.beyondHorizon).toBe(1);
    expect(tracker.liveTracks).toBe(0);
  });

  it('reports NaN floor positions without a calibration', () => {
    const tracker = new ByteTracker(config);
    const boxes = new Float32Array([100, 100, 40, 100]);
    let out = tracker.output;
    for (let f = 0; f < 3; f++) out = tracker.update(f * 100, { count: 1, boxes, scores: new Float32Array([0.9]) });
    expect(out.count).toBe(1);
    expect(Number.isNaN(out.floor[0])).toBe(true);
  });
});
