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
    name: identifier(),
    /** A monitor-mode interface for live capture (node-pcap)... */
    interface: z.string().min(1).optional(),
    /** ...or a capture file (pcap/pcapng) replayed (tests, demos). Relative paths are under the working directory. */
    pcap: z.string().min(1).optional(),
    /** Live: 2.4/5 GHz channel numbers to hop across with `iw`; empty = stay on the interface's channel. */
    channels: z.array(intBetween(1, 233)).default([]),
    /** Live: dwell on each channel before hopping. */
    hopIntervalMs: intBetween(50, 60_000).default(250),
    /** Live: put the interface into monitor mode via libpcap (rfmon). */
    monitor: bool().default(true),
    /** Live: BPF filter; the default keeps only probe requests. */
    filter: z.string().default('type mgt subtype probe-req'),
    /** Replay: speed factor (1 = real time, 60 = a minute per second). */
    replaySpeed: numberBetween(0.01, 1_000_000).default(1),
    /** Replay: start again at the end of the file. */
    replayLoop: bool().default(false),
    /** Replay: shift the file's timestamps so its first frame is "now" (demos); false keeps capture time. */
    replayRestamp: bool().default(true),
  })
  .strict()
  .refine((s) => Boolean(s.interface) !== Boolean(s.pcap), { error: 'needs exactly one of "interface" or "pcap"' });

export const wifiSection = z
  .object({
    sensors: z
      .array(wifiSensorSchema)
      .max(CONFIG_LIMITS.wifiSensors, { error: `at most ${CONFIG_LIMITS.wifiSensors} Wi-Fi sensors per box` })
      .superRefine(uniqueNames('sensor', 'wifi.sensors'))
      .default([]),
    /** How often the MAC-hash key changes: at local midnight (daily), on the hour, or never. */
    keyRotation: oneOf(['daily', 'hourly', 'never']).default('daily'),
    /** Key file (mode 0600, overwritten on rotation); relative paths are under dataDir. */
    keyFile: z.string().min(1).default('wifi-hash.key'),
    /** A session ends after this much silence. */
    sessionGapMs: intBetween(10_000, 86_400_000).default(600_000),
    /** Visitor = seen for at least visitorMinDwellMs above visitorMinRssiDbm (Meraki-style defaults). */
    visitorMinDwellMs: intBetween(0, 86_400_000).default(300_000),
    visitorMinRssiDbm: numberBetween(-120, 0).default(-75),
    /** Frames weaker than this are ignored for presence (too far away to be "here"). */
    minRssiDbm: numberBetween(-128, 0).default(-95),
    /** Residents/staff: seen more than this many hours in a key period; excluded from visitor counts. */
    staffMinHoursPerDay: numberBetween(0.5, 24).default(6),
    /** Smoothing factor of the per-device RSSI (exponential moving average). */
    rssiSmoothing: numberBetween(0.01, 1).default(0.3),
    /** Vendor prefixes dropped before hashing (a site's own PCs, access points). */
    ignoreOuis: z.array(oui()).default([]),
    /** Randomized-MAC estimator (see edge/wifi/device-estimator.ts). */
    estimator: z
      .object({
        linkWindowMs: intBetween(1_000, 3_600_000).default(300_000),
        minRelinkGapMs: intBetween(0, 600_000).default(60_000),
        sameScanMs: intBetween(0, 10_000).default(1_000),
        sameScanRssiDb: numberBetween(0, 100).default(3),
        maxSeqGap: intBetween(1, 2048).default(16),
        rssiToleranceDb: numberBetween(0, 100).default(12),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type WifiConfig = z.output<typeof wifiSection>;
export type WifiSensorConfig = z.output<typeof wifiSensorSchema>;
