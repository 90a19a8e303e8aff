// Public surface of the tracking stage: the stage and the pure tracker (no I/O). Offline tools
// (MOT files, the evaluator, the MOT runner) are in ./eval/index.ts.
export { TrackerStage, type TrackerStageOptions } from './tracker-stage.ts';
export { ByteTracker, newTrackInfo, type FloorTracking, type TrackInfo, type TrackerOptions, type TrackerOutput, type TrackerCounters } from './byte-tracker.ts';
export { LinearAssignment } from './linear-assignment.ts';
export { ScoreMapper, type ScoreMappingMode } from './score-mapper.ts';
