// The site's LocalZone from a validated config: `timeZone` (IANA), else the deprecated fixed
// offsets of older configs (with a warning), else the box's own zone.
import { LocalZone, systemTimeZone } from '../shared/local-time.ts';
import type { FootfallConfig } from './schema.ts';

export interface SiteZone {
  zone: LocalZone;
  /** Deprecation notes for the log (empty for a current config). */
  warnings: string[];
}

export function siteZoneOf(config: Pick<FootfallConfig, 'timeZone' | 'status' | 'analytics'>): SiteZone {
  const statusOffset = config.status.utcOffsetMinutes;
  const forecastOffset = config.analytics.forecast.utcOffsetMinutes;
  const old = [statusOffset !== undefined ? 'status.utcOffsetMinutes' : null, forecastOffset !== undefined ? 'analytics.forecast.utcOffsetMinutes' : null].filter((x): x is string => x !== null);
  if (config.timeZone !== undefined) {
    const warnings = old.length ? [`${old.join(' and ')} ignored: timeZone ${config.timeZone} is set (remove them)`] : [];
    return { zone: LocalZone.of(config.timeZone), warnings };
  }
  const offset = statusOffset ?? forecastOffset;
  if (offset !== undefined) {
    const warnings = [`${old.join(' and ')} is deprecated and ignores daylight saving; set timeZone (an IANA name such as "Europe/Berlin") instead`];
    if (statusOffset !== undefined && forecastOffset !== undefined && statusOffset !== forecastOffset) {
      warnings.push(`status.utcOffsetMinutes (${statusOffset}) and analytics.forecast.utcOffsetMinutes (${forecastOffset}) disagree; using ${statusOffset} for both`);
    }
    return { zone: LocalZone.fixed(offset), warnings };
  }
  return { zone: LocalZone.of(systemTimeZone()), warnings: [] };
}
