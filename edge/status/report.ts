// The daily report page (printable) and the CSV export of a day's per-minute counts. A day
// with a stored `report.daily` event shows that report as made at closing time; other days
// (today before closing, days before reports existed) show a summary computed live.
import { hourlyChart } from './charts.ts';
import { FORECAST_WEEKS, type DailyReport } from './daily-report.ts';
import { dayWindow, type DaySummary, type DayWindow } from './day-summary.ts';
import { html, type Html } from './html.ts';
import { layout } from './pages.ts';
import type { StatusStoreReader } from './store-reader.ts';
import type { LocalZone } from '../shared/local-time.ts';

/** Quotes a CSV field; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(store: StatusStoreReader, w: DayWindow): string {
  const rows = ['minute_utc,source,subject,metric,n,sum,max'];
  for (const r of store.countsBetween(w.fromMs, w.toMs)) {
    rows.push([new Date(r.minute).toISOString(), r.source, r.subject, r.metric, r.n, r.sum, r.max].map(csvField).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Local days (newest first) within the last `days` that have any counts, plus days with a stored report. */
function pastDays(store: StatusStoreReader, nowMs: number, zone: LocalZone, storedDays: readonly string[], days = 14): string[] {
  const out = new Set<string>(storedDays);
  for (let d = 0; d < days; d++) {
    const w = dayWindow(nowMs, zone, -d);
    if (store.countsBetween(w.fromMs, w.toMs).length > 0) out.add(w.day);
  }
  return [...out].sort().reverse();
}

function dayLinks(days: readonly string[], storedDays: readonly string[]): Html {
  const stored = new Set(storedDays);
  return html`${days.map((d) => html`<a href="/report?day=${d}"${stored.has(d) ? html` class="stored" title="report stored at closing time"` : ''}>${d}</a> `)}`;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${Math.round(ms / 1000)} s`);
const share = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`);
const offsetLabel = (minutes: number) => `UTC${minutes >= 0 ? '+' : '−'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;

function delta(a: number, b: number): Html {
  if (b === 0) return html`<span class="muted">–</span>`;
  const d = Math.round(((a - b) / b) * 100);
  return html`<span class="${d >= 0 ? 'up' : 'down'}">${d >= 0 ? '+' : ''}${d}%</span>`;
}

/** The page of a report stored at closing time (the figures exactly as published). */
export function storedReportPage(r: DailyReport, store: StatusStoreReader, csrfToken: string, nowMs: number, storedDays: readonly string[], zone: LocalZone): string {
  const days = pastDays(store, nowMs, zone, storedDays);
  const hourly = new Array<number>(24).fill(0);
  const lastWeek = new Array<number>(24).fill(0);
  for (const e of r.entrances) for (let h = 0; h < 24; h++) { hourly[h]! += e.hourlyIn[h]!; lastWeek[h]! += e.lastWeekHourlyIn[h]!; }
  const classes = Object.entries(r.wifi.visitsByClass);
  const rules = Object.entries(r.alerts.byRule);
  return layout({
    title: `Report ${r.day}`,
    page: 'report',
    csrfToken,
    body: html`<h1>Daily report ${r.day}</h1>
