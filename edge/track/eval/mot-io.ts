// MOT files on disk: the one file reader (bytes straight into the parser) and the result
// writer (large chunks, no string per row). Offline tools and the CLI use these; the live
// tracker never touches a file.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { FootfallError } from '../../shared/errors.ts';
import { parseMotBytes, requireRows, type MotTable } from './mot-file.ts';
import { encodeResults, type TrackRunResult } from './mot-runner.ts';

/**
 * Reads a MOT file. Bad lines are skipped and counted in the table (`badLines`,
 * `badLineNumbers`) for the caller to report; a file that cannot be read, or has lines but
 * not one box, is a FootfallError naming it.
 */
export function readMotFile(path: string): MotTable {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FootfallError('FILE_NOT_FOUND', `cannot read MOT file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return requireRows(parseMotBytes(bytes), path);
}

/** Writes the run's result rows to path in chunks of RESULT_CHUNK_BYTES. */
export function writeMotResults(path: string, run: TrackRunResult): void {
  const fd = openSync(path, 'w');
  try {
    encodeResults(run, (chunk) => {
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
}
