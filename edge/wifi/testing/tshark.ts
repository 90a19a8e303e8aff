// Test helper: runs tshark (Debian package tshark) on a capture and returns its probe
// requests, the independent decoder our parser is compared with.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TsharkProbe {
  frame: number;
  epochMs: number;
  sa: string;
  seq: number;
  /** All radiotap dBm values (combined first). */
  signals: number[];
  channelMhz: number | null;
}

export async function tsharkAvailable(): Promise<boolean> {
  try {
    await run('tshark', ['--version']);
    return true;
  } catch {
    return false;
  }
}

export interface TsharkResult {
  probes: TsharkProbe[];
  /** tshark's complaint when the file ends in the middle of a packet (it still prints what it read). */
  cutShort: boolean;
}

export async function tsharkProbes(file: string): Promise<TsharkResult> {
  let stdout: string;
  let cutShort = false;
  try {
    ({ stdout } = await run(
    'tshark',
    ['-n', '-r', file, '-Y', 'wlan.fc.type_subtype==4', '-T', 'fields', '-E', 'separator=/t',
      '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'wlan.sa', '-e', 'wlan.seq', '-e', 'radiotap.dbm_antsignal', '-e', 'radiotap.channel.freq'],
    { maxBuffer: 256 * 1024 * 1024 },
  ));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    if (e.code === 2 && e.stdout !== undefined && /cut short in the middle of a packet/.test(e.stderr ?? '')) {
      stdout = e.stdout;
      cutShort = true;
    } else throw err;
  }
  const out: TsharkProbe[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [frame, epoch, sa, seq, sig, freq] = line.split('\t');
    out.push({
      frame: Number(frame),
      epochMs: Number(epoch) * 1000,
      sa: sa ?? '',
      seq: Number(seq),
      signals: sig ? sig.split(',').map(Number) : [],
      channelMhz: freq ? Number(freq.split(',')[0]) : null,
    });
  }
  return { probes: out, cutShort };
}
