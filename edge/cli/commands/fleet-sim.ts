// `footfall fleet-sim`: N virtual boxes speaking MQTT contract v1, for load tests of
// fleet ingestion and for the docs.
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'fleet-sim',
  summary: 'simulate N footfall boxes publishing status, event batches and counts (contract v1) to a broker',
  usage: ['fleet-sim --url URL --devices N --events M [--rate R] [--batch B] [--sites K]'],
  options: {
    url: { type: 'string', valueName: 'URL', description: 'broker URL, e.g. mqtt://127.0.0.1:1883' },
    devices: { type: 'string', valueName: 'N', description: 'number of virtual boxes' },
    events: { type: 'string', valueName: 'M', description: 'events per box' },
    rate: { type: 'string', valueName: 'R', description: 'total events/s across the fleet (default: as fast as the broker acknowledges)' },
    batch: { type: 'string', valueName: 'B', description: 'events per batch message', default: '100' },
    sites: { type: 'string', valueName: 'K', description: 'spread the boxes over K sites (mall-1 ... mall-K)', default: '1' },
    'span-minutes': { type: 'string', valueName: 'MIN', description: 'event times cover the last MIN minutes', default: '60' },
    'no-counts': { type: 'boolean', description: 'send no per-minute counts' },
    seed: { type: 'string', valueName: 'S', description: 'random seed', default: '1' },
  },
  async run(ctx) {
    const url = requireString(ctx.values, 'url');
    if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) throw new UsageError(`--url must be an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(url)}`);
    const devices = numberOption(ctx.values, 'devices', NaN, 1, 100_000, true);
    const events = numberOption(ctx.values, 'events', NaN, 1, 100_000_000, true);
    if (Number.isNaN(devices)) throw new UsageError('--devices is required');
    if (Number.isNaN(events)) throw new UsageError('--events is required');
    const rate = numberOption(ctx.values, 'rate', 0, 0, 10_000_000);
    const batchSize = numberOption(ctx.values, 'batch', 100, 1, 100_000, true);
    const sites = numberOption(ctx.values, 'sites', 1, 1, 100_000, true);
    const spanMs = numberOption(ctx.values, 'span-minutes', 60, 1, 60 * 24 * 365) * 60_000;
    const seed = numberOption(ctx.values, 'seed', 1, 0, 2 ** 31, true);
    const { FleetSimulator } = await import('../../../cloud-sync/fleet/index.ts');
    const sim = new FleetSimulator({ url, devices, events, rate, batchSize, sites, spanMs, seed, counts: !ctx.values['no-counts'] });
    const run = sim.run();
    const outcome = await Promise.race([run.then((r) => ({ r })), ctx.shutdownSignal.then(() => null)]);
    if (!outcome) {
      await sim.stop();
      ctx.stderr.write('fleet-sim: interrupted\n');
      return 130;
    }
    const r = outcome.r;
    ctx.stdout.write(
      `fleet-sim: ${r.devices} devices sent ${r.events} events in ${r.batches} batches and ${r.countsMessages} counts messages ` +
        `in ${r.seconds.toFixed(2)} s (${Math.round(r.events / r.seconds)} events/s, ${r.reconnects} reconnects)\n`,
    );
    return 0;
  },
});
