// `footfall wifi`: decodes the probe requests of a capture file with our parser and prints
// them as JSON lines (hashed MACs only) or a summary with presence per interval (near-field
// floor learned from the capture, fixed devices left out); `footfall wifi calibrate` learns a
// sensor's floor from a capture or a live interface and writes it into the calibration file.
import { defineCommand, numberOption, requireString, UsageError, type CommandContext } from '../command.ts';

export default defineCommand({
  name: 'wifi',
  summary: 'decode Wi-Fi probe requests (JSON lines or a summary with presence); `wifi calibrate` learns a sensor\'s signal floor',
  usage: [
    'wifi --pcap FILE [--hash-key HEX] [--jsonl | --summary [--json]] [--presence-minutes N] [--min-rssi DBM | --empty FROM..TO] [--keep-fixed] [--grouping auto|fingerprint-level|chains] [--ignore-oui XX:XX:XX] [--all-randomized]',
    'wifi calibrate (--pcap FILE | --interface IF [--minutes N]) [--empty FROM..TO] [--sensor NAME] [--config FILE]',
  ],
  allowPositionals: true,
  options: {
    pcap: { type: 'string', valueName: 'FILE', description: 'capture file (pcap, nanosecond pcap or pcapng)' },
    interface: { type: 'string', valueName: 'IF', description: 'calibrate: a monitor-mode interface to listen on instead of a file' },
    minutes: { type: 'string', valueName: 'N', description: 'calibrate --interface: listen this long (default 1440 = a day; Ctrl-C stops early)' },
    'hash-key': { type: 'string', valueName: 'HEX', description: 'MAC hash key as hex, for reproducible output (default: a random key)' },
    jsonl: { type: 'boolean', description: 'one JSON object per probe request' },
    summary: { type: 'boolean', description: 'counts, distinct devices and the randomized-MAC estimate (the default)' },
    json: { type: 'boolean', description: 'with --summary: the summary as one JSON object' },
    'presence-minutes': { type: 'string', valueName: 'N', description: 'with --summary: devices present per N-minute bin, with a low-high range' },
    'min-rssi': { type: 'string', valueName: 'DBM', description: 'near-field floor for presence (default: learned from the capture, else -78)' },
    empty: { type: 'string', valueName: 'FROM..TO', description: 'learn the floor from this period, known to be empty (ISO times or epoch ms)' },
    'keep-fixed': { type: 'boolean', description: 'with --summary: keep fixed devices (present most of the day, steady signal) in presence' },
    grouping: { type: 'string', valueName: 'MODE', description: 'randomized addresses to devices: auto (default), fingerprint-level or chains' },
    sensor: { type: 'string', valueName: 'NAME', description: 'calibrate: the sensor to write (default: the config\'s only sensor)' },
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'calibrate: config file (data dir, calibration file, sensors)' },
    'all-randomized': { type: 'boolean', description: 'with --summary: treat every address as randomized (captures whose LA bits were scrambled by anonymisation)' },
    'ignore-oui': { type: 'string', valueName: 'XX:XX:XX', multiple: true, description: 'drop frames whose source MAC starts with this vendor prefix (fixed PCs, APs)' },
  },
  details:
    'JSON lines: {"tsMs","macHash","randomized","rssiDbm","ssid","seq","channelMhz","fingerprint"}; rssiDbm, ssid and\n' +
    'channelMhz are null when absent (ssid null = wildcard). macHash = first 16 hex chars of HMAC-SHA256(key, MAC).\n' +
    'Raw MAC addresses are never printed.\n' +
    'Presence: a device is present in a bin when the median signal of its frames there reaches the floor. The floor is\n' +
    'learned from the capture (far-only windows vs windows with near devices); when that is impossible (one signal\n' +
    'group only, a moved sensor, too little data) the summary says why and uses -78 dBm. --json prints\n' +
    '{"file","outOfOrder","timeSkipped","addresses","estimatedDevices","floor":{"floorDbm","source","calibration","failure"},"fixedDevices",\n' +
    '"presence":[{"startMs","binMs","devices","low","high","addresses","fixedExcluded","floorDbm",\n' +
    '"randomizedAddresses","denseFingerprints"}],...}. --grouping auto (default): per IE fingerprint and bin, level groups, or the\n' +
    'estimator\'s chains when the fingerprint has >= 32 near addresses a minute; never fewer than its addresses active at once.\n' +
    'Capture time: the summary counts records in time order (outOfOrder: records earlier than the one before them) and skips clock faults\n' +
    '(timeSkipped: groups of fewer than 8 records more than an hour from all the others); --jsonl keeps file order.\n' +
    'calibrate writes {"floorDbm","method","learnedAtMs",...} for the sensor into wifi.presence.calibrationFile\n' +
    '(under dataDir); if it cannot learn it says why, keeps the file as it was and exits 1.',
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (sub !== undefined && sub !== 'calibrate') throw new UsageError(`unknown wifi subcommand "${sub}"; the only one is "calibrate"`);
    if (ctx.positionals.length > 1) throw new UsageError(`unexpected argument "${ctx.positionals[1]}"`);
    const { parseTimeRange } = await import('../../wifi/index.ts');
    const emptyRange = ctx.values.empty === undefined ? undefined : usage(() => parseTimeRange(ctx.values.empty as string), '--empty');
    if (sub === 'calibrate') return calibrate(ctx, emptyRange);
    if (ctx.values.interface !== undefined) throw new UsageError('--interface is for "footfall wifi calibrate"; decode a live interface with footfall run');
    const path = requireString(ctx.values, 'pcap');
    if (ctx.values.jsonl && ctx.values.summary) throw new UsageError('--jsonl and --summary are exclusive');
    if (ctx.values.jsonl && ctx.values.json) throw new UsageError('--json goes with --summary, not --jsonl');
    if (ctx.values['min-rssi'] !== undefined && emptyRange) throw new UsageError('--min-rssi and --empty are exclusive (a given floor or one learned from the empty period)');
    const keyHex = ctx.values['hash-key'] as string | undefined;
    if (keyHex !== undefined && !/^(?:[0-9a-fA-F]{2}){1,64}$/.test(keyHex)) {
      throw new UsageError(`--hash-key must be 2 to 128 hex digits (an even number), got ${JSON.stringify(keyHex)}`);
    }
    const grouping = ctx.values.grouping ?? 'auto';
    if (grouping !== 'auto' && grouping !== 'fingerprint-level' && grouping !== 'chains') throw new UsageError(`--grouping must be auto, fingerprint-level or chains, got ${JSON.stringify(grouping)}`);
    const presenceMinutes = ctx.values['presence-minutes'] === undefined ? 0 : numberOption(ctx.values, 'presence-minutes', 10, 1, 1440);
    const minRssiDbm = ctx.values['min-rssi'] === undefined ? undefined : numberOption(ctx.values, 'min-rssi', -78, -128, 0);
    const { resolve } = await import('node:path');
    const { randomBytes } = await import('node:crypto');
    const { parseOuiList } = await import('../../wifi/index.ts');
    const ignoreOuis = parseOuiList((ctx.values['ignore-oui'] as string[] | undefined) ?? [], (msg) => new UsageError(`--ignore-oui: ${msg}`));
    const key = keyHex ? Buffer.from(keyHex, 'hex') : randomBytes(32);
    const file = resolve(ctx.cwd, path);
    if (ctx.values.jsonl) {
      const { writeProbeJsonLines } = await import('../../wifi/index.ts');
      await writeProbeJsonLines(file, key, ctx.stdout, ignoreOuis);
      return 0;
    }
    const { summarizeCapture, formatSummary } = await import('../../wifi/index.ts');
    const summary = summarizeCapture(file, key, {
      presenceBinMs: presenceMinutes * 60_000,
      minRssiDbm,
      calibrate: true,
      emptyRangeMs: emptyRange,
      fixedMinHours: ctx.values['keep-fixed'] ? undefined : 6,
      grouping,
      ignoreOuis,
      allRandomized: ctx.values['all-randomized'] === true,
    });
    ctx.stdout.write(ctx.values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    return 0;
  },
});

