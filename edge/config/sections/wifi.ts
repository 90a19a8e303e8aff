// Config of Wi-Fi probe capture and presence analytics (edge/wifi): sensors (a monitor-mode
// interface or a capture file replayed), channel hopping, MAC-hash key rotation, sessions,
// visitor/staff classification and the randomized-MAC estimator. Every field has a default.
import { z } from 'zod';
import { bool, identifier, intBetween, numberBetween, oneOf, uniqueNames } from '../fields.ts';
import { CONFIG_LIMITS } from '../limits.ts';

const ouiMsg = 'must be a 3-byte vendor prefix like "dc:fb:48"';
const oui = () => z.string({ error: ouiMsg }).regex(/^[0-9A-Fa-f]{2}([:.-]?)[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}$/, { error: ouiMsg });

export const wifiSensorSchema = z
  .object({
    /** Sensor name (unique): the MQTT source of its events and the status page label. */
    name: identifier().describe('Sensor name (unique): the MQTT source of its events and the status page label.'),
    /** A monitor-mode interface for live capture (node-pcap)... */
    interface: z.string().min(1).optional().describe('A monitor-mode interface for live capture (node-pcap)...'),
    /** ...or a capture file (pcap/pcapng) replayed (tests, demos). Relative paths are under the working directory. */
    pcap: z.string().min(1).optional().describe('...or a capture file (pcap/pcapng) replayed (tests, demos). Relative paths are under the working directory.'),
    /** Live: 2.4/5 GHz channel numbers to hop across with `iw`; empty = stay on the interface's channel. */
    channels: z.array(intBetween(1, 233)).default([]).describe("Live: 2.4/5 GHz channel numbers to hop across with `iw`; empty = stay on the interface's channel."),
    /** Live: dwell on each channel before hopping. */
    hopIntervalMs: intBetween(50, 60_000).default(250).describe('Live: dwell on each channel before hopping.'),
    /** Live: put the interface into monitor mode via libpcap (rfmon). */
    monitor: bool().default(true).describe('Live: put the interface into monitor mode via libpcap (rfmon).'),
    /** Live: BPF filter; the default keeps only probe requests. */
    filter: z.string().default('type mgt subtype probe-req').describe('Live: BPF filter; the default keeps only probe requests.'),
    /** Replay: speed factor (1 = real time, 60 = a minute per second). */
    replaySpeed: numberBetween(0.01, 1_000_000).default(1).describe('Replay: speed factor (1 = real time, 60 = a minute per second).'),
    /** Replay: start again at the end of the file. */
    replayLoop: bool().default(false).describe('Replay: start again at the end of the file.'),
    /** Replay: shift the file's timestamps so its first frame is "now" (demos); false keeps capture time. */
    replayRestamp: bool().default(true).describe("Replay: shift the file's timestamps so its first frame is \"now\" (demos); false keeps capture time."),
  })
  .strict()
  .refine((s) => Boolean(s.interface) !== Boolean(s.pcap), { error: 'needs exactly one of "interface" or "pcap"' });

