// `footfall sync`: runs only the outbox publisher on an existing store (operations,
// catching up a copied database, tests); --drain exits 0 once the outbox is empty.
import { dirname, resolve } from 'node:path';
import { defineCommand, numberOption, requireString, UsageError } from '../command.ts';

export default defineCommand({
  name: 'sync',
  summary: 'publish the unsent events of a store to an MQTT broker (the outbox alone)',
  usage: ['sync --db FILE --url URL [--drain] [--timeout S] [--config FILE] [--site S] [--device D]'],
  options: {
    db: { type: 'string', valueName: 'FILE', description: 'SQLite store to publish from' },
    url: { type: 'string', valueName: 'URL', description: 'broker URL (mqtt://, mqtts://, ws://); else mqtt.url of the config' },
    drain: { type: 'boolean', description: 'exit 0 once every event is acknowledged (1 if some were refused by the broker)' },
    timeout: { type: 'string', valueName: 'S', description: 'with --drain: give up (exit 1) after S seconds' },
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'config for site, device and the mqtt section (TLS, credentials, batching)' },
    site: { type: 'string', valueName: 'S', description: 'site topic level (else the config\'s)' },
    device: { type: 'string', valueName: 'D', description: 'device topic level (else the config\'s)' },
  },
  details: 'Events are marked sent only on PUBACK, so the command can be killed at any moment and run again:\nit resumes at the oldest unacknowledged event (consumers de-duplicate by event id).',
  async run(ctx) {
    const db = resolve(ctx.cwd, requireString(ctx.values, 'db'));
    const timeoutS = numberOption(ctx.values, 'timeout', 0, 0.1, 31_536_000);
    const { loadConfig, validateConfig } = await import('../../config/index.ts');
    const { config, file } = loadConfig({ file: ctx.values.config as string | undefined, env: ctx.env, cwd: ctx.cwd });
    const url = (ctx.values.url as string | undefined) ?? config.mqtt.url;
    if (!url) throw new UsageError('--url is required (or set mqtt.url in the config)');
    // Re-validate the overrides so a bad --url or --site reads like a config error.
    const checked = validateConfig(
      {
        site: (ctx.values.site as string | undefined) ?? config.site,
        device: (ctx.values.device as string | undefined) ?? config.device,
        mqtt: { ...config.mqtt, url },
      },
      'sync options',
    );
    const mqtt = { ...checked.mqtt, counts: { ...checked.mqtt.counts, enabled: false }, commands: { enabled: false }, homeAssistant: { ...checked.mqtt.homeAssistant, enabled: false } };
    const { EventStore } = await import('../../store/index.ts');
    const { SyncStage } = await import('../../../cloud-sync/edge/index.ts');
    const { packageVersion } = await import('../main.ts');
    const store = EventStore.open({ path: db, logger: ctx.logger });
    const stage = new SyncStage({
      store,
      config: { site: checked.site, device: checked.device, mqtt },
      logger: ctx.logger,
      version: packageVersion(),
      baseDir: file ? dirname(file) : ctx.cwd,
    });
    const backlog = store.outbox.unsentCount();
    const t0 = performance.now();
    try {
      await stage.start();
      if (!ctx.values.drain) {
        ctx.stderr.write(`publishing ${backlog} unsent events and new ones from ${db}; Ctrl-C to stop\n`);
        await ctx.shutdownSignal;
        return 0;
      }
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        stage.waitForDrain().then(() => 'drained' as const),
        ctx.shutdownSignal.then(() => 'signal' as const),
        ...(timeoutS > 0 ? [new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutS * 1000)))] : []),
      ]);
      clearTimeout(timer);
      const h = stage.health().metrics ?? {};
      if (outcome === 'timeout') {
        ctx.stderr.write(`footfall sync: not drained after ${timeoutS} s: ${h.backlog} events unsent; last error: ${h.connectionError ?? h.lastError ?? 'none'}\n`);
        return 1;
      }
      if (outcome === 'signal') return 130;
      const s = (performance.now() - t0) / 1000;
      const refused = Number(h.parkedEvents ?? 0);
      ctx.stdout.write(`drained: ${h.sentEvents} events published in ${s.toFixed(2)} s (${Math.round(Number(h.sentEvents) / s)} events/s), ${h.backlog} unsent\n`);
      if (refused > 0) {
        ctx.stderr.write(`footfall sync: ${refused} events were refused by the broker and stay unsent: ${h.lastError}\n`);
        return 1;
      }
      return 0;
    } finally {
      await stage.stop();
      store.close();
    }
  },
});

