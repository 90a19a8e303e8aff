// Makes the end-of-day report once per local day at closing time and stores it as a
// `report.daily` event (the outbox then publishes it upstream). On start it catches up the
// last closed day if the agent was down at closing time; existing reports are never redone.
import { errorMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { EventSink } from '../shared/types.ts';
import { dayWindow } from './day-summary.ts';
import { buildDailyReport, closingMsOf, REPORT_EVENT_SOURCE, REPORT_EVENT_TYPE, storedReportOf, type DailyReport } from './daily-report.ts';
import type { StatusStoreReader } from './store-reader.ts';
import type { LocalZone } from '../shared/local-time.ts';

export interface DailyReportSchedulerOptions {
  store: StatusStoreReader;
  sink: EventSink;
  closingTime: string;
  /** The site's local time (days and closing time). */
  zone: LocalZone;
  logger: Logger;
  now?: () => number;
  /** How often the clock is looked at; the report is made at the first check after closing. */
  checkIntervalMs?: number;
}

export class DailyReportScheduler {
  private timer: NodeJS.Timeout | null = null;
  /** The last day known to have a report, so the store is asked once per day, not per check. */
  private doneDay: string | null = null;
  private readonly log: Logger;
  reportsMade = 0;
  lastError: string | null = null;

  constructor(private readonly options: DailyReportSchedulerOptions) {
    this.log = options.logger.child({ module: 'daily-report' });
  }

  start(): void {
    if (this.timer) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.options.checkIntervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Makes the report of the latest day whose closing time has passed, unless it exists.
   * Returns the report made now, or null. Only the latest closed day is caught up.
   */
  check(): DailyReport | null {
    const o = this.options;
    const nowMs = (o.now ?? Date.now)();
    let day = dayWindow(nowMs, o.zone);
    if (closingMsOf(day, o.closingTime, o.zone) > nowMs) day = dayWindow(nowMs, o.zone, -1);
    if (this.doneDay === day.day) return null;
    try {
      if (storedReportOf(o.store, day)) {
        this.doneDay = day.day;
        return null;
      }
      const closingMs = closingMsOf(day, o.closingTime, o.zone);
      const late = nowMs - closingMs > 2 * (o.checkIntervalMs ?? 30_000);
      if (late && o.store.countsBetween(day.fromMs, closingMs).length === 0) {
        // Catching up a day the box saw nothing of (e.g. before its first start): no report.
        this.doneDay = day.day;
        return null;
      }
      const report = buildDailyReport(o.store, day, closingMs, { closingTime: o.closingTime, zone: o.zone, nowMs });
      // Stamped at the closing instant so it belongs to its day even when made late.
      o.sink.append({ tsMs: closingMs, type: REPORT_EVENT_TYPE, source: REPORT_EVENT_SOURCE, data: report as unknown as Record<string, unknown> });
      this.doneDay = day.day;
      this.reportsMade++;
      this.lastError = null;
      this.log.info({ day: day.day, entries: report.totals.in, late }, 'daily report stored');
      return report;
    } catch (err) {
      // Retried at the next check; the page shows the live-computed report meanwhile.
      this.lastError = errorMessage(err);
      this.log.error({ day: day.day, err: this.lastError }, 'daily report failed');
      return null;
    }
  }
}
