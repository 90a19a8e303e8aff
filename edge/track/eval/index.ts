// Offline face of the tracking stage: MOTChallenge files (one reader, one writer), the tracker
// run over a whole sequence, and the MOT evaluator. Used by the CLI, scripts and tests; the live
// stage never imports this.
export { parseMotBytes, parseMotText, describeBadLines, requireRows, gtFormatOf, parseSeqInfo, MOT_ROW_RULE, MOT_BAD_LINES_KEPT, type MotTable, type MotGtFormat, type SeqInfo } from './mot-file.ts';
export { readMotFile, writeMotResults } from './mot-io.ts';
export { evaluateMot, type MotMetrics } from './mot-evaluator.ts';
export { packDetections, runTracker, resultText, encodeResults, RESULT_CHUNK_BYTES, type PackedDetections, type TrackRunResult } from './mot-runner.ts';
