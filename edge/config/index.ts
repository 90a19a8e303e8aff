// Public face of the configuration: one zod schema with defaults (schema.ts, built from
// sections/), loading and validation (load.ts), limits and the site's time zone. A leaf:
// it imports only edge/shared and libraries, so every stage may import it.
export { configSchema, configJsonSchema, type FootfallConfig, type FootfallConfigInput } from './schema.ts';
export { DEFAULT_CONFIG_FILE, formatPath, loadConfig, parseConfigText, substituteEnv, validateConfig, type LoadConfigOptions, type LoadedConfig } from './load.ts';
export { CONFIG_LIMITS, checkConfigLimits } from './limits.ts';
export { siteZoneOf, type SiteZone } from './time-zone.ts';
export { cameraSchema, camerasSection, requireStreamUrls, type CameraConfig } from './sections/cameras.ts';
export { calibrationSchema, floorCalibrationOf, type CalibrationConfig } from './sections/calibration.ts';
export { detectorSection, detectorPoolOf, FALLBACK_DETECTOR } from './sections/detector.ts';
export type { DetectorConfig } from './sections/detector.ts';
export { mqttSection, mqttTlsSection, type MqttConfig } from './sections/mqtt.ts';
export { statusReportSection, statusSection, type StatusConfig } from './sections/status.ts';
export { storeSection } from './sections/store.ts';
export { GENERIC_THRESHOLDS, trackerSection, withModelThresholds, type ModelTrackerThresholds, type TrackerConfig, type TrackerConfigInput } from './sections/tracker.ts';
export { wifiSection, wifiSensorSchema, type WifiConfig, type WifiSensorConfig } from './sections/wifi.ts';
export {
  analyticsSection,
  cameraAnalyticsFields,
  checkGeometryInFrame,
  lineSchema,
  MIN_LINE_LENGTH_PX,
  MIN_ZONE_AREA_PX2,
  queueSchema,
  ruleSchema,
  zoneSchema,
  type AnalyticsConfig,
  type LineConfig,
  type QueueConfig,
  type RuleConfig,
  type ZoneConfig,
} from './sections/analytics.ts';
export { floorPlanSection, floorZoneSchema, handoverSection, MIN_FLOOR_ZONE_AREA_M2, sitePathsSection, type FloorPlanConfig, type FloorZoneConfig, type HandoverConfig, type SitePathsConfig } from './sections/site-paths.ts';
