// The daily report page (printable) and the CSV export of a day's per-minute counts.
// Past days are listed from the counts table, so the report needs no state of its own.
import { hourlyChart } from './charts.ts';
import { dayWindow, type DaySummary, type DayWindow } from './day-summary.ts';
import { html } from './html.ts';
import { layout } from './pages.ts';
import type { StatusStoreReader } from './store-reader.ts';

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

/** Local days (newest first) within the last `days` that have any counts. */
function pastDays(store: StatusStoreReader, nowMs: number, utcOffsetMinutes: number, days = 14): string[] {
  const out: string[] = [];
  for (let d = 0; d < days; d++) {
    const w = dayWindow(nowMs, utcOffsetMinutes, -d);
    if (store.countsBetween(w.fromMs, w.toMs).length > 0) out.push(w.day);
  }
  return out;
}

export function reportPage(s: DaySummary, store: StatusStoreReader, csrfToken: string, nowMs: number): string {
  const totalIn = s.lines.reduce((a, l) => a + l.in, 0);
  const hourly = new Array<number>(24).fill(0);
  for (const l of s.lines) l.hourlyIn.forEach((v, h) => (hourly[h]! += v));
  let peak = -1;
  for (let h = 0; h < 24; h++) if (hourly[h]! > 0 && (peak < 0 || hourly[h]! > hourly[peak]!)) peak = h;
  const days = pastDays(store, nowMs, s.utcOffsetMinutes);
  return layout({
    title: `Report ${s.day}`,
    page: 'report',
    csrfToken,
    body: html`<h1>Daily report ${s.day}</h1>
<p class="noprint"><a href="/api/counts.csv?day=${s.day}">Download the counts as CSV</a> · Past days: ${days.map((d) => html`<a href="/report?day=${d}">${d}</a> `)}</p>
<section class="card"><h2>Visitors</h2><dl class="kv"><dt>Entries (all lines, in)</dt><dd>${totalIn}</dd><dt>Peak hour</dt><dd>${peak < 0 ? '–' : `${peak}:00–${peak + 1}:00 (${hourly[peak]})`}</dd></dl>
<div class="charts">${hourlyChart('All entrances, in', hourly, s.lines.reduce((acc, l) => acc.map((v, h) => v + l.yesterdayHourlyIn[h]!), new Array<number>(24).fill(0)), 23)}</div>
<table><thead><tr><th>Camera</th><th>Line</th><th>In</th><th>Out</th><th>Day before in</th></tr></thead><tbody>${s.lines.map((l) => html`<tr><td>${l.camera}</td><td>${l.line}</td><td class="num">${l.in}</td><td class="num">${l.out}</td><td class="num">${l.yesterdayIn}</td></tr>`)}</tbody></table></section>
<section class="card"><h2>Zones</h2><table><thead><tr><th>Camera</th><th>Zone</th><th>Visits</th><th>Mean dwell</th><th>Peak occupancy</th></tr></thead><tbody>${s.zones.map((z) => html`<tr><td>${z.camera}</td><td>${z.zone}</td><td class="num">${z.visits}</td><td class="num">${z.meanDwellMs === null ? '–' : `${Math.round(z.meanDwellMs / 1000)} s`}</td><td class="num">${z.maxOccupancy ?? '–'}</td></tr>`)}</tbody></table></section>`,
  });
}