function usage<T>(f: () => T, option: string): T {
  try {
    return f();
  } catch (err) {
    throw new UsageError(`${option}: ${(err as Error).message}`);
  }
}

/** `footfall wifi calibrate`: learns the floor and writes it for the sensor; a failure keeps the file. */
async function calibrate(ctx: CommandContext, emptyRange: [number, number] | undefined): Promise<number> {
  const { resolve, isAbsolute } = await import('node:path');
  const { loadConfig } = await import('../../config/index.ts');
  const { readCalibrationFile, writeSensorCalibration } = await import('../../wifi/index.ts');
  const pcap = ctx.values.pcap as string | undefined;
  const iface = ctx.values.interface as string | undefined;
  if ((pcap === undefined) === (iface === undefined)) throw new UsageError('calibrate needs exactly one of --pcap FILE or --interface IF');
  const { config } = loadConfig({ file: ctx.values.config as string | undefined, env: ctx.env, cwd: ctx.cwd });
  const names = config.wifi.sensors.map((s) => s.name);
  const sensor = (ctx.values.sensor as string | undefined) ?? (names.length === 1 ? names[0]! : names.length === 0 ? 'wifi' : undefined);
  if (sensor === undefined) throw new UsageError(`the config has ${names.length} Wi-Fi sensors (${names.join(', ')}); choose one with --sensor`);
  if (names.length > 0 && !names.includes(sensor)) throw new UsageError(`--sensor ${JSON.stringify(sensor)} is not a configured Wi-Fi sensor (${names.join(', ')})`);
  const p = config.wifi.presence;
  const dataDir = resolve(ctx.cwd, config.dataDir);
  const target = isAbsolute(p.calibrationFile) ? p.calibrationFile : resolve(dataDir, p.calibrationFile);
  const previous = readCalibrationFile(target).sensors[sensor];
  const keep = previous ? `keeping ${previous.floorDbm} dBm from ${target}` : `keeping the default ${p.floorDbm} dBm (wifi.presence.floorDbm)`;
  let result: import('../../wifi/index.ts').FloorLearnResult;
  if (pcap !== undefined) {
    const { summarizeCapture } = await import('../../wifi/index.ts');
    const { randomBytes } = await import('node:crypto');
    const s = summarizeCapture(resolve(ctx.cwd, pcap), randomBytes(32), { calibrate: true, emptyRangeMs: emptyRange, fixedMinHours: config.wifi.staffMinHoursPerDay });
    result = s.floor.calibration ? { ok: true, calibration: s.floor.calibration } : { ok: false, reason: s.floor.failure ?? 'nothing learned', windows: 0 };
  } else {
    result = await learnLive(ctx, iface!, emptyRange);
  }
  if (!result.ok) {
    ctx.stderr.write(`footfall wifi calibrate: could not learn a floor for sensor "${sensor}": ${result.reason}; ${keep}\n`);
    return 1;
  }
  const c = result.calibration;
  const entry = writeSensorCalibration(target, sensor, { floorDbm: c.floorDbm, method: c.method, learnedAtMs: Date.now(), fromMs: c.fromMs, toMs: c.toMs, farLevelDbm: c.farLevelDbm, nearLevelDbm: c.nearLevelDbm });
  const was = previous ? ` (was ${previous.floorDbm} dBm; first ${entry.initialFloorDbm} dBm)` : '';
  ctx.stdout.write(`sensor ${sensor}: floor ${c.floorDbm} dBm${was}, learned by ${c.method} from ${c.emptyWindows} far-only and ${c.nearWindows} near 10-minute windows; written to ${target}\n`);
  return 0;
}

