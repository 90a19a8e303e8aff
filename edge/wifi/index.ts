// Public face of the Wi-Fi stage: the stage itself plus the parser, file reader and hasher
// that the CLI and benchmarks use.
export { WifiStage, type WifiStageOptions } from './wifi-stage.ts';
export { ProbeRequestParser, ParseStatus, LinkType, IeFlag, fingerprintHex } from './probe-parser.ts';
export { CaptureFileReader, type CaptureFormat } from './capture-file.ts';
export { MacHasher, hashHex } from './mac-hasher.ts';
export { HashKeyStore, keyPeriodStart, keyPeriodEnd, type KeyRotation } from './key-store.ts';
export { PresenceTracker, type PresenceOptions, type VisitClass, type WifiPresenceData } from './presence.ts';
export { RandomizedDeviceEstimator, type DeviceEstimatorOptions } from './device-estimator.ts';
export { summarizeCapture, formatSummary, type CaptureSummary, type SummaryOptions } from './capture-summary.ts';
export { scanCapture, scanCaptureFile, type ProbeVisitor } from './probe-scanner.ts';
export { DeviceLevelCollector, learnFloorFromModes, learnFloorFromEmptyWindows, parseTimeRange, DEFAULT_FLOOR_DBM, type FloorCalibration, type FloorLearnResult } from './rssi-floor.ts';
export { FixedDeviceLearner } from './fixed-devices.ts';
export { PresenceBinCounter, type PresenceBinResult, type RandomizedGrouping } from './presence-bins.ts';
export { readCalibrationFile, writeSensorCalibration, type SensorCalibration } from './calibration-file.ts';
export { parseOuiList, ouiMatches } from './oui-filter.ts';
export { writeProbeJsonLines } from './probe-jsonl.ts';
export { buildRadiotapProbe, PcapWriter } from './pcap-writer.ts';
export { LiveCaptureSource } from './live-source.ts';
