// `footfall ingest`: one fleet-ingestion worker. Run more copies with the same --group
// (and distinct --client-id) to split the stream; see docs/scaling.md.
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'ingest',
  summary: 'consume footfall MQTT v1 events, counts and status from a broker into PostgreSQL (scale out with more copies)',
  usage: ['ingest --url MQTT_URL --pg POSTGRES_URL [--group NAME] [--client-id ID] [--site S ...] [--lanes N]'],
  options: {
    url: { type: 'string', valueName: 'MQTT_URL', description: 'broker URL (MQTT 5), e.g. mqtt://user:pass@broker:1883' },
    pg: { type: 'string', valueName: 'POSTGRES_URL', description: 'PostgreSQL connection string; the schema is migrated at start' },
    group: { type: 'string', valueName: 'NAME', description: 'shared-subscription group; workers in one group split the stream', default: 'footfall' },
    'client-id': {
      type: 'string',
      valueName: 'ID',
      description: 'stable MQTT client id of this worker (its persistent session); default footfall-ingest-GROUP-HOST, so give two workers on one host two ids',
    },
    site: { type: 'string', valueName: 'S', multiple: true, description: 'accept only this site (repeatable); messages from other sites are dead-lettered' },
    lanes: { type: 'string', valueName: 'N', description: 'MQTT connections of this worker; a batch holds up to one message per lane', default: '8' },
    'session-expiry': { type: 'string', valueName: 'S', description: 'seconds the broker keeps this worker\'s session while it is away', default: '86400' },
    'max-payload': { type: 'string', valueName: 'BYTES', description: 'larger messages are dead-lettered', default: '1048576' },
    'stats-interval': { type: 'string', valueName: 'S', description: 'log throughput every S seconds (0: never)', default: '10' },
  },
  details:
    'Every message is acknowledged (PUBACK) only after the transaction holding it commits, so a crash\n' +
    're-delivers instead of losing; rows are idempotent on the event id. Invalid messages go to the\n' +
    'dead_letters table with their topic and reason.',
  async run(ctx) {
    const url = requireString(ctx.values, 'url');
    const pgUrl = requireString(ctx.values, 'pg');
    if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) throw new UsageError(`--url must be an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(url)}`);
    if (!/^postgres(ql)?:\/\//.test(pgUrl)) throw new UsageError(`--pg must be a postgres:// URL, got ${JSON.stringify(pgUrl.replace(/\/\/[^@/]*@/, '//'))}`);
    const { isTopicLevel } = await import('../../../cloud-sync/contract/index.ts');
    const group = String(ctx.values.group ?? 'footfall');
    if (!isTopicLevel(group)) throw new UsageError(`--group must be letters, digits, "-", "_" or ".", got ${JSON.stringify(group)}`);
    const sites = (ctx.values.site as string[] | undefined) ?? [];
    for (const s of sites) if (!isTopicLevel(s)) throw new UsageError(`--site must be letters, digits, "-", "_" or ".", got ${JSON.stringify(s)}`);
    const clientId = typeof ctx.values['client-id'] === 'string' ? ctx.values['client-id'] : undefined;
    if (clientId !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(clientId)) throw new UsageError(`--client-id must be 1-100 letters, digits, "-", "_" or ".", got ${JSON.stringify(clientId)}`);
    const lanes = numberOption(ctx.values, 'lanes', 8, 1, 64, true);
    const sessionExpiryS = numberOption(ctx.values, 'session-expiry', 86_400, 0, 4_294_967_295, true);
    const maxPayloadBytes = numberOption(ctx.values, 'max-payload', 1_048_576, 1_024, 268_435_455, true);
    const statsS = numberOption(ctx.values, 'stats-interval', 10, 0, 86_400);
    const { IngestWorker } = await import('../../../cloud-sync/fleet/index.ts');
    const worker = new IngestWorker({ mqttUrl: url, pgUrl, group, ...(clientId ? { clientId } : {}), sites, lanes, sessionExpiryS, maxPayloadBytes, logger: ctx.logger });
    await worker.start();
    let timer: NodeJS.Timeout | null = null;
    if (statsS > 0) {
      let last = 0;
      timer = setInterval(() => {
        const m = worker.metrics;
        ctx.logger.info({ eventsPerS: Math.round((m.events - last) / statsS), ...m }, 'ingest stats');
        last = m.events;
      }, statsS * 1000);
      timer.unref();
    }
    await ctx.shutdownSignal;
    if (timer) clearInterval(timer);
    await worker.stop();
    const m = worker.metrics;
    ctx.stderr.write(`ingest: ${m.events} events (${m.inserted} new, ${m.duplicates} duplicates), ${m.countRows} count rows, ${m.statuses} statuses, ${m.deadLetters} dead letters\n`);
    return 0;
  },
});
