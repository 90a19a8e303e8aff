// The body (`data`) of a `wifi.count` event in contract v1: per minute, Wi-Fi devices seen by the
// box's sensors; since #19, additively, `presence`: devices near the sensors over the presence
// window that ended with this minute (once per window), with a low-high range. Consumers that do
// not know `presence` keep working; the events schema leaves `data` open.
import { z } from 'zod';

export const wifiPresenceSchema = z
  .object({
    /** Start of the window (ms, UTC); it ends at startMs + windowMs. */
    startMs: z.number().int().min(0),
    /** Window length (ms): wifi.presence.windowMinutes. */
    windowMs: z.number().int().positive(),
    /** Point estimate of devices near the sensors (median signal of the window at or above the sensor's floor), fixed devices left out. */
    devices: z.number().int().min(0),
    /** Fewest devices consistent with the addresses seen (one per IE fingerprint of the randomized ones). */
    low: z.number().int().min(0),
    /** Most: every near address a device. low <= devices <= high. */
    high: z.number().int().min(0),
    /** Near devices left out as fixed (PCs, printers, APs, staff phones: present more than staffMinHoursPerDay). */
    fixedExcluded: z.number().int().min(0),
    /** Near-field floor in use per sensor name (dBm), learned or configured. */
    floorsDbm: z.record(z.string(), z.number()),
  })
  .strict()
  .refine((p) => p.low <= p.devices && p.devices <= p.high, { error: 'needs low <= devices <= high' });

export const wifiCountDataSchema = z
  .object({
    /** The minute counted (ms, UTC, a minute start). */
    minuteMs: z.number().int().min(0),
    /** Distinct hashed addresses this minute (all signal levels above wifi.minRssiDbm). */
    all: z.number().int().min(0),
    visitors: z.number().int().min(0),
    staff: z.number().int().min(0),
    randomized: z.number().int().min(0),
    randomizedShare: z.number().min(0).max(1),
    /** Unique addresses + randomized-address chains this minute. */
    estimatedDevices: z.number().int().min(0),
    frames: z.number().int().min(0),
    /** Since #19 (additive): once per presence window, on the window's last minute. */
    presence: wifiPresenceSchema.optional(),
  })
  .passthrough();

export type WifiCountData = z.output<typeof wifiCountDataSchema>;
