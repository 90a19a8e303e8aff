// Config of the tracking core (edge/track): ByteTrack-style two-stage association with a
// time-aware Kalman filter. The association defaults (matchIou, recoveryIou,
// tentativeMatchIou, lowScore) were chosen by scripts/accuracy/search-tracker.ts on the
// TUNING half of scripts/accuracy/splits.json only (one setting for every sequence); the
// validation half scores them (BENCHMARKS.md, `footfall bench accuracy`).
import { z } from 'zod';
import { bool, intBetween, numberBetween, oneOf } from '../fields.ts';

export const trackerSection = z
  .object({
    /**
     * How raw detector scores become [0, 1] before the thresholds below apply.
     * auto: scores already in [0, 1] stay as they are, anything else is rank-mapped;
     * identity: as they are; linear: (score - scoreMin) / (scoreMax - scoreMin), clamped;
     * rank: the score's quantile among the camera's recent detections; logistic: 1 / (1 + e^-score).
     */
    scoreMapping: oneOf(['auto', 'identity', 'linear', 'rank', 'logistic']).default('auto').describe("How raw detector scores become [0, 1] before the thresholds below apply. auto: scores already in [0, 1] stay as they are, anything else is rank-mapped; identity: as they are; linear: (score - scoreMin) / (scoreMax - scoreMin), clamped; rank: the score's quantile among the camera's recent detections; logistic: 1 / (1 + e^-score)."),
    /** What auto uses for scores outside [0, 1]: rank, or logistic (1 / (1 + e^-score), for margin-style scores such as ACF and DPM). */
    autoFallback: oneOf(['rank', 'logistic']).default('rank').describe('What auto uses for scores outside [0, 1]: rank, or logistic (1 / (1 + e^-score), for margin-style scores such as ACF and DPM).'),
    /** Linear mapping: the raw score that maps to 0. */
    scoreMin: z.number({ error: 'must be a number' }).default(0).describe('Linear mapping: the raw score that maps to 0.'),
    /** Linear mapping: the raw score that maps to 1 (greater than scoreMin). */
    scoreMax: z.number({ error: 'must be a number' }).default(1).describe('Linear mapping: the raw score that maps to 1 (greater than scoreMin).'),
    /**
     * Rank mapping: mapped = quantile ^ rankExponent. Below 1 it lifts the middle ranks so the
     * same thresholds keep about as many detections as with probability-like scores.
     */
    rankExponent: numberBetween(0.05, 4).default(0.5).describe('Rank mapping: mapped = quantile ^ rankExponent. Below 1 it lifts the middle ranks so the same thresholds keep about as many detections as with probability-like scores.'),
    /** Recent detection scores kept for the rank mapping. */
    rankWindow: intBetween(64, 65_536).default(4096).describe('Recent detection scores kept for the rank mapping.'),
    /**
     * Detections at or above this (mapped) score take part in the first association.
     * Default: the detection model's own (its manifest entry, chosen on the tuning video of
     * scripts/accuracy/splits.json), else GENERIC_THRESHOLDS.highScore (0.5).
     */
    highScore: numberBetween(0, 1).optional().describe("Detections at or above this (mapped) score take part in the first association. Default: the detection model's own (its manifest entry, chosen on the tuning video of scripts/accuracy/splits.json), else GENERIC_THRESHOLDS.highScore (0.5)."),
    /** Detections between lowScore and highScore only extend existing tracks (second association). */
    lowScore: numberBetween(0, 1).default(0.05).describe('Detections between lowScore and highScore only extend existing tracks (second association).'),
    /** An unmatched detection at or above this score starts a new track. Default: the model's own, else 0.6. */
    newTrackScore: numberBetween(0, 1).optional().describe("An unmatched detection at or above this score starts a new track. Default: the model's own, else 0.6."),
    /** Minimum IoU (times the score when fuseScore) for the first association. */
    matchIou: numberBetween(0, 1).default(0.1).describe('Minimum IoU (times the score when fuseScore) for the first association.'),
    /** Minimum IoU for the second (low-score) association. */
    lowMatchIou: numberBetween(0, 1).default(0.5).describe('Minimum IoU for the second (low-score) association.'),
    /**
     * OC-SORT observation-centric recovery: tracks still unmatched after both associations
     * are matched to the remaining confident detections by IoU with their LAST OBSERVED box
     * (not the drifting prediction). Minimum IoU; 0 disables.
     */
    recoveryIou: numberBetween(0, 1).default(0.3).describe('OC-SORT observation-centric recovery: tracks still unmatched after both associations are matched to the remaining confident detections by IoU with their LAST OBSERVED box (not the drifting prediction). Minimum IoU; 0 disables.'),
    /** Minimum IoU for matching a tentative track (stricter than ByteTrack's 0.3: fewer false tracks). */
    tentativeMatchIou: numberBetween(0, 1).default(0.4).describe("Minimum IoU for matching a tentative track (stricter than ByteTrack's 0.3: fewer false tracks)."),
    /** Multiply IoU by the detection score in the first association (ByteTrack fuse_score). */
    fuseScore: bool().default(true).describe('Multiply IoU by the detection score in the first association (ByteTrack fuse_score).'),
    /** Matched frames before a tentative track is confirmed and gets an id. */
    confirmHits: intBetween(1, 30).default(2).describe('Matched frames before a tentative track is confirmed and gets an id.'),
    /** How long a lost track waits to be re-activated before it is removed (ms). */
    maxLostMs: numberBetween(0, 600_000).default(2_000).describe('How long a lost track waits to be re-activated before it is removed (ms).'),
    /**
     * Kalman filter noise, as fractions of the box size. Process noise: BoT-SORT's values.
     * Measurement: 0.15 instead of BoT-SORT's 1/20: smoother boxes and velocities measurably
     * help fixed cameras at 5-10 fps (PETS09, KITTI-17, MOT17-02/09); moving cameras
     * (MOT17-10/13) prefer less smoothing.
     */
    stdWeightPosition: numberBetween(1e-4, 1).default(1 / 20).describe("Kalman filter noise, as fractions of the box size. Process noise: BoT-SORT's values. Measurement: 0.15 instead of BoT-SORT's 1/20: smoother boxes and velocities measurably help fixed cameras at 5-10 fps (PETS09, KITTI-17, MOT17-02/09); moving cameras (MOT17-10/13) prefer less smoothing."),
    /** Kalman process noise of the velocity, as a fraction of the box size per reference interval. */
    stdWeightVelocity: numberBetween(1e-5, 1).default(1 / 160).describe('Kalman process noise of the velocity, as a fraction of the box size per reference interval.'),
    /** Kalman measurement noise, as a fraction of the box size (0.15: smoother boxes for fixed cameras). */
    stdWeightMeasurement: numberBetween(1e-4, 1).default(0.15).describe('Kalman measurement noise, as a fraction of the box size (0.15: smoother boxes for fixed cameras).'),
    /** Frame interval the noise weights are specified for (ms). */
    referenceIntervalMs: numberBetween(1, 10_000).default(1000 / 30).describe('Frame interval the noise weights are specified for (ms).'),
    /**
     * Keep reporting a lost confirmed track at its predicted box for this long (ms), so a
     * one- or two-frame miss does not drop the person from the output.
     */
    coastMs: numberBetween(0, 10_000).default(0).describe('Keep reporting a lost confirmed track at its predicted box for this long (ms), so a one- or two-frame miss does not drop the person from the output.'),
    /** Only tracks matched at least this many times coast (young tracks are often false). */
    coastMinHits: intBetween(1, 1000).default(10).describe('Only tracks matched at least this many times coast (young tracks are often false).'),
    /**
     * Tracks whose box is wider than this times its height are tracked but not reported
     * (standing people are tall; ByteTrack uses 1.6). 0 disables the filter.
     */
    maxOutputAspect: numberBetween(0, 100).default(1.6).describe('Tracks whose box is wider than this times its height are tracked but not reported (standing people are tall; ByteTrack uses 1.6). 0 disables the filter.'),
    /** Re-update a re-found track along a straight line over its gap (OC-SORT ORU). */
    observationReupdate: bool().default(true).describe('Re-update a re-found track along a straight line over its gap (OC-SORT ORU).'),
    /**
     * Floor tracking (cameras with a calibration): the acceleration std of a walking person (m/s²),
     * the floor Kalman filter's process noise. The floor defaults (floorAccelStd 0.5,
     * floorMeasurementStd 0.05, floorIouWeight 0.7, floorGate and floorLowGate 9.2 = chi-square 99 %)
     * were chosen by scripts/accuracy/tune-floor.ts on the tuning half's FIXED calibrated cameras
     * (MOT16-09 1-262, MOT17-02 det and gt+noise); moving cameras (MOT17-10/13) break the
     * single-homography model and are reported, not tuned on.
     */
    floorAccelStd: numberBetween(0.01, 50).default(0.5).describe("Floor tracking (calibrated cameras): acceleration std of a walking person (m/s²), the floor Kalman filter's process noise."),
    /** Floor tracking: the foot point's pixel noise as a fraction of the box height (carried onto the floor through the calibration). */
    floorMeasurementStd: numberBetween(0.001, 1).default(0.05).describe("Floor tracking: the foot point's pixel noise as a fraction of the box height, carried onto the floor through the calibration (so far people are uncertain in metres, near people in centimetres)."),
    /** Floor tracking: a new track's speed prior (m/s): velocity variance vmax²/3. */
    floorVmaxMps: numberBetween(0.1, 20).default(2).describe("Floor tracking: a new track's speed prior (m/s); velocity variance vmax²/3."),
    /**
     * Floor tracking: largest floor distance for confident detections and tentative tracks: the
     * squared Mahalanobis distance (plus ln det S when floorIouWeight is 0, as UCMCTrack's cost).
     */
    floorGate: numberBetween(0, 1000).default(9.2).describe('Floor tracking: largest floor distance for confident detections and tentative tracks: the squared Mahalanobis distance on the floor (9.2: chi-square 99 %), plus ln det S when floorIouWeight is 0 (UCMCTrack\'s cost; it uses 10 on fixed cameras).'),
    /** Floor tracking: the same limit for low-score detections (second association). */
    floorLowGate: numberBetween(0, 1000).default(9.2).describe('Floor tracking: the association cost limit for low-score detections (second association).'),
    /**
     * Floor tracking: weight of the box overlap in the association cost (0: UCMCTrack's pure floor
     * cost, d² + ln det S under floorGate; above 0: w·(1 - IoU) + (1 - w)·d²/floorGate, with d² the
     * squared Mahalanobis distance on the floor, which must stay under floorGate).
     */
    floorIouWeight: numberBetween(0, 1).default(0.7).describe("Floor tracking: weight of the box overlap in the association cost. 0: UCMCTrack's pure floor cost (squared Mahalanobis distance + ln det S, under floorGate); above 0: w·(1 - IoU) + (1 - w)·d²/floorGate, where the floor distance d² must stay under floorGate (it vetoes impossible matches)."),
    /** Upper bound on live tracks per camera (pool growth stops here). */
    maxTracks: intBetween(16, 100_000).default(4096).describe('Upper bound on live tracks per camera (pool growth stops here).'),
  })
  .strict()
  .refine((c) => c.scoreMax > c.scoreMin, { error: 'scoreMax must be greater than scoreMin', path: ['scoreMax'] });

export type TrackerConfig = z.output<typeof trackerSection>;

/** Score thresholds for detectors we know nothing about (probability-like scores in [0, 1]). */
export const GENERIC_THRESHOLDS = { highScore: 0.5, newTrackScore: 0.6 } as const;

/** Thresholds a detection model brings (models/manifest.ts), for the fields the config leaves unset. */
export interface ModelTrackerThresholds {
  highScore: number;
  newTrackScore: number;
}

/** The config with the model's thresholds where the config sets none. */
export function withModelThresholds(config: TrackerConfig, model: ModelTrackerThresholds | undefined): TrackerConfig {
  if (!model) return config;
  return { ...config, highScore: config.highScore ?? model.highScore, newTrackScore: config.newTrackScore ?? model.newTrackScore };
}
export type TrackerConfigInput = z.input<typeof trackerSection>;
