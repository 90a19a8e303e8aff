// Structured logging with pino: one root logger per process, built by the composition
// root and handed down; every module takes a child logger named after itself.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface RootLoggerOptions {
  level?: LevelWithSilent;
  /** Pretty, human-readable lines; defaults to true when stderr is a TTY. */
  pretty?: boolean;
  /** Where JSON lines go; defaults to stderr (fd 2) so stdout stays clean for command output. */
  destination?: number | string;
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination = options.destination ?? 2;
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: destination, sync: false }));
}

/** A logger that drops everything, for tests and library use without a root. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Logs at most `perWindow` messages per `windowMs` for a repeating per-frame or
 * per-packet problem, then one summary of how many were suppressed.
 */
export class RateLimitedLog {
  private windowStartMs = 0;
  private emitted = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 5,
    private readonly windowMs = 60_000,
  ) {}

  warn(obj: object, msg: string, nowMs = Date.now()): void {
    if (nowMs - this.windowStartMs >= this.windowMs) {
      if (this.suppressed > 0) {
        this.logger.warn({ suppressed: this.suppressed }, 'similar warnings suppressed');
      }
      this.windowStartMs = nowMs;
      this.emitted = 0;
      this.suppressed = 0;
    }
    if (this.emitted < this.perWindow) {
      this.emitted++;
      this.logger.warn(obj, msg);
    } else {
      this.suppressed++;
    }
  }
}
