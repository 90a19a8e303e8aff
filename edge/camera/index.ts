// Camera ingestion: ffmpeg streams (RTSP, HTTP/MJPEG, files, V4L2) to model-ready frames.
export { CameraStage } from './camera-stage.ts';
export type { CameraStageOptions } from './camera-stage.ts';
export { DEMO_CALIBRATION_POINTS, DEMO_VIDEO_PATH, defaultDemoCamera } from './demo-camera.ts';
export type { DemoCameraResult } from './demo-camera.ts';
export { FfmpegFrameSource } from './ffmpeg-frame-source.ts';
export type { CameraState, FrameSourceOptions, FrameSourceStats } from './ffmpeg-frame-source.ts';
export { buildFfmpegArgs, redactUrl, sourceKind, videoFilter } from './ffmpeg-args.ts';
export type { FrameGeometry, SourceKind } from './ffmpeg-args.ts';
export { Backoff } from './backoff.ts';
export { MotionDetector } from './motion-detector.ts';
export type { MaskPolygon, MotionDetectorOptions, MotionStats } from './motion-detector.ts';
