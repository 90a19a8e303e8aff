// Typed errors with stable codes. Boundaries (CLI, config, store, sources) throw
// these so callers can branch on `code` and the CLI can print one clear line.

export type FootfallErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_PARSE'
  | 'CONFIG_TOO_LARGE'
  | 'CLI_USAGE'
  | 'FILE_NOT_FOUND'
  | 'STORE_OPEN'
  | 'STORE_CORRUPT'
  | 'STORE_READONLY'
  | 'STORE_DISK_FULL'
  | 'STORE_WRITE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'SOURCE_FAILED'
  | 'INPUT_INVALID'
  | 'NETWORK'
  | 'INTERNAL';

export class FootfallError extends Error {
  readonly code: FootfallErrorCode;

  constructor(code: FootfallErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FootfallError';
    this.code = code;
  }
}

export function isFootfallError(err: unknown): err is FootfallError {
  return err instanceof FootfallError;
}

/** Message of any thrown value, for logs and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