<p class="muted" data-role="report-stored">Made at closing time ${r.closingTime} (local time, ${r.timeZone ?? 'UTC'}, ${offsetLabel(r.utcOffsetMinutes)}), compared with ${r.comparisonDay} (same weekday last week, same hours).</p>
<p class="noprint"><a href="/api/counts.csv?day=${r.day}">Download the counts as CSV</a> · <a href="/api/reports/${r.day}">JSON</a> · Past days: ${dayLinks(days, storedDays)}</p>
<section class="card"><h2>Visitors</h2><dl class="kv"><dt>Entries (all lines, in)</dt><dd data-role="total-in">${r.totals.in}</dd><dt>Same weekday last week</dt><dd>${r.totals.lastWeekIn} ${delta(r.totals.in, r.totals.lastWeekIn)}</dd>
<dt>Exits</dt><dd>${r.totals.out}</dd><dt>Peak hour</dt><dd data-role="peak-hour">${r.peakHour === null ? '–' : `${r.peakHour.hour}:00–${r.peakHour.hour + 1}:00 (${r.peakHour.in})`}</dd></dl>
<div class="charts">${hourlyChart('All entrances, in', hourly, lastWeek, 23, { bars: r.day, line: r.comparisonDay })}${r.entrances.map((e) => hourlyChart(`${e.camera} · ${e.line} in`, e.hourlyIn, e.lastWeekHourlyIn, 23, { bars: 'this day', line: 'last week' }))}</div>
<div class="scroll"><table><thead><tr><th>Camera</th><th>Line</th><th class="num">In</th><th class="num">Out</th><th class="num">Last week in</th><th class="num">Δ in</th></tr></thead><tbody>${r.entrances.length ? r.entrances.map((e) => html`<tr><td>${e.camera}</td><td>${e.line}</td><td class="num">${e.in}</td><td class="num">${e.out}</td><td class="num">${e.lastWeekIn}</td><td class="num">${delta(e.in, e.lastWeekIn)}</td></tr>`) : html`<tr><td colspan="6" class="muted">No counting lines.</td></tr>`}</tbody></table></div></section>
<section class="card"><h2>Zones</h2><div class="scroll"><table><thead><tr><th>Camera</th><th>Zone</th><th class="num">Visits</th><th class="num">Last week</th><th class="num">Mean dwell</th><th class="num">Longest</th><th class="num">Peak occupancy</th></tr></thead><tbody>${r.zones.length ? r.zones.map((z) => html`<tr><td>${z.camera}</td><td>${z.zone}</td><td class="num">${z.visits}</td><td class="num">${z.lastWeekVisits}</td><td class="num">${seconds(z.meanDwellMs)}</td><td class="num">${seconds(z.maxDwellMs)}</td><td class="num">${z.maxOccupancy ?? '–'}</td></tr>`) : html`<tr><td colspan="7" class="muted">No zones.</td></tr>`}</tbody></table></div></section>
<section class="card"><h2>Paths</h2>${r.paths.length ? html`<div class="scroll"><table><thead><tr><th>Camera</th><th>From</th><th>To</th><th class="num">People</th></tr></thead><tbody>${r.paths.map((p) => html`<tr><td>${p.camera}</td><td>${p.from}</td><td>${p.to}</td><td class="num">${p.n}</td></tr>`)}</tbody></table></div>` : html`<p class="muted">No zone-to-zone paths.</p>`}</section>
<section class="card"><h2>Queues</h2>${r.queues.length ? html`<div class="scroll"><table><thead><tr><th>Camera</th><th>Queue</th><th class="num">Mean wait</th><th class="num">Longest wait</th><th class="num">Mean length</th><th class="num">Longest</th></tr></thead><tbody>${r.queues.map((q) => html`<tr><td>${q.camera}</td><td>${q.queue}</td><td class="num">${seconds(q.meanWaitMs)}</td><td class="num">${seconds(q.maxWaitMs)}</td><td class="num">${q.meanLength ?? '–'}</td><td class="num">${q.maxLength ?? '–'}</td></tr>`)}</tbody></table></div>` : html`<p class="muted">No queues measured.</p>`}</section>
<section class="card"><h2>Wi-Fi</h2><dl class="kv"><dt>Visits</dt><dd>${r.wifi.visits}</dd>${classes.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}<dt>Repeat visitors (seen in the 7 days before)</dt><dd>${share(r.wifi.repeatShare)}</dd><dt>Randomized MAC share</dt><dd>${share(r.wifi.randomizedShare)}</dd></dl></section>
<section class="card"><h2>Forecast for ${r.forecast.day}</h2><dl class="kv"><dt>Expected entries</dt><dd data-role="forecast-total">${r.forecast.totalExpectedIn ?? '– (no history yet)'}</dd></dl>
${r.forecast.entrances.length ? html`<table><thead><tr><th>Camera</th><th>Line</th><th class="num">Expected in</th><th class="num">Weeks of history</th></tr></thead><tbody>${r.forecast.entrances.map((f) => html`<tr><td>${f.camera}</td><td>${f.line}</td><td class="num">${f.expectedIn ?? '–'}</td><td class="num">${f.weeksUsed}</td></tr>`)}</tbody></table>` : ''}
<p class="muted small">Mean of the same weekday over the last ${FORECAST_WEEKS} weeks with data.</p></section>
<section class="card"><h2>Alerts raised</h2>${r.alerts.raised ? html`<dl class="kv">${rules.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl><ul class="events">${r.alerts.items.map((a) => html`<li><time>${zone.clock(a.tsMs)}</time> ${a.source}: ${a.rule} (${String(a.value ?? '')})</li>`)}</ul>` : html`<p class="muted">None.</p>`}</section>`,
  });
}

export function reportPage(s: DaySummary, store: StatusStoreReader, csrfToken: string, nowMs: number, storedDays: readonly string[], zone: LocalZone): string {
  const totalIn = s.lines.reduce((a, l) => a + l.in, 0);
  const hourly = new Array<number>(24).fill(0);
  for (const l of s.lines) l.hourlyIn.forEach((v, h) => (hourly[h]! += v));
  let peak = -1;
  for (let h = 0; h < 24; h++) if (hourly[h]! > 0 && (peak < 0 || hourly[h]! > hourly[peak]!)) peak = h;
  const days = pastDays(store, nowMs, zone, storedDays);
  return layout({
    title: `Report ${s.day}`,
    page: 'report',
    csrfToken,
    body: html`<h1>Daily report ${s.day}</h1>
<p class="muted" data-role="report-live">Computed now from the counts${s.nowMs < s.toMs - 1 ? ' (the day is not over)' : ''}; no report was stored at closing time for this day.</p>
<p class="noprint"><a href="/api/counts.csv?day=${s.day}">Download the counts as CSV</a> · Past days: ${dayLinks(days, storedDays)}</p>
<section class="card"><h2>Visitors</h2><dl class="kv"><dt>Entries (all lines, in)</dt><dd>${totalIn}</dd><dt>Peak hour</dt><dd>${peak < 0 ? '–' : `${peak}:00–${peak + 1}:00 (${hourly[peak]})`}</dd></dl>
<div class="charts">${hourlyChart('All entrances, in', hourly, s.lines.reduce((acc, l) => acc.map((v, h) => v + l.yesterdayHourlyIn[h]!), new Array<number>(24).fill(0)), 23)}</div>
<table><thead><tr><th>Camera</th><th>Line</th><th>In</th><th>Out</th><th>Day before in</th></tr></thead><tbody>${s.lines.map((l) => html`<tr><td>${l.camera}</td><td>${l.line}</td><td class="num">${l.in}</td><td class="num">${l.out}</td><td class="num">${l.yesterdayIn}</td></tr>`)}</tbody></table></section>
<section class="card"><h2>Zones</h2><table><thead><tr><th>Camera</th><th>Zone</th><th>Visits</th><th>Mean dwell</th><th>Peak occupancy</th></tr></thead><tbody>${s.zones.map((z) => html`<tr><td>${z.camera}</td><td>${z.zone}</td><td class="num">${z.visits}</td><td class="num">${z.meanDwellMs === null ? '–' : `${Math.round(z.meanDwellMs / 1000)} s`}</td><td class="num">${z.maxOccupancy ?? '–'}</td></tr>`)}</tbody></table></section>`,
  });
}
