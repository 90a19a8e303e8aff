// Live capture on a monitor-mode interface with node-pcap (libpcap): raw frames only (its
// decoder is not used), a BPF filter for probe requests, and optional channel hopping.
import { createRequire } from 'node:module';
import { FootfallError, errorMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { CaptureSource, FrameHandler } from './capture-source.ts';
import { ChannelHopper } from './channel-hopper.ts';

export interface LiveOptions {
  iface: string;
  filter: string;
  monitor: boolean;
  channels: readonly number[];
  hopIntervalMs: number;
  logger: Logger;
}

const NAMED_LINK_TYPES: Record<string, number> = {
  LINKTYPE_IEEE802_11_RADIO: 127,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_NULL: 0,
  LINKTYPE_RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
};

/** node-pcap names a few link types and reports the rest as "Unknown linktype N". */
export function linkTypeNumber(name: string): number {
  const known = NAMED_LINK_TYPES[name];
  if (known !== undefined) return known;
  const m = /Unknown linktype (\d+)/.exec(name);
  return m ? Number(m[1]) : -1;
}

interface PcapPacket {
  buf: Buffer;
  header: Buffer;
  link_type: string;
}

interface PcapSessionLike {
  link_type: string;
  on(event: 'packet', listener: (p: PcapPacket) => void): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

export class LiveCaptureSource implements CaptureSource {
  readonly kind = 'live';
  readonly finished = false;
  errors = 0;
  detail = '';
  private session: PcapSessionLike | null = null;
  private hopper: ChannelHopper | null = null;

  constructor(private readonly options: LiveOptions) {}

  clockMs(): number {
    return Date.now();
  }

  async start(onFrame: FrameHandler): Promise<void> {
    const { iface, filter, monitor } = this.options;
    let pcap: { createSession(device: string, options: Record<string, unknown>): PcapSessionLike; warningHandler: (text: string) => void };
    try {
      pcap = createRequire(import.meta.url)('pcap') as typeof pcap;
    } catch (err) {
      throw new FootfallError('SOURCE_FAILED', `live Wi-Fi capture needs the "pcap" module built against libpcap (Debian libpcap-dev): ${errorMessage(err)}`);
    }
    // libpcap warnings go to our log, not to the console.
    pcap.warningHandler = (text: string) => this.options.logger.warn({ iface }, `libpcap: ${text}`);
    try {
      this.session = pcap.createSession(iface, { filter, monitor, buffer_timeout: 100, snap_length: 4096 });
    } catch (err) {
      const msg = errorMessage(err);
      const hint = /permission|not permitted/i.test(msg)
        ? ' (capturing needs root or CAP_NET_RAW/CAP_NET_ADMIN)'
        : /No such device|doesn't exist/i.test(msg)
          ? ' (check the interface name with "iw dev")'
          : /802\.11/.test(msg)
            ? ' (not an 802.11 monitor-mode interface?)'
            : '';
      throw new FootfallError('SOURCE_FAILED', `cannot capture on ${iface}: ${msg}${hint}`);
    }
    const linkType = linkTypeNumber(this.session.link_type);
    if (linkType !== 127 && linkType !== 105 && linkType !== 119 && linkType !== 163 && linkType !== 192) {
      const name = this.session.link_type;
      this.session.close();
      this.session = null;
      throw new FootfallError(
        'SOURCE_FAILED',
        `${iface} delivers ${name} frames, not 802.11: put it in monitor mode (e.g. "iw dev ${iface} set type monitor") or set monitor: true`,
      );
    }
    this.session.on('packet', (p) => {
      const h = p.header;
      const tsMs = h.readUInt32LE(0) * 1000 + h.readUInt32LE(4) / 1000;
      const caplen = Math.min(h.readUInt32LE(8), p.buf.length);
      onFrame(p.buf, 0, caplen, linkType, tsMs);
    });
    this.hopper = new ChannelHopper({ iface, channels: this.options.channels, intervalMs: this.options.hopIntervalMs, logger: this.options.logger });
    this.hopper.start();
    this.detail = `capturing on ${iface}`;
  }

  get hopError(): string | null {
    return this.hopper?.error ?? null;
  }

  async stop(): Promise<void> {
    this.hopper?.stop();
    if (this.session) {
      try {
        const st = this.session.stats();
        this.detail = `stopped; received ${st.ps_recv}, dropped ${st.ps_drop + st.ps_ifdrop}`;
      } catch {
        // stats are best effort on some platforms
      }
      this.session.close();
      this.session = null;
    }
  }
}
