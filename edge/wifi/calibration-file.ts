// The per-sensor calibration file (wifi-calibration.json in the data dir): each sensor's learned
// near-field floor, how and when it was learned. Written by `footfall wifi calibrate` and by the
// agent when it re-learns; read at start. A corrupt file is an error naming the file and field.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FootfallError } from '../shared/errors.ts';

export const sensorCalibrationSchema = z
  .object({
    floorDbm: z.number().min(-128).max(0).describe('Near-field floor (dBm) in use for this sensor.'),
    method: z.enum(['modes', 'empty-window']).describe('modes: learned from a day of signal; empty-window: from a period the installer marked empty.'),
    learnedAtMs: z.number().int().min(0).describe('When it was learned (ms since the epoch).'),
    fromMs: z.number().min(0).describe('Start of the data it was learned from.'),
    toMs: z.number().min(0).describe('End of the data it was learned from.'),
    farLevelDbm: z.number().describe('Typical strongest device of a far-only window (dBm).'),
    nearLevelDbm: z.number().nullable().describe('Typical strongest device of a window with near devices (dBm), null for empty-window.'),
    /** Floor first written for this sensor: drift is measured against it. */
    initialFloorDbm: z.number().min(-128).max(0).describe('Floor first written for this sensor: drift is measured against it.'),
  })
  .strict();

export const calibrationFileSchema = z
  .object({
    version: z.literal(1).describe('File format version.'),
    sensors: z.record(z.string(), sensorCalibrationSchema).describe('By sensor name.'),
  })
  .strict();

export type SensorCalibration = z.output<typeof sensorCalibrationSchema>;
export type CalibrationFile = z.output<typeof calibrationFileSchema>;

/** Reads the file; a missing file is an empty calibration, a bad one an error naming the field. */
export function readCalibrationFile(path: string): CalibrationFile {
  if (!existsSync(path)) return { version: 1, sensors: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FootfallError('INPUT_INVALID', `${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = calibrationFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FootfallError('INPUT_INVALID', `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Writes one sensor's calibration (atomically: temp file then rename), keeping the others. */
export function writeSensorCalibration(path: string, sensor: string, calibration: Omit<SensorCalibration, 'initialFloorDbm'> & { initialFloorDbm?: number }): SensorCalibration {
  const file = readCalibrationFile(path);
  const previous = file.sensors[sensor];
  const entry: SensorCalibration = { ...calibration, initialFloorDbm: calibration.initialFloorDbm ?? previous?.initialFloorDbm ?? calibration.floorDbm };
  file.sensors[sensor] = entry;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
  return entry;
}
