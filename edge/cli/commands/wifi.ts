// `footfall wifi`: decodes the probe requests of a capture file with our parser and prints
// them as JSON lines (hashed MACs only) or a summary, optionally with presence per interval.
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'wifi',
  summary: 'decode Wi-Fi probe requests from a pcap/pcapng file: JSON lines (hashed MACs) or a summary',
  usage: ['wifi --pcap FILE [--hash-key HEX] [--jsonl | --summary] [--presence-minutes N] [--min-rssi DBM] [--ignore-oui XX:XX:XX] [--all-randomized]'],
  options: {
    pcap: { type: 'string', valueName: 'FILE', description: 'capture file (pcap, nanosecond pcap or pcapng)' },
    'hash-key': { type: 'string', valueName: 'HEX', description: 'MAC hash key as hex, for reproducible output (default: a random key)' },
    jsonl: { type: 'boolean', description: 'one JSON object per probe request' },
    summary: { type: 'boolean', description: 'counts, distinct devices and the randomized-MAC estimate (the default)' },
    'presence-minutes': { type: 'string', valueName: 'N', description: 'with --summary: devices present per N-minute bin' },
    'min-rssi': { type: 'string', valueName: 'DBM', description: 'with --presence-minutes: ignore frames weaker than this', default: '-100' },
    'all-randomized': { type: 'boolean', description: 'with --summary: treat every address as randomized (captures whose LA bits were scrambled by anonymisation)' },
    'ignore-oui': { type: 'string', valueName: 'XX:XX:XX', multiple: true, description: 'drop frames whose source MAC starts with this vendor prefix (fixed PCs, APs)' },
  },
  details:
    'JSON lines: {"tsMs","macHash","randomized","rssiDbm","ssid","seq","channelMhz","fingerprint"}; rssiDbm, ssid and\n' +
    'channelMhz are null when absent (ssid null = wildcard). macHash = first 16 hex chars of HMAC-SHA256(key, MAC).\n' +
    'Raw MAC addresses are never printed.',
  async run(ctx) {
    const path = requireString(ctx.values, 'pcap');
    if (ctx.values.jsonl && ctx.values.summary) throw new UsageError('--jsonl and --summary are exclusive');
    const keyHex = ctx.values['hash-key'] as string | undefined;
    if (keyHex !== undefined && !/^(?:[0-9a-fA-F]{2}){1,64}$/.test(keyHex)) {
      throw new UsageError(`--hash-key must be 2 to 128 hex digits (an even number), got ${JSON.stringify(keyHex)}`);
    }
    const presenceMinutes = ctx.values['presence-minutes'] === undefined ? 0 : numberOption(ctx.values, 'presence-minutes', 10, 1, 1440);
    const minRssiDbm = numberOption(ctx.values, 'min-rssi', -100, -128, 0);
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
      ignoreOuis,
      allRandomized: ctx.values['all-randomized'] === true,
    });
    ctx.stdout.write(formatSummary(summary));
    return 0;
  },
});
