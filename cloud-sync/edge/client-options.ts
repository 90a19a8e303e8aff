// Turns the mqtt config section into mqtt.js client options: credentials, TLS files
// (read once, with a clear error naming the field), protocol version, persistent
// session. Reconnecting is ours (backoff with jitter), so mqtt.js's own is off.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../../edge/config/sections/mqtt.ts';
import { FootfallError } from '../../edge/shared/errors.ts';

/** The connection settings the sync stage needs (a subset of the config section). */
export type MqttConnectionConfig = Pick<
  MqttConfig,
  'username' | 'password' | 'clientId' | 'protocolVersion' | 'keepaliveS' | 'cleanSession' | 'sessionExpiryS' | 'tls' | 'connectTimeoutMs'
>;

function readPem(field: string, path: string, baseDir: string): Buffer {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new FootfallError('CONFIG_INVALID', `mqtt.tls.${field}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function defaultClientId(site: string, device: string): string {
  return `footfall-${site}-${device}`.slice(0, 128);
}

export function clientOptionsOf(
  config: MqttConnectionConfig,
  identity: { site: string; device: string },
  baseDir: string = process.cwd(),
): IClientOptions {
  const options: IClientOptions = {
    clientId: config.clientId ?? defaultClientId(identity.site, identity.device),
    protocolVersion: config.protocolVersion,
    keepalive: config.keepaliveS,
    clean: config.cleanSession,
    connectTimeout: config.connectTimeoutMs,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
  };
  if (config.protocolVersion === 5 && !config.cleanSession) options.properties = { sessionExpiryInterval: config.sessionExpiryS };
  if (config.username !== undefined) options.username = config.username;
  if (config.password !== undefined) options.password = config.password;
  const tls = config.tls;
  if (tls.ca) options.ca = readPem('ca', tls.ca, baseDir);
  if (tls.cert) options.cert = readPem('cert', tls.cert, baseDir);
  if (tls.key) options.key = readPem('key', tls.key, baseDir);
  options.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.servername) options.servername = tls.servername;
  return options;
}

/** The URL without credentials, for logs and status. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
