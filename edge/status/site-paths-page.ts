// The Site paths page: where people went from zone to zone of the site's floor plan on a day (or
// one hour of it): a from x to transition matrix shaded by count, the top sequences, visits per
// zone, the day's hours, and where this box's paths are stitched. Server-rendered; shading is a
// class per level, as the content-security policy allows no inline style.
import { shiftDay } from '../shared/local-time.ts';
import { html, type Html } from './html.ts';
import { layout } from './pages.ts';
import type { SitePathsDay } from './site-paths-day.ts';

/** The matrix shows at most this many zones (those with most transitions); the JSON has all. */
export const MATRIX_MAX_ZONES = 40;
const HEAT_LEVELS = 5;

const seq = (key: string) => key.split('>').join(' > ');

function stitchingNote(d: SitePathsDay): Html {
  const s = d.stitching;
  const list = (names: string[]) => names.join(', ');
  const warnings = html`${s.uncalibrated.length ? html`<p class="warn" data-role="uncalibrated">Cameras without a floor calibration take no part in site paths: ${list(s.uncalibrated)}.</p>` : ''}${s.unseenZones.length ? html`<p class="warn" data-role="unseen-zones">Zones outside every calibrated camera's view (they can never be visited): ${list(s.unseenZones)}.</p>` : ''}`;
  if (s.role === 'off') {
    return html`<p data-role="stitching" data-state="off">Site paths are off on this box: <code>sitePaths.enabled</code> is <code>off</code>, or (<code>auto</code>) the floor plan has no zones or no enabled camera has a floor calibration. ${d.hours.length ? 'Hours stored before are shown below.' : ''}</p>`;
  }
  if (s.role === 'broker') {
    return html`<p data-role="stitching" data-state="broker">This box does not stitch the site's paths (<code>sitePaths.role: broker</code>): its cameras (${list(s.cameras) || 'none calibrated'}) send their floor fragments, floor positions and times only, over the site's broker to the site's stitcher, the box with <code>sitePaths.role: local</code> that lists this box in <code>sitePaths.boxes</code>. The site's paths are counted, stored and shown there.</p>${warnings}`;
  }
  return html`<p data-role="stitching" data-state="local">This box stitches the site's paths: its cameras ${list(s.cameras) || '(none calibrated)'}${s.sources.length ? html`; boxes heard from now: ${list(s.sources)}` : ''}.</p>${warnings}`;
}

function pickers(d: SitePathsDay): Html {
  const prev = shiftDay(d.day, -1);
  const next = shiftDay(d.day, 1);
  const hourLabel = (r: SitePathsDay['hours'][number]) => `${r.localTime} (${r.published ? (r.inProgress ? 'published, more in progress' : 'published') : 'in progress'})`;
  return html`<div class="pickers noprint">
<form method="get" action="/site-paths" class="picker"><label>Day <input type="date" name="day" value="${d.day}" min="1970-01-01" max="9999-12-30" required></label> <button type="submit">Show</button></form>
<form method="get" action="/site-paths" class="picker"><input type="hidden" name="day" value="${d.day}"><label>Hour <select name="hour" data-role="hour-picker"><option value="">Whole day</option>${d.hours.map((r) => html`<option value="${r.hourStartMs}"${d.hour === r.hourStartMs ? html` selected` : ''}>${hourLabel(r)}</option>`)}</select></label> <button type="submit">Show</button></form>
<p class="small">${prev >= '1970-01-01' ? html`<a href="/site-paths?day=${prev}">← ${prev}</a>` : ''} ${next <= '9999-12-30' ? html`<a href="/site-paths?day=${next}">${next} →</a>` : ''} · <a href="/api/site-paths?day=${d.day}${d.hour === null ? '' : html`&amp;hour=${d.hour}`}">JSON</a></p></div>`;
}

/** The zones the matrix shows: all, or the MATRIX_MAX_ZONES with most transitions in and out, in name order. */
function matrixZones(d: SitePathsDay): number[] {
  const all = d.zones.map((_, i) => i);
  if (all.length <= MATRIX_MAX_ZONES) return all;
  const weight = (i: number) => d.zones.reduce((a, _, j) => a + (d.transitions[i]![j] ?? 0) + (d.transitions[j]![i] ?? 0), 0);
  const w = all.map(weight);
  return all.sort((a, b) => w[b]! - w[a]! || a - b).slice(0, MATRIX_MAX_ZONES).sort((a, b) => a - b);
}

