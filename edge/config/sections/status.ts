// Config of the local status page (edge/status).
import { z } from 'zod';
import { bool, intBetween } from '../fields.ts';

export const statusSection = z
  .object({
    enabled: bool().default(true),
    host: z.string().default('0.0.0.0'),
    port: intBetween(0, 65_535).default(8080),
  })
  .strict();
