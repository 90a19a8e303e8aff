// Public face of the analytics stage: track frames in, footfall events out. Offline tools
// (recorded-track replay, `footfall count`'s runner, count accuracy, synthetic tracks) are in
// ./offline/index.ts.
export { AnalyticsStage, type AnalyticsStageOptions } from './analytics-stage.ts';
export type { CountsReader } from './counts-reader.ts';
export { CameraAnalytics, type CameraGeometry, type CountTotals } from './camera-analytics.ts';
export { analyticsConfigOf } from './config-of.ts';
export { DEMO_CAMERA_NAME, DEMO_GEOMETRY } from './demo-geometry.ts';
export { HeatmapGrid, type HeatmapSnapshot } from './heatmap-grid.ts';
export { forecastSeries, backtestMape, backtestSameHourLastWeek, hourOfWeek, simulateHourlyHistory, WEEK_HOURS } from './forecast.ts';
