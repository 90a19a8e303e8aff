import { describe, expect, it } from 'vitest';
import type { RuleConfig } from '../config/sections/analytics.ts';
import { RuleEngine, type AlertEvent, type RuleInputs } from './rule-engine.ts';

function inputs(values: Partial<Record<keyof RuleInputs, number | null>>): RuleInputs {
  return {
    occupancy: () => values.occupancy ?? null,
    queueWaitMin: () => values.queueWaitMin ?? null,
    visitorsLastHour: () => values.visitorsLastHour ?? null,
    forecastNextHour: () => values.forecastNextHour ?? null,
    silentSeconds: () => values.silentSeconds ?? null,
  };
}

describe('rule engine', () => {
  const crowd: RuleConfig = { name: 'crowd', kind: 'occupancy-above', subject: 'atrium', threshold: 50, minDurationS: 60 };

  it('raises only after the minimum duration and clears with hysteresis', () => {
    const alerts: AlertEvent[] = [];
    const e = new RuleEngine([crowd], (_t, a) => alerts.push(a), 0);
    e.evaluate(0, inputs({ occupancy: 55 }));
    e.evaluate(30_000, inputs({ occupancy: 60 }));
    e.evaluate(45_000, inputs({ occupancy: 49 })); // dips: the clock restarts
    e.evaluate(50_000, inputs({ occupancy: 52 }));
    e.evaluate(100_000, inputs({ occupancy: 52 }));
    expect(alerts).toHaveLength(0);
    e.evaluate(110_000, inputs({ occupancy: 53 }));
    expect(alerts).toEqual([{ rule: 'crowd', subject: 'atrium', kind: 'occupancy-above', value: 53, threshold: 50, state: 'raised' }]);
    // 46 is below the threshold but above the clear level (45): stays raised.
    e.evaluate(200_000, inputs({ occupancy: 46 }));
    e.evaluate(400_000, inputs({ occupancy: 46 }));
    expect(alerts).toHaveLength(1);
    e.evaluate(500_000, inputs({ occupancy: 40 }));
    e.evaluate(560_000, inputs({ occupancy: 44 }));
    expect(alerts.map((a) => a.state)).toEqual(['raised', 'cleared']);
    expect(e.active()).toEqual([]);
  });

  it('handles below-floor rules and silent sources', () => {
    const alerts: AlertEvent[] = [];
    const rules: RuleConfig[] = [
      { name: 'quiet-shop', kind: 'visitors-below', subject: 'shop-7', threshold: 20, minDurationS: 0 },
      { name: 'cam-down', kind: 'silent', subject: 'entrance-cam', threshold: 30, minDurationS: 0 },
      { name: 'long-queue', kind: 'queue-wait-above', subject: 'till', threshold: 5, minDurationS: 0 },
    ];
    const e = new RuleEngine(rules, (_t, a) => alerts.push(a), 0);
    e.evaluate(10_000, inputs({ visitorsLastHour: 25, queueWaitMin: 2 }));
    expect(alerts).toEqual([]);
    // Never-seen camera: silent since the engine started.
    e.evaluate(40_000, inputs({ visitorsLastHour: 12, queueWaitMin: 7.5 }));
    expect(alerts.map((a) => `${a.rule}:${a.state}`).sort()).toEqual(['cam-down:raised', 'long-queue:raised', 'quiet-shop:raised']);
    e.evaluate(50_000, inputs({ visitorsLastHour: 21, silentSeconds: 1, queueWaitMin: 4.6 }));
    // 21 < 22 (clear level 10% above the floor) and 4.6 > 4.5: both stay raised; the camera clears.
    expect(alerts.slice(3).map((a) => `${a.rule}:${a.state}`)).toEqual(['cam-down:cleared']);
  });
});