export const wifiSection = z
  .object({
    /** Wi-Fi sensors: each a monitor-mode interface or a capture file (at most 30). */
    sensors: z
      .array(wifiSensorSchema)
      .max(CONFIG_LIMITS.wifiSensors, { error: `at most ${CONFIG_LIMITS.wifiSensors} Wi-Fi sensors per box` })
      .superRefine(uniqueNames('sensor', 'wifi.sensors'))
      .default([]).describe('Wi-Fi sensors: each a monitor-mode interface or a capture file (at most 30).'),
    /** How often the MAC-hash key changes: at local midnight (daily), on the hour, or never. */
    keyRotation: oneOf(['daily', 'hourly', 'never']).default('daily').describe('How often the MAC-hash key changes: at local midnight (daily), on the hour, or never.'),
    /** Key file (mode 0600, overwritten on rotation); relative paths are under dataDir. */
    keyFile: z.string().min(1).default('wifi-hash.key').describe('Key file (mode 0600, overwritten on rotation); relative paths are under dataDir.'),
    /** A session ends after this much silence. */
    sessionGapMs: intBetween(10_000, 86_400_000).default(600_000).describe('A session ends after this much silence.'),
    /** Visitor = seen for at least visitorMinDwellMs above visitorMinRssiDbm (Meraki-style defaults). */
    visitorMinDwellMs: intBetween(0, 86_400_000).default(300_000).describe('Visitor = seen for at least visitorMinDwellMs above visitorMinRssiDbm (Meraki-style defaults).'),
    /** Visitor signal floor (dBm, -120-0, default -75): see visitorMinDwellMs. */
    visitorMinRssiDbm: numberBetween(-120, 0).default(-75).describe('Visitor signal floor (dBm, -120-0, default -75): see visitorMinDwellMs.'),
    /** Frames weaker than this are ignored for presence (too far away to be "here"). */
    minRssiDbm: numberBetween(-128, 0).default(-95).describe('Frames weaker than this are ignored for presence (too far away to be "here").'),
    /** Near-field signal floor of presence (edge/wifi/rssi-floor.ts): learned per sensor or fixed. */
    presence: z
      .object({
        /** auto: learn each sensor's floor from its own signal (calibration file, re-learned); fixed: use floorDbm for every sensor. */
        floor: oneOf(['auto', 'fixed']).default('auto').describe("auto: learn each sensor's floor from its own signal (calibration file, re-learned); fixed: use floorDbm for every sensor."),
        /** The floor (dBm) while nothing is learned yet, and with floor: fixed. Default -78: the empty-window rule on the tuning day (BENCHMARKS.md, #19). */
        floorDbm: numberBetween(-128, 0).default(-78).describe('The floor (dBm) while nothing is learned yet, and with floor: fixed. Default -78: the empty-window rule on the tuning day (BENCHMARKS.md, #19).'),
        /** Calibration file (per sensor floors, written by `footfall wifi calibrate` and the agent); relative paths are under dataDir. */
        calibrationFile: z.string().min(1).default('wifi-calibration.json').describe('Calibration file (per sensor floors, written by `footfall wifi calibrate` and the agent); relative paths are under dataDir.'),
        /** auto: the agent re-learns each sensor's floor from the last day every this many hours (0 = never). */
        relearnHours: numberBetween(0, 168).default(24).describe("auto: the agent re-learns each sensor's floor from the last day every this many hours (0 = never)."),
        /** auto: a re-learned floor moves the current one by at most this many dB (slow drift, no jumps). */
        maxStepDb: numberBetween(0.5, 30).default(3).describe('auto: a re-learned floor moves the current one by at most this many dB (slow drift, no jumps).'),
        /** How randomized addresses become devices in presence: auto (per IE fingerprint and window: level groups where it is sparse, the estimator's chains where it is dense, never fewer than its addresses active at once; sparse and dense sites), fingerprint-level (one device per IE fingerprint and signal level; undercounts crowds) or chains (the estimator's links over time; overcounts a lone phone that rotates often). See BENCHMARKS.md #19. */
        grouping: oneOf(['auto', 'fingerprint-level', 'chains'])
          .default('auto')
          .describe("How randomized addresses become devices in presence: auto (per IE fingerprint and window: level groups where it is sparse, the estimator's chains where it is dense, never fewer than its addresses active at once; sparse and dense sites), fingerprint-level (one device per IE fingerprint and signal level; undercounts crowds) or chains (the estimator's links over time; overcounts a lone phone that rotates often). See BENCHMARKS.md #19."),
        /** auto: a fingerprint with at least this many near addresses per minute in a window is dense (several phones of one model) and counted by chains (32: the smallest keeping the polimi one-phone files at 1-2 devices in >= 95% of 1- and 10-minute windows; BENCHMARKS.md #19). */
        denseAddressesPerMinute: numberBetween(1, 100_000).default(32).describe('auto: a fingerprint with at least this many near addresses per minute in a window is dense (several phones of one model) and counted by chains (32: the smallest keeping the polimi one-phone files at 1-2 devices in >= 95% of 1- and 10-minute windows; BENCHMARKS.md #19).'),
        /** fingerprint-level: addresses of one fingerprint whose levels are within this many dB are one device (15: chosen on the polimi one-phone files). */
        levelGapDb: numberBetween(1, 60).default(15).describe('fingerprint-level: addresses of one fingerprint whose levels are within this many dB are one device (15: chosen on the polimi one-phone files).'),
        /** Devices present per this many minutes (with a low-high range) in `wifi.count` events. */
        windowMinutes: intBetween(1, 60).default(10).describe('Devices present per this many minutes (with a low-high range) in `wifi.count` events.'),
      })
      .strict()
      .prefault({})
      .describe('Near-field signal floor of presence (edge/wifi/rssi-floor.ts): learned per sensor or fixed.'),
    /** Residents/staff: seen more than this many hours in a key period; excluded from visitor counts. */
    staffMinHoursPerDay: numberBetween(0.5, 24).default(6).describe('Residents/staff: seen more than this many hours in a key period; excluded from visitor counts and, as fixed devices (PCs, printers, APs, staff phones), from presence.'),
    /** Smoothing factor of the per-device RSSI (exponential moving average). */
    rssiSmoothing: numberBetween(0.01, 1).default(0.3).describe('Smoothing factor of the per-device RSSI (exponential moving average).'),
    /** Vendor prefixes dropped before hashing (a site's own PCs, access points). */
    ignoreOuis: z.array(oui()).default([]).describe("Vendor prefixes dropped before hashing (a site's own PCs, access points)."),
    /** Randomized-MAC estimator (see edge/wifi/device-estimator.ts). */
    estimator: z
      .object({
        /** Randomized addresses seen within this window (ms) may be the same device. */
        linkWindowMs: intBetween(1_000, 3_600_000).default(300_000).describe('Randomized addresses seen within this window (ms) may be the same device.'),
        /** Shortest gap (ms) between two addresses linked as one device. */
        minRelinkGapMs: intBetween(0, 600_000).default(60_000).describe('Shortest gap (ms) between two addresses linked as one device.'),
        /** Frames this close in time (ms) belong to the same scan burst. */
        sameScanMs: intBetween(0, 10_000).default(1_000).describe('Frames this close in time (ms) belong to the same scan burst.'),
        /** Signal difference (dB) within which frames of one burst are the same device. */
        sameScanRssiDb: numberBetween(0, 100).default(3).describe('Signal difference (dB) within which frames of one burst are the same device.'),
        /** Largest 802.11 sequence-number gap that links two addresses as one device. */
        maxSeqGap: intBetween(1, 2048).default(16).describe('Largest 802.11 sequence-number gap that links two addresses as one device.'),
        /** Signal difference (dB) tolerated when linking addresses over time. */
        rssiToleranceDb: numberBetween(0, 100).default(12).describe('Signal difference (dB) tolerated when linking addresses over time.'),
      })
      .strict()
      .prefault({}).describe('Randomized-MAC estimator (see edge/wifi/device-estimator.ts).'),
  })
  .strict();

export type WifiConfig = z.output<typeof wifiSection>;
export type WifiSensorConfig = z.output<typeof wifiSensorSchema>;
