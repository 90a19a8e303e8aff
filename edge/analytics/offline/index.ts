// Offline face of the analytics stage: recorded tracks replayed through the live per-camera
// analytics (`footfall count`), count accuracy against plain definitions, and synthetic tracks
// for tests and benches. The live stage never imports this.
export { motTracksOf, parseMotTracks, replayMot, type MotTracks, type MotTracksOptions, type ReplayOptions } from './mot-reader.ts';
export { runCount, type CountRunOptions, type CountRunResult } from './count-runner.ts';
export {
  countAccuracy,
  crossingsOfPath,
  plainCrossings,
  trueCrossings,
  trueZoneVisits,
  visitsOfPath,
  zoneAccuracy,
  type AccuracyReport,
  type AccuracyRow,
  type AnchorPoint,
  type LineCounts,
} from './count-accuracy.ts';
export { BOX_H, BOX_W, chain, motTextOf, simulatedCrowd, tracksOf, walk, type FootPath } from './synthetic-tracks.ts';
