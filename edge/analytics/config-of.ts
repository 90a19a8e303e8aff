// The analytics settings of a validated config: the `analytics` section once the root
// schema composes it, else its defaults (so the stage works before that wiring exists).
import { analyticsSection, type AnalyticsConfig } from '../config/sections/analytics.ts';

export function analyticsConfigOf(config: object): AnalyticsConfig {
  const section = (config as { analytics?: unknown }).analytics;
  return analyticsSection.parse(section ?? {});
}
