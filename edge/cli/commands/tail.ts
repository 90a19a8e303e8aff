// `footfall tail`: the reference consumer. Subscribes to the events (and status) of
// every device or one site/device, de-duplicates by event id and prints each event
// once: human-readable lines, or one JSON object per line with --json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'tail',
  summary: 'print events from an MQTT broker as they arrive, de-duplicated by id (the reference consumer)',
  usage: ['tail --url URL [--site S] [--device D] [--json] [--share GROUP] [--count N]'],
  options: {
    url: { type: 'string', valueName: 'URL', description: 'broker URL, e.g. mqtt://127.0.0.1:1883 (credentials as mqtt://user:pass@host)' },
    site: { type: 'string', valueName: 'S', description: 'only this site' },
    device: { type: 'string', valueName: 'D', description: 'only this device' },
    json: { type: 'boolean', description: 'one JSON object per event: {"site","device","id","ts","type","source","data"}' },
    share: { type: 'string', valueName: 'GROUP', description: 'join shared subscription $share/GROUP (consumers in a group split the events)' },
    count: { type: 'string', valueName: 'N', description: 'exit after N distinct events' },
    ca: { type: 'string', valueName: 'FILE', description: 'PEM CA for an mqtts:// broker' },
  },
  details: 'Delivery is at-least-once; tail keeps the last million ids and prints each event once.\nStatus changes (online/offline) go to stderr.',
  async run(ctx) {
    const url = requireString(ctx.values, 'url');
    if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) throw new UsageError(`--url must be an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(url)}`);
    const count = numberOption(ctx.values, 'count', 0, 1, Number.MAX_SAFE_INTEGER, true);
    const json = Boolean(ctx.values.json);
    const { EventConsumer } = await import('../../../cloud-sync/fleet/index.ts');
    const contract = await import('../../../cloud-sync/contract/index.ts');
    for (const key of ['site', 'device', 'share'] as const) {
      const v = ctx.values[key];
      if (typeof v === 'string' && !contract.isTopicLevel(v)) throw new UsageError(`--${key} must be letters, digits, "-", "_" or ".", got ${JSON.stringify(v)}`);
    }
    let ca: Buffer | undefined;
    if (typeof ctx.values.ca === 'string') {
      try {
        ca = readFileSync(resolve(ctx.cwd, ctx.values.ca));
      } catch (err) {
        throw new UsageError(`--ca: cannot read ${ctx.values.ca}: ${(err as Error).message}`);
      }
    }
    let printed = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => (finish = r));
    const consumer = new EventConsumer({
      url,
      ...(typeof ctx.values.site === 'string' ? { site: ctx.values.site } : {}),
      ...(typeof ctx.values.device === 'string' ? { device: ctx.values.device } : {}),
      ...(typeof ctx.values.share === 'string' ? { shareGroup: ctx.values.share } : {}),
      clientOptions: { clientId: `footfall-tail-${process.pid}`, ...(ca ? { ca } : {}) },
      onEvent: (e) => {
        if (json) ctx.stdout.write(`${JSON.stringify({ site: e.site, device: e.device, id: e.id, ts: e.ts, type: e.type, source: e.source, data: e.data })}\n`);
        else ctx.stdout.write(`${new Date(e.ts).toISOString()} ${e.site}/${e.device} ${e.type} ${e.source} ${JSON.stringify(e.data)} ${e.id}\n`);
        printed++;
        if (count > 0 && printed >= count) finish();
      },
      onStatus: (s) => {
        const extra = s.state === 'online' ? ` version ${s.version}, up ${s.uptimeS ?? 0} s` : ` (${s.reason ?? 'unknown'})`;
        ctx.stderr.write(`# ${s.site}/${s.device} ${s.state}${extra}\n`);
      },
      onInvalid: (topic, error) => ctx.stderr.write(`# skipped a message on ${topic}: ${error}\n`),
      onError: (err) => ctx.logger.warn({ err: err.message }, 'MQTT connection problem'),
    });
    try {
      await consumer.start();
    } catch (err) {
      const { FootfallError } = await import('../../shared/errors.ts');
      throw new FootfallError('NETWORK', `cannot subscribe at ${url.replace(/\/\/[^@/]*@/, '//')}: ${(err as Error).message}`);
    }
    ctx.stderr.write(`# subscribed to ${consumer.eventsFilter}\n`);
    await Promise.race([done, ctx.shutdownSignal]);
    await consumer.stop();
    ctx.stderr.write(`# ${consumer.metrics.received} events, ${consumer.metrics.duplicates} duplicates dropped, ${consumer.metrics.invalid} invalid messages\n`);
    return 0;
  },
});
