// Public face of the analytics stage: track frames in, footfall events out.
export { AnalyticsStage, type AnalyticsStageOptions, type CountsReader } from './analytics-stage.ts';
export { CameraAnalytics, type CameraGeometry, type CountTotals } from './camera-analytics.ts';
export { analyticsConfigOf } from './config-of.ts';
export { DEMO_CAMERA_NAME, DEMO_GEOMETRY } from './demo-geometry.ts';
export { motTracksOf, parseMotTracks, replayMot, type MotTracks, type MotTracksOptions } from './mot-reader.ts';
export { runCount, type CountRunResult } from './count-runner.ts';
export { HeatmapGrid, type HeatmapSnapshot } from './heatmap-grid.ts';
export { forecastSeries, backtestMape, simulateHourlyHistory } from './forecast.ts';
export { countAccuracy, crossingsOfPath, plainCrossings, trueCrossings, trueZoneVisits, visitsOfPath, zoneAccuracy, type AccuracyReport } from './count-accuracy.ts';
