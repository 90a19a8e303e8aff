import { describe, expect, it } from 'vitest';
import { validateConfig } from '../load.ts';

describe('wifi config section', () => {
  it('has a default for every field', () => {
    const w = validateConfig({ wifi: { sensors: [{ name: 'lab', pcap: 'x.pcap' }, { name: 'hall', interface: 'wlan1mon' }] } }).wifi;
    expect(w).toMatchObject({
      keyRotation: 'daily',
      keyFile: 'wifi-hash.key',
      sessionGapMs: 600_000,
      visitorMinDwellMs: 300_000,
      visitorMinRssiDbm: -75,
      staffMinHoursPerDay: 6,
      ignoreOuis: [],
      estimator: { minRelinkGapMs: 60_000, sameScanMs: 1_000 },
    });
    expect(w.sensors[0]).toMatchObject({ replaySpeed: 1, replayLoop: false, replayRestamp: true });
    expect(w.sensors[1]).toMatchObject({ channels: [], hopIntervalMs: 250, monitor: true, filter: 'type mgt subtype probe-req' });
  });

  it('names the bad field and the allowed values', () => {
    expect(() => validateConfig({ wifi: { sensors: [{ name: 's', interface: 'w', channels: [1, 'six'] }] } })).toThrow(
      /wifi\.sensors\[0\]\.channels\[1\]: must be a whole number between 1 and 233, got "six"/,
    );
    expect(() => validateConfig({ wifi: { ignoreOuis: ['dc:fb'] } })).toThrow(/wifi\.ignoreOuis\[0\]: must be a 3-byte vendor prefix/);
    expect(() => validateConfig({ wifi: { keyRotation: 'weekly' } })).toThrow(/wifi\.keyRotation: must be one of "daily", "hourly", "never"/);
    expect(() => validateConfig({ wifi: { sensors: [{ name: 's', interface: 'w', pcap: 'p' }] } })).toThrow(/needs exactly one of "interface" or "pcap"/);
    expect(() => validateConfig({ wifi: { sensors: [{ name: 's', pcap: 'p', replaySpeed: 0 }] } })).toThrow(/replaySpeed: must be a number between/);
    expect(() => validateConfig({ wifi: { sensors: [{ name: 's', pcap: 'p' }, { name: 's', pcap: 'q' }] } })).toThrow('wifi.sensors[1].name: duplicate sensor name "s", also wifi.sensors[0].name');
  });
});
