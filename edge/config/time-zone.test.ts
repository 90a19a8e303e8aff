import { describe, expect, it } from 'vitest';
import { systemTimeZone } from '../shared/local-time.ts';
import { validateConfig } from './load.ts';
import { siteZoneOf } from './time-zone.ts';

describe('timeZone', () => {
  it('accepts an IANA zone and refuses an unknown one, naming timeZone', () => {
    expect(validateConfig({ timeZone: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
    expect(() => validateConfig({ timeZone: 'Mars/Olympus_Mons' }, 'site.yaml')).toThrow(
      'site.yaml: timeZone: must be an IANA time zone name such as "Europe/Berlin", got "Mars/Olympus_Mons"',
    );
  });

  it('resolves the site zone: timeZone, else the old fixed offsets with a warning, else the box\'s zone', () => {
    const berlin = siteZoneOf(validateConfig({ timeZone: 'America/New_York' }));
    expect(berlin.zone.name).toBe('America/New_York');
    expect(berlin.warnings).toEqual([]);
    const old = siteZoneOf(validateConfig({ status: { utcOffsetMinutes: 60 } }));
    expect(old.zone.name).toBe('UTC+01:00');
    expect(old.zone.offsetMinutesAt(Date.parse('2026-07-01T12:00:00Z'))).toBe(60); // no daylight saving
    expect(old.warnings[0]).toContain('status.utcOffsetMinutes is deprecated');
    const disagree = siteZoneOf(validateConfig({ status: { utcOffsetMinutes: 60 }, analytics: { forecast: { utcOffsetMinutes: 120 } } }));
    expect(disagree.warnings.join(' ')).toContain('disagree');
    const both = siteZoneOf(validateConfig({ timeZone: 'Europe/Berlin', status: { utcOffsetMinutes: 60 } }));
    expect(both.zone.name).toBe('Europe/Berlin');
    expect(both.warnings[0]).toContain('ignored');
    expect(siteZoneOf(validateConfig({})).zone.name).toBe(systemTimeZone());
  });
});
