// Person detection: ONNX models (PicoDet, YOLOX, FastestDet, YOLOv8-style) to boxes in source pixels.
export { DetectorStage } from './detector-stage.ts';
export type { DetectorStageOptions } from './detector-stage.ts';
export { PersonDetector } from './person-detector.ts';
export type { DetectionResult, DetectTimings, PersonDetectorOptions } from './person-detector.ts';
export { loadImageForModel } from './image-input.ts';
export type { ModelReadyImage } from './image-input.ts';
export { FrameQueue } from './frame-queue.ts';
export { GreedyNms } from './nms.ts';
export { TensorWriter } from './preprocess.ts';
export { inputMapping } from './geometry.ts';
export { frameGeometryFor } from './frame-geometry.ts';
export { LatencyWindow } from './latency.ts';
export { WorkerPersonDetector } from './worker-detector.ts';
export { runVideoDetection } from './video-detection.ts';
export type { VideoDetectionOptions, VideoDetectionSummary } from './video-detection.ts';
export { DetectionGate, GateDecision, RegionPlanner, mergeAcrossRegions } from './region-planner.ts';
export type { RegionPlannerOptions } from './region-planner.ts';