/** Listens on a monitor-mode interface, collecting per-device levels, until --minutes pass or Ctrl-C. */
async function learnLive(ctx: CommandContext, iface: string, emptyRange: [number, number] | undefined) {
  const { LiveCaptureSource } = await import('../../wifi/index.ts');
  const { ProbeRequestParser, ParseStatus } = await import('../../wifi/index.ts');
  const { MacHasher } = await import('../../wifi/index.ts');
  const { randomBytes } = await import('node:crypto');
  const { DeviceLevelCollector, learnFloorFromModes, learnFloorFromEmptyWindows } = await import('../../wifi/index.ts');
  const minutes = numberOption(ctx.values, 'minutes', 1440, 1, 7 * 1440);
  const parser = new ProbeRequestParser();
  const hasher = new MacHasher(randomBytes(32));
  const levels = new DeviceLevelCollector();
  const source = new LiveCaptureSource({ iface, filter: 'type mgt subtype probe-req', monitor: true, channels: [], hopIntervalMs: 250, logger: ctx.logger });
  await source.start((buf, off, len, linkType, tsMs) => {
    if (parser.parse(buf, off, len, linkType) !== ParseStatus.Probe) return;
    if (emptyRange && (tsMs < emptyRange[0] || tsMs >= emptyRange[1])) return;
    hasher.hashAt(buf, parser.macOffset);
    levels.observe(hasher.key53(), tsMs, parser.rssiDbm);
  });
  ctx.stderr.write(`listening on ${iface} for ${minutes} minutes (Ctrl-C to stop early)\n`);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ctx.shutdownSignal, new Promise((r) => (timer = setTimeout(r, minutes * 60_000)))]);
  clearTimeout(timer);
  await source.stop();
  const windows = levels.finish();
  return emptyRange ? learnFloorFromEmptyWindows(windows) : learnFloorFromModes(windows);
}
