// Structured logging with pino: one root logger per process, built by the composition
// root and handed down; every module takes a child logger named after itself.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
/** `auto`: pretty on a terminal, JSON lines otherwise. */
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface RootLoggerOptions {
  level?: LevelWithSilent;
  /** `pretty`: one readable line per entry; `json`: JSON lines; `auto` (default): pretty when the destination is a terminal. */
  format?: LogFormat;
  /** Where lines go; defaults to stderr (fd 2) so stdout stays clean for command output. */
  destination?: 1 | 2;
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const destination = options.destination ?? 2;
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && Boolean((destination === 1 ? process.stdout : process.stderr).isTTY));
  if (pretty) {
    return pino({
      level,
      hooks: { logMethod: withoutFieldsTheMessageSays },
      transport: {
        target: 'pino-pretty',
        options: {
          destination,
          colorize: Boolean((destination === 1 ? process.stdout : process.stderr).isTTY),
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,module',
          messageFormat: '{if module}{module}: {end}{msg}',
        },
      },
    });
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: destination, sync: false }));
}

/**
 * For a reader, a field whose text the message already carries (the status page's URL, a
 * first-start password) is said twice: the pretty console drops it; JSON lines keep every field.
 */
function withoutFieldsTheMessageSays(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void): void {
  const [obj, msg] = args as unknown[];
  if (typeof msg === 'string' && obj !== null && typeof obj === 'object' && !(obj instanceof Error)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!(typeof v === 'string' && v.length >= 4 && msg.includes(v))) kept[k] = v;
    method.apply(this, [kept, ...(args as unknown[]).slice(1)]);
    return;
  }
  method.apply(this, args as unknown[]);
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
