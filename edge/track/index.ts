// Public surface of the tracking stage: the stage, the pure tracker, MOT files and evaluation.
export { TrackerStage, type TrackerStageOptions } from './tracker-stage.ts';
export { ByteTracker, newTrackInfo, type TrackInfo, type TrackerOptions, type TrackerOutput, type TrackerCounters } from './byte-tracker.ts';
export { LinearAssignment } from './linear-assignment.ts';
export { ScoreMapper, type ScoreMappingMode } from './score-mapper.ts';
export { parseMotBytes, parseMotText, describeBadLines, gtFormatOf, parseSeqInfo, MOT_ROW_RULE, type MotTable, type MotGtFormat, type SeqInfo } from './mot-file.ts';
export { readMotFile, writeMotResults } from './mot-io.ts';
export { evaluateMot, type MotMetrics } from './mot-evaluator.ts';
export { packDetections, runTracker, resultText, encodeResults, type PackedDetections, type TrackRunResult } from './mot-runner.ts';
