// Config of Wi-Fi probe capture and presence analytics (edge/wifi).
import { z } from 'zod';
import { identifier } from '../fields.ts';

export const wifiSensorSchema = z
  .object({
    name: identifier(),
    /** A monitor-mode interface for live capture... */
    interface: z.string().min(1).optional(),
    /** ...or a capture file replayed (tests, demos). */
    pcap: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => Boolean(s.interface) !== Boolean(s.pcap), { error: 'needs exactly one of "interface" or "pcap"' });

export const wifiSection = z
  .object({
    sensors: z.array(wifiSensorSchema).default([]),
  })
  .strict();
