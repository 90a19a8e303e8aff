// Config of upstream sync over MQTT (cloud-sync).
import { z } from 'zod';
import { bool, intBetween } from '../fields.ts';

export const mqttSection = z
  .object({
    /** Upstream broker (mqtt://, mqtts://, ws://). Unset: the embedded broker is used. */
    url: z.string().url({ error: 'must be a URL such as mqtt://host:1883' }).optional(),
    username: z.string().optional(),
    /** Prefer ${ENV_VAR} here rather than the secret itself. */
    password: z.string().optional(),
    embedded: z
      .object({
        enabled: bool().default(true),
        host: z.string().default('127.0.0.1'),
        port: intBetween(1, 65_535).default(1883),
      })
      .strict()
      .prefault({}),
  })
  .strict();
