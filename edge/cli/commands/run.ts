// `footfall run`: the agent.
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'run',
  summary: 'run the agent (cameras, Wi-Fi, analytics, store, sync, status page) until Ctrl-C',
  usage: ['run [--config FILE]'],
  options: {
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'YAML config file (else $FOOTFALL_CONFIG, else ./footfall.yaml, else embedded defaults)' },
  },
  details: 'With no config file the agent runs on embedded defaults: data in ./data, the demo camera, the shipped model,\nan embedded MQTT broker on 127.0.0.1:1883 and the status page on port 8080.',
  async run(ctx) {
    const { loadConfig } = await import('../../config/index.ts');
    const { Agent } = await import('../../agent.ts');
    const { createRootLogger } = await import('../../shared/log.ts');
    const { config, file } = loadConfig({ file: ctx.values.config as string | undefined, env: ctx.env, cwd: ctx.cwd });
    const logger = ctx.values['log-level'] || ctx.env.FOOTFALL_LOG_LEVEL ? ctx.logger : createRootLogger({ level: config.log.level, format: ctx.logFormat });
    logger.info({ config: file ?? 'embedded defaults', site: config.site, device: config.device }, 'starting footfall');
    const { packageVersion } = await import('../main.ts');
    const agent = new Agent({ config, logger, cwd: ctx.cwd, configFile: file, version: packageVersion() });
    // Stages may all be idle (unref'd timers); the agent lives until a signal.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    // A signal at any point, start-up included, stops the agent; a second one exits at once.
    const stopped = ctx.shutdownSignal.then((signal) => {
      clearInterval(keepAlive);
      logger.info({ signal }, 'shutting down');
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      return agent.stop();
    });
    try {
      await agent.start();
    } catch (err) {
      clearInterval(keepAlive);
      throw err;
    }
    await stopped;
    logger.flush?.();
    return 0;
  },
});
