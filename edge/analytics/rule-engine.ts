// Alert rules over the live figures: a rule raises when its condition has held for
// `minDurationS` and clears when the opposite condition (with hysteresis: `clearAt`,
// default 10% back from the threshold) has held as long. Emits `alert` events
// {rule, subject, kind, value, threshold, state: raised|cleared}.
import type { RuleConfig } from '../config/sections/analytics.ts';

/** What the rules read; null = unknown subject or no figure yet (the rule waits). */
export interface RuleInputs {
  occupancy(zone: string): number | null;
  /** Minutes. */
  queueWaitMin(queue: string): number | null;
  visitorsLastHour(subject: string): number | null;
  forecastNextHour(subject: string): number | null;
  /** Seconds since the camera or source last reported (null: never). */
  silentSeconds(subject: string): number | null;
}

export interface AlertEvent {
  rule: string;
  subject: string;
  kind: RuleConfig['kind'];
  value: number;
  threshold: number;
  state: 'raised' | 'cleared';
}

interface RuleState {
  raised: boolean;
  /** Since when the condition that would flip the state has held (NaN: not holding). */
  flipSinceMs: number;
}

export class RuleEngine {
  private readonly states: RuleState[];
  private readonly startedAtMs: number;
  raisedCount = 0;

  constructor(
    private readonly rules: readonly RuleConfig[],
    private readonly emit: (tsMs: number, alert: AlertEvent) => void,
    startedAtMs: number,
  ) {
    this.states = rules.map(() => ({ raised: false, flipSinceMs: NaN }));
    this.startedAtMs = startedAtMs;
  }

  /** Rules currently raised, by name. */
  active(): string[] {
    return this.rules.filter((_, i) => this.states[i]!.raised).map((r) => r.name);
  }

  evaluate(nowMs: number, inputs: RuleInputs): void {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const state = this.states[i]!;
      const value = this.valueOf(rule, nowMs, inputs);
      if (value === null) {
        state.flipSinceMs = NaN;
        continue;
      }
      const above = rule.kind === 'occupancy-above' || rule.kind === 'queue-wait-above' || rule.kind === 'silent';
      const clearAt = rule.clearAt ?? (above ? rule.threshold * 0.9 : rule.threshold * 1.1);
      const flips = state.raised
        ? above
          ? value <= clearAt
          : value >= clearAt
        : above
          ? value > rule.threshold
          : value < rule.threshold;
      if (!flips) {
        state.flipSinceMs = NaN;
        continue;
      }
      if (Number.isNaN(state.flipSinceMs)) state.flipSinceMs = nowMs;
      if (nowMs - state.flipSinceMs < rule.minDurationS * 1000) continue;
      state.raised = !state.raised;
      state.flipSinceMs = NaN;
      if (state.raised) this.raisedCount++;
      this.emit(nowMs, {
        rule: rule.name,
        subject: rule.subject,
        kind: rule.kind,
        value: Math.round(value * 100) / 100,
        threshold: rule.threshold,
        state: state.raised ? 'raised' : 'cleared',
      });
    }
  }

  private valueOf(rule: RuleConfig, nowMs: number, inputs: RuleInputs): number | null {
    switch (rule.kind) {
      case 'occupancy-above':
        return inputs.occupancy(rule.subject);
      case 'queue-wait-above':
        return inputs.queueWaitMin(rule.subject);
      case 'visitors-below':
        return inputs.visitorsLastHour(rule.subject);
      case 'forecast-below':
        return inputs.forecastNextHour(rule.subject);
      case 'silent': {
        const s = inputs.silentSeconds(rule.subject);
        return s ?? (nowMs - this.startedAtMs) / 1000;
      }
    }
  }
}
