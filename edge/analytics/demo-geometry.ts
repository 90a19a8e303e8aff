// Counting lines and zones of the embedded demo camera (`demo`: OpenCV's vtest.avi, the
// PETS09-S2L1 scene at 768x576), so `footfall run` without a config counts something.
// fixtures/analytics/pets09-s2l1.yaml holds the same geometry (a test keeps them equal).
import { BAND_M_DEFAULT, BAND_NOISE_BOX_FRACTION_DEFAULT, HOLD_S_DEFAULT, type LineConfig, type ZoneConfig } from '../config/sections/analytics.ts';

export const DEMO_CAMERA_NAME = 'demo';

const line = (name: string, a: [number, number], b: [number, number], role: LineConfig['role'] = 'count'): LineConfig => ({
  name,
  points: [a, b],
  minDistancePx: 8,
  minSideMs: 250,
  bandM: BAND_M_DEFAULT,
  holdS: HOLD_S_DEFAULT,
  bandNoiseBoxFraction: BAND_NOISE_BOX_FRACTION_DEFAULT,
  minDistanceBoxFraction: 0,
  role,
  intoSite: 'in',
});

const zone = (name: string, polygon: Array<[number, number]>): ZoneConfig => ({ name, polygon, minStayMs: 1_000, exitGraceMs: 1_000 });

export const DEMO_GEOMETRY = {
  name: DEMO_CAMERA_NAME,
  width: 768,
  height: 576,
  lines: [line('west-path', [200, 170], [200, 330], 'entrance'), line('plaza', [480, 180], [480, 340]), line('east-road', [560, 270], [768, 270])],
  zones: [
    zone('west', [[0, 180], [250, 180], [250, 330], [0, 330]]),
    zone('plaza', [[300, 180], [540, 180], [540, 360], [300, 360]]),
    zone('east', [[560, 140], [768, 140], [768, 440], [560, 440]]),
  ],
  // The PETS scene has no real queue; this one shows the queue pipeline on the demo: people
  // walking west wait (or pass) between the plaza and the west path, and are "served" when
  // they cross the west-path line westwards.
  queues: [
    {
      name: 'west-gate',
      polygon: [[200, 180], [300, 180], [300, 330], [200, 330]] as Array<[number, number]>,
      serviceLine: { points: [[200, 170], [200, 330]] as [[number, number], [number, number]], direction: 'in' as const, minDistancePx: 8, minSideMs: 250 },
      minStayMs: 3_000,
      exitGraceMs: 2_000,
      smoothing: 0.3,
    },
  ],
};
