// Live capture and channel hopping fail with clear messages where no monitor-mode radio
// exists (as in CI): wrong interface, a non-802.11 interface, iw missing or refusing.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/log.ts';
import { ChannelHopper } from './channel-hopper.ts';
import { LiveCaptureSource, linkTypeNumber } from './live-source.ts';

function live(iface: string) {
  return new LiveCaptureSource({ iface, filter: 'type mgt subtype probe-req', monitor: false, channels: [1, 6, 11], hopIntervalMs: 250, logger: silentLogger() });
}

describe('LiveCaptureSource', () => {
  it('maps node-pcap link type names to numbers', () => {
    expect(linkTypeNumber('LINKTYPE_IEEE802_11_RADIO')).toBe(127);
    expect(linkTypeNumber('Unknown linktype 105')).toBe(105);
    expect(linkTypeNumber('Unknown linktype 119')).toBe(119);
    expect(linkTypeNumber('LINKTYPE_ETHERNET')).toBe(1);
    expect(linkTypeNumber('garbage')).toBe(-1);
  });

  it('refuses a missing interface and a non-802.11 one with a clear error', async () => {
    await expect(live('nosuch0').start(() => {})).rejects.toThrow(/cannot capture on nosuch0: .*(No such device|doesn't exist)/);
    await expect(live('lo').start(() => {})).rejects.toThrow(/cannot capture on lo: .*802\.11/);
  });
});

describe('ChannelHopper', () => {
  it('stops with a clear error when iw is missing', async () => {
    const h = new ChannelHopper({ iface: 'wlan9', channels: [1, 6], intervalMs: 100, logger: silentLogger(), iwPath: '/nonexistent/iw' });
    await h.hop();
    expect(h.error).toMatch(/needs the "iw" command/);
    expect(h.hops).toBe(0);
    await h.hop(); // no further attempts once failed
    expect(h.hops).toBe(0);
  });

  it('reports what iw said when it refuses', async () => {
    const h = new ChannelHopper({ iface: 'nosuch0', channels: [6], intervalMs: 100, logger: silentLogger() });
    await h.hop();
    expect(h.error).toMatch(/iw|nl80211|No such device|not permitted/);
    expect(h.hops).toBe(0);
  });
});
