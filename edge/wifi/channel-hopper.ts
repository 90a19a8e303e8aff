// Hops a monitor-mode interface across channels with `iw dev IFACE set channel N`. A missing
// `iw` or a refused command (no CAP_NET_ADMIN, busy interface) stops hopping with one clear
// error instead of failing every interval.
import { execFile } from 'node:child_process';
import type { Logger } from '../shared/log.ts';

export interface ChannelHopperOptions {
  iface: string;
  channels: readonly number[];
  intervalMs: number;
  logger: Logger;
  /** The command, for tests ("iw"). */
  iwPath?: string;
}

export class ChannelHopper {
  private timer: NodeJS.Timeout | null = null;
  private index = 0;
  private busy = false;
  hops = 0;
  /** Why hopping stopped, or null while it works. */
  error: string | null = null;

  constructor(private readonly options: ChannelHopperOptions) {}

  start(): void {
    if (this.timer || this.options.channels.length === 0) return;
    this.hop();
    if (this.options.channels.length > 1) this.timer = setInterval(() => this.hop(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sets the next channel; resolves when iw answered (tests await it). */
  hop(): Promise<void> {
    if (this.busy || this.error) return Promise.resolve();
    const { iface, channels } = this.options;
    const ch = channels[this.index % channels.length]!;
    this.index++;
    this.busy = true;
    return new Promise((resolve) => {
      execFile(this.options.iwPath ?? 'iw', ['dev', iface, 'set', 'channel', String(ch)], { timeout: 5_000 }, (err, _out, stderr) => {
        this.busy = false;
        if (err) {
          const e = err as NodeJS.ErrnoException & { code?: string | number };
          if (e.code === 'ENOENT') this.error = `channel hopping needs the "iw" command (Debian package iw), not found`;
          else if (/not permitted|permission/i.test(stderr)) this.error = `iw may not change channels on ${iface}: operation not permitted (run as root or grant CAP_NET_ADMIN)`;
          else this.error = `iw dev ${iface} set channel ${ch} failed: ${(stderr || e.message).trim().split('\n')[0]}`;
          this.options.logger.error({ iface, channel: ch }, `${this.error}; channel hopping stopped`);
          this.stop();
        } else this.hops++;
        resolve();
      });
    });
  }
}
