// Public face of mall-wide paths: floor fragments of each calibrated camera's tracks, the site
// stitcher that hands people over between cameras and boxes, zone visits on the floor plan,
// hourly transitions A>B and sequences A>B>C. Downstream of track; feeds the store.
export { cameraKey, type FragmentBatch, type FragmentChunk } from './fragment.ts';
export { FragmentBuilder, type FragmentBuilderOptions } from './fragment-builder.ts';
export { Stitcher, type PathListener, type StitcherCounters, type StitcherOptions } from './stitcher.ts';
export { HOUR_MS, PathTally, type HourPaths, type PathCounts } from './path-tally.ts';
export { floorZonesOf, ZoneVisitState, type FloorZones, type VisitListener } from './zone-visits.ts';
export { siteFloorOf, type SiteCamera, type SiteFloor } from './site-floor.ts';
export { runSitePathsOffline, type CameraDetections, type OfflineSitePathsOptions, type SitePathsSummary } from './offline.ts';
export { anonymiseHour, SITE_PATHS_EVENT, SitePathsService, type AnonymisedHour, type BatchVerdict, type SitePathsCounters, type SitePathsServiceOptions, type SitePathsState, type SuppressedCells } from './site-paths-service.ts';
export { SitePathsStage, sitePathsEnabled, type SitePathsStageOptions, type SitePathsView } from './site-paths-stage.ts';