function matrix(d: SitePathsDay): Html {
  if (d.transitionsTotal === 0) return html`<p class="muted" data-role="no-transitions">No transition with ${d.k} or more people ${d.hour === null ? 'on this day' : 'in this hour'}.</p>`;
  const shown = matrixZones(d);
  let max = 1;
  for (const i of shown) for (const j of shown) max = Math.max(max, d.transitions[i]![j] ?? 0);
  const cell = (i: number, j: number): Html => {
    if (i === j) return html`<td class="diag" aria-label="same zone"></td>`;
    const from = d.zones[i]!;
    const to = d.zones[j]!;
    const n = d.transitions[i]![j];
    if (n === null || n === undefined) return html`<td class="num none" title="${from} > ${to}: none shown (no one, or fewer than ${d.k} in every hour)"></td>`;
    const level = Math.max(1, Math.ceil((n / max) * HEAT_LEVELS));
    return html`<td class="num heat${level}" data-from="${from}" data-to="${to}" title="${from} > ${to}: ${n}">${n}</td>`;
  };
  return html`${shown.length < d.zones.length ? html`<p class="muted small">The ${shown.length} zones with most transitions of ${d.zones.length}; the JSON has them all.</p>` : ''}<div class="scroll"><table class="matrix" data-role="matrix"><thead><tr><th scope="col" class="corner">from \\ to</th>${shown.map((j) => html`<th scope="col" class="to">${d.zones[j]}</th>`)}</tr></thead>
<tbody>${shown.map((i) => html`<tr><th scope="row">${d.zones[i]}</th>${shown.map((j) => cell(i, j))}</tr>`)}</tbody></table></div>
<p class="muted small legend">Rows: the zone people came from; columns: the zone they went to next. Darker: more people. An empty cell: no one, or fewer than ${d.k} in every hour.</p>`;
}

export function sitePathsPage(d: SitePathsDay, csrfToken: string): string {
  const picked = d.hour === null ? null : (d.hours.find((r) => r.hourStartMs === d.hour) ?? null);
  const when = picked ? `${d.day} ${picked.localTime}` : d.day;
  const withheld = d.withheld.visits + d.withheld.transitions + d.withheld.sequences;
  const visits = Object.entries(d.visits).sort(([za, a], [zb, b]) => b - a || (za < zb ? -1 : 1));
  return layout({
    title: `Site paths ${when}`,
    page: 'site-paths',
    csrfToken,
    body: html`<h1>Site paths ${when}${picked ? html` <span class="muted small">(the hour from ${picked.localTime}, UTC ${picked.hour.slice(11, 16)})</span>` : ''}</h1>
<section class="card" data-role="site-paths-status">${stitchingNote(d)}
<p class="small">Privacy: only hourly counts are kept; a visit, transition or sequence with fewer than <strong data-role="k">${d.k}</strong> people in an hour (<code>sitePaths.k</code>) is neither published nor shown, and a day's count adds up only the hours that showed it. Counts are occurrences: someone who walks from A to B twice counts twice.</p>
${withheld > 0 ? html`<p class="small" data-role="withheld">Left out for having fewer than ${d.k} people: ${d.withheld.visits} visit, ${d.withheld.transitions} transition and ${d.withheld.sequences} sequence cells of single hours.</p>` : ''}
${pickers(d)}</section>
<section class="card"><h2>Transitions <span class="muted small">${d.transitionsTotal} in all</span></h2>${matrix(d)}</section>
<div class="grid">
<section class="card"><h2>Top sequences</h2>${d.topSequences.length ? html`<ol class="sequences" data-role="sequences">${d.topSequences.map((s) => html`<li>${seq(s.sequence)}: <strong>${s.n}</strong></li>`)}</ol>` : html`<p class="muted">No sequence of three zones with ${d.k} or more people.</p>`}</section>
<section class="card"><h2>Visits per zone</h2>${visits.length ? html`<table data-role="visits"><thead><tr><th>Zone</th><th class="num">Visits</th></tr></thead><tbody>${visits.map(([z, n]) => html`<tr><td>${z}</td><td class="num">${n}</td></tr>`)}</tbody></table>` : html`<p class="muted">No zone with ${d.k} or more visits.</p>`}</section>
</div>
<section class="card"><h2>Hours</h2>${d.hours.length ? html`<div class="scroll"><table data-role="hours"><thead><tr><th>From (local)</th><th>UTC hour</th><th>State</th><th class="num">Visits</th><th class="num">Transitions</th><th class="num">Sequences</th><th class="num">Cells left out</th></tr></thead><tbody>${d.hours.map(
      (r) => html`<tr${r.hourStartMs === d.hour ? html` class="picked"` : ''}><td><a href="/site-paths?day=${d.day}&amp;hour=${r.hourStartMs}">${r.localTime}</a></td><td>${r.hour.slice(11, 16)}</td><td>${r.published ? (r.inProgress ? 'published, more in progress' : 'published') : 'in progress'}</td><td class="num">${r.visits}</td><td class="num">${r.transitions}</td><td class="num">${r.sequences}</td><td class="num">${r.withheld.visits + r.withheld.transitions + r.withheld.sequences}</td></tr>`,
    )}</tbody></table></div><p class="muted small">Hours are UTC hours (shown at their start on the site's clock, ${d.timeZone}); an hour is published as a <code>site.paths</code> event once it is over (<code>sitePaths.publishDelayS</code> after its end), until then it is in progress on the stitching box.</p>` : html`<p class="muted">No site paths for ${d.day}.</p>`}</section>`,
  });
}
