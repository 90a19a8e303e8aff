// Server-rendered pages: every page works without script (the one small app.js adds the
// live overlay and the editor). All values go through the escaping `html` tag; CSS and
// JS are local files, so the strict content-security policy allows no inline code.
import type { LineConfig, ZoneConfig } from '../config/sections/analytics.ts';
import type { StageHealth, StoredEvent } from '../shared/types.ts';
import { hourlyChart } from './charts.ts';
import type { DaySummary, WifiSummary } from './day-summary.ts';
import { html, type Html } from './html.ts';

export interface PageCamera {
  name: string;
  lines: LineConfig[];
  zones: ZoneConfig[];
  sourceWidth: number;
  sourceHeight: number;
  snapshotSeq: number;
  lastFrameAgeMs: number | null;
  /** Floor calibration: the installer's points ([u, v, x, y]), and whether a camera model (K, R, T) is set instead. */
  calibrationPoints: Array<[number, number, number, number]>;
  calibrationModel: boolean;
}

interface LayoutOptions {
  title: string;
  page: string;
  csrfToken: string | null;
  body: Html;
}

const NAV: Array<[string, string, string]> = [
  ['overview', '/', 'Overview'],
  ['health', '/health', 'Health'],
  ['editor', '/editor', 'Lines & zones'],
  ['report', '/report', 'Daily report'],
  ['site-paths', '/site-paths', 'Site paths'],
];

export function layout(o: LayoutOptions): string {
  const nav = o.csrfToken
    ? html`<nav>${NAV.map(([id, href, label]) => html`<a href="${href}"${id === o.page ? html` aria-current="page"` : ''}>${label}</a>`)}
<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${o.csrfToken}"><button type="submit">Log out</button></form></nav>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · footfall</title>${o.csrfToken ? html`<meta name="csrf-token" content="${o.csrfToken}">` : ''}
<link rel="stylesheet" href="/static/style.css"><script src="/static/app.js" defer></script></head>
<body data-page="${o.page}"><header><strong class="brand">footfall</strong>${nav}</header>
<main>${o.body}</main></body></html>`.text;
}

export function loginPage(error: string | null): string {
  return layout({
    title: 'Log in',
    page: 'login',
    csrfToken: null,
    body: html`<form method="post" action="/login" class="login card">
<h1>Log in</h1>${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<input type="text" name="username" value="operator" autocomplete="username" hidden>
<label>Password <input type="password" name="password" autocomplete="current-password" required autofocus maxlength="200"></label>
<button type="submit">Log in</button>
<p class="muted">The first-start password is printed once in the agent log. To reset it, delete the password hash file in the data directory and restart.</p>
</form>`,
  });
}

/** Direction arrow of a line: from its midpoint towards the positive ("in") side. */
function arrowOf(l: LineConfig, lengthPx: number): { x1: number; y1: number; x2: number; y2: number } {
  const [[ax, ay], [bx, by]] = l.points;
  const mx = (ax + bx) / 2;
  const my = (ay + by) / 2;
  const len = Math.hypot(bx - ax, by - ay) || 1;
  return { x1: mx, y1: my, x2: mx + (-(by - ay) / len) * lengthPx, y2: my + ((bx - ax) / len) * lengthPx };
}

function geometrySvg(c: PageCamera, counts: Map<string, { in: number; out: number }>): Html {
  const unit = Math.max(c.sourceWidth, c.sourceHeight) / 100;
  const zones = c.zones.map((z) => {
    const pts = z.polygon.map((p) => p.join(',')).join(' ');
    const [lx, ly] = z.polygon[0]!;
    return html`<g class="zone" data-zone="${z.name}"><polygon points="${pts}"/><text class="label" x="${lx}" y="${ly}" font-size="${(unit * 2.2).toFixed(1)}">${z.name}: <tspan data-role="occupancy">–</tspan></text></g>`;
  });
  const lines = c.lines.map((l) => {
    const [[ax, ay], [bx, by]] = l.points;
    const a = arrowOf(l, unit * 6);
    const n = counts.get(l.name) ?? { in: 0, out: 0 };
    return html`<g class="cline" data-line="${l.name}"><line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}" stroke-width="${(unit * 0.6).toFixed(1)}"/>
<line class="arrow" x1="${a.x1.toFixed(1)}" y1="${a.y1.toFixed(1)}" x2="${a.x2.toFixed(1)}" y2="${a.y2.toFixed(1)}" stroke-width="${(unit * 0.5).toFixed(1)}" marker-end="url(#arrowhead)"/>
<text class="label" x="${ax}" y="${(ay - unit).toFixed(1)}" font-size="${(unit * 2.2).toFixed(1)}">${l.name}: in <tspan data-role="in">${n.in}</tspan> · out <tspan data-role="out">${n.out}</tspan></text></g>`;
  });
  return html`<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>
<g class="zones">${zones}</g><g class="lines">${lines}</g>`;
}

function cameraView(c: PageCamera, counts: Map<string, { in: number; out: number }>, editor = false): Html {
  const w = c.sourceWidth || 1280;
  const h = c.sourceHeight || 720;
  const src = c.snapshotSeq > 0 ? `/api/cameras/${encodeURIComponent(c.name)}/snapshot.jpg?seq=${c.snapshotSeq}` : null;
  return html`<div class="view" data-role="view">
<img data-role="snapshot" alt="Latest snapshot of ${c.name}" width="${w}" height="${h}"${src ? html` src="${src}"` : ''}>
<svg data-role="overlay" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" class="${editor ? 'overlay editing' : 'overlay'}">${geometrySvg(c, counts)}<g data-role="live"></g><g data-role="draft"></g></svg>
${src ? '' : html`<p class="nosnap muted" data-role="nosnap">Waiting for the first frame…</p>`}</div>`;
}

function pct(a: number, b: number): Html {
  if (b === 0) return html`<span class="muted">–</span>`;
  const d = Math.round(((a - b) / b) * 100);
  return html`<span class="${d >= 0 ? 'up' : 'down'}">${d >= 0 ? '+' : ''}${d}%</span>`;
}

export interface OverviewData {
  cameras: PageCamera[];
  summary: DaySummary;
  wifi: WifiSummary;
  csrfToken: string;
}

export function overviewPage(d: OverviewData): string {
  const hourNow = d.summary.hourNow;
  const site = d.summary.site;
  const siteCard = site
    ? html`<section class="card site" data-role="site"><h2>Site now</h2><dl class="kv"><dt>Inside now</dt><dd data-role="site-occupancy">${site.occupancy ?? '–'}</dd><dt>In today</dt><dd data-role="site-in">${site.in}</dd><dt>Out today</dt><dd data-role="site-out">${site.out}</dd><dt>In yesterday by now</dt><dd>${site.yesterdaySoFarIn}</dd><dt>Drift at last closing</dt><dd data-role="site-drift">${site.lastDrift ?? '–'}</dd></dl><p class="muted small">Over every entrance line (role: entrance); the count starts over at closing time.</p></section>`
    : html`<section class="card site" data-role="site"><h2>Site now</h2><p class="muted">No entrance line yet: mark the site's doors with <code>role: entrance</code> to count people inside.</p></section>`;
  const countsOf = (camera: string) => {
    const m = new Map<string, { in: number; out: number }>();
    for (const l of d.summary.lines) if (l.camera === camera) m.set(l.line, { in: l.in, out: l.out });
    return m;
  };
  const cams = d.cameras.length
    ? d.cameras.map(
        (c) => html`<section class="cam card" data-camera="${c.name}"><h2>${c.name} <span class="muted" data-role="age">${c.lastFrameAgeMs === null ? 'no frames yet' : ''}</span></h2>${cameraView(c, countsOf(c.name))}
<details class="heatmap"><summary>Heatmap, this hour</summary><img data-role="heatmap" loading="lazy" alt="Where people stood on ${c.name} this hour" src="/api/cameras/${encodeURIComponent(c.name)}/heatmap.png"></details>
<p class="muted small"><a href="/editor?camera=${encodeURIComponent(c.name)}">Edit lines and zones</a> · <label><input type="checkbox" data-role="debug-motion"> Show the motion gate (motion boxes, skipped frames)</label></p></section>`,
      )
    : html`<p class="card">No camera is configured or running.</p>`;
  const lineRows = d.summary.lines.map(
    (l) => html`<tr><td>${l.camera}</td><td>${l.line}</td><td class="num">${l.in}</td><td class="num">${l.out}</td><td class="num">${l.yesterdaySoFarIn} / ${l.yesterdayIn}</td><td class="num">${pct(l.in, l.yesterdaySoFarIn)}</td></tr>`,
  );
  const zoneRows = d.summary.zones.map(
    (z) => html`<tr><td>${z.camera}</td><td>${z.zone}</td><td class="num">${z.visits}</td><td class="num">${z.yesterdaySoFarVisits} / ${z.yesterdayVisits}</td><td class="num">${z.meanDwellMs === null ? '–' : `${Math.round(z.meanDwellMs / 1000)} s`}</td><td class="num">${z.maxOccupancy ?? '–'}</td></tr>`,
  );
  const charts = [
    ...d.summary.lines.map((l) => hourlyChart(`${l.camera} · ${l.line} in`, l.hourlyIn, l.yesterdayHourlyIn, hourNow)),
    ...d.summary.zones.map((z) => hourlyChart(`${z.camera} · ${z.zone} visits`, z.hourlyVisits, z.yesterdayHourlyVisits, hourNow)),
  ];
  const w = d.wifi;
  return layout({
    title: 'Overview',
    page: 'overview',
    csrfToken: d.csrfToken,
    body: html`${siteCard}<div class="cams">${cams}</div>
<section class="card"><h2>Today ${d.summary.day} <span class="muted small">vs yesterday at the same time / whole day</span></h2>
<div class="scroll"><table><thead><tr><th>Camera</th><th>Line</th><th class="num">In</th><th class="num">Out</th><th class="num">Yesterday in</th><th class="num">Δ in</th></tr></thead><tbody>${lineRows.length ? lineRows : html`<tr><td colspan="6" class="muted">No counting lines yet.</td></tr>`}</tbody></table></div>
<div class="scroll"><table><thead><tr><th>Camera</th><th>Zone</th><th class="num">Visits</th><th class="num">Yesterday</th><th class="num">Mean dwell</th><th class="num">Peak occupancy</th></tr></thead><tbody>${zoneRows.length ? zoneRows : html`<tr><td colspan="6" class="muted">No zones yet.</td></tr>`}</tbody></table></div>
<div class="charts">${charts}</div></section>
<section class="card"><h2>Wi-Fi</h2><dl class="kv"><dt>Devices now</dt><dd>${w.devicesNow ?? '–'}</dd>
<dt>Present, last ${w.presenceNow ? Math.round(w.presenceNow.windowMs / 60_000) : 10} min</dt><dd>${w.presenceNow ? html`${w.presenceNow.devices} <span class="muted small">(${w.presenceNow.low}–${w.presenceNow.high}${w.presenceNow.fixedExcluded ? `, ${w.presenceNow.fixedExcluded} fixed left out` : ''})</span>` : '–'}</dd><dt>Visits today</dt><dd>${w.visits}</dd>
${Object.entries(w.visitsByClass).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}<dt>Randomized MAC share</dt><dd>${w.randomizedShare === null ? '–' : `${Math.round(w.randomizedShare * 100)}%`}</dd></dl></section>`,
  });
}

export interface HealthData {
  stages: Record<string, StageHealth>;
  store: { sizeBytes: number; unsentEvents: number; oldestUnsentTsMs: number | null };
  system: { loadAvg: number[]; cpus: number; rssBytes: number; memFreeBytes: number; memTotalBytes: number; diskFreeBytes: number | null; diskTotalBytes: number | null; uptimeS: number };
  cameras: Array<{ name: string; framesSeen: number; lastFrameAgeMs: number | null; snapshots: number }>;
  recentAlerts: StoredEvent[];
  nowMs: number;
}

function bytes(n: number | null): string {
  if (n === null) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function age(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1500) return 'now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

/** A stage's detail; several problems (joined by "; ", as stages report them) one per line. */
function stageDetail(detail: string | undefined): Html | string {
  if (!detail) return '';
  const parts = detail.split('; ');
  return parts.length > 1 ? html`<ul class="detail">${parts.map((p) => html`<li>${p}</li>`)}</ul>` : html`<p>${detail}</p>`;
}

export function healthPage(d: HealthData, csrfToken: string): string {
  const stages = Object.entries(d.stages).map(
    ([name, h]) => html`<section class="card stage" data-stage="${name}"><h2>${name} <span class="badge ${h.status}">${h.status}</span></h2>${stageDetail(h.detail)}
<dl class="kv">${Object.entries(h.metrics ?? {}).map(([k, v]) => html`<dt>${k}</dt><dd>${v === null ? '–' : typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}</dd>`)}</dl></section>`,
  );
  const s = d.system;
  return layout({
    title: 'Health',
    page: 'health',
    csrfToken,
    body: html`<h1>Health</h1><div class="grid">
<section class="card"><h2>Box</h2><dl class="kv"><dt>Load (1/5/15 min)</dt><dd>${s.loadAvg.map((v) => v.toFixed(2)).join(' / ')} on ${s.cpus} cores</dd>
<dt>Agent memory</dt><dd>${bytes(s.rssBytes)}</dd><dt>Free memory</dt><dd>${bytes(s.memFreeBytes)} of ${bytes(s.memTotalBytes)}</dd>
<dt>Free disk (data)</dt><dd>${bytes(s.diskFreeBytes)} of ${bytes(s.diskTotalBytes)}</dd><dt>Agent up</dt><dd>${Math.round(s.uptimeS / 60)} min</dd></dl></section>
<section class="card"><h2>Store</h2><dl class="kv"><dt>Size</dt><dd>${bytes(d.store.sizeBytes)}</dd><dt>Outbox backlog</dt><dd>${d.store.unsentEvents} events</dd>
<dt>Oldest unsent</dt><dd>${d.store.oldestUnsentTsMs === null ? 'none' : age(d.nowMs - d.store.oldestUnsentTsMs)}</dd></dl></section>
<section class="card"><h2>Cameras (live view)</h2><table><thead><tr><th>Camera</th><th class="num">Frames</th><th>Last frame</th><th class="num">Snapshots</th></tr></thead><tbody>
${d.cameras.map((c) => html`<tr><td>${c.name}</td><td class="num">${c.framesSeen}</td><td>${age(c.lastFrameAgeMs)}</td><td class="num">${c.snapshots}</td></tr>`)}</tbody></table></section>
${stages}
<section class="card"><h2>Recent alerts</h2>${d.recentAlerts.length ? html`<ul class="events">${d.recentAlerts.map((e) => html`<li><time>${new Date(e.tsMs).toISOString().slice(11, 19)}</time> ${e.source}: ${String(e.data.rule ?? '')} ${String(e.data.state ?? '')} (${String(e.data.value ?? '')})</li>`)}</ul>` : html`<p class="muted">None in the last 24 h.</p>`}</section>
</div>`,
  });
}

export function editorPage(cameras: PageCamera[], selected: PageCamera | null, csrfToken: string, canSave: boolean): string {
  const picker = html`<form method="get" action="/editor" class="picker"><label>Camera <select name="camera">${cameras.map((c) => html`<option value="${c.name}"${selected?.name === c.name ? html` selected` : ''}>${c.name}</option>`)}</select></label> <button type="submit">Open</button></form>`;
  if (!selected) {
    return layout({ title: 'Lines & zones', page: 'editor', csrfToken, body: html`<h1>Lines &amp; zones</h1>${cameras.length ? picker : html`<p class="card">No camera to edit.</p>`}` });
  }
  const geometry = JSON.stringify({ lines: selected.lines, zones: selected.zones });
  return layout({
    title: `Edit ${selected.name}`,
    page: 'editor',
    csrfToken,
    body: html`<h1>Lines &amp; zones</h1>${picker}
<section class="card cam" data-camera="${selected.name}" data-geometry="${geometry}">${cameraView(selected, new Map(), true)}
<div class="tools" role="toolbar">
<button type="button" data-tool="line" aria-pressed="false">Draw line</button>
<button type="button" data-tool="zone" aria-pressed="false">Draw zone</button>
<button type="button" data-tool="move" aria-pressed="true">Move points</button>
<button type="button" data-action="flip">Flip line direction</button>
<button type="button" data-action="delete">Delete selected</button>
</div>
<p class="muted small" data-role="hint">Draw line: press and drag from A to B; the arrow shows the "in" direction. Draw zone: click the corners, then click the first corner (or double-click) to close. Move points: drag a handle.</p>
<ul class="shapes" data-role="shapes"></ul>
<div class="save"><button type="button" data-action="save" class="primary"${canSave ? '' : html` disabled`}>Save and apply</button> <span data-role="status" role="status"></span></div>
${canSave ? '' : html`<p class="error">The agent runs on its embedded defaults: start it with --config FILE to save edits.</p>`}
</section>
${calibrationCard(selected, canSave)}`,
  });
}

/** The editor's floor calibration card (public/calibration.js makes it work). */
function calibrationCard(c: PageCamera, canSave: boolean): Html {
  const now = c.calibrationModel
    ? html`a camera model (K, R, T) from the config file; saving points here replaces it`
    : c.calibrationPoints.length > 0
      ? html`${c.calibrationPoints.length} points`
      : html`none: this camera tracks and counts in the image`;
  return html`<section class="card calibration" data-role="calibration" data-camera="${c.name}" data-points="${JSON.stringify(c.calibrationPoints)}">
<h2>Floor calibration</h2>
<p class="muted small">Now: ${now}. Press "Place points", click a spot on the floor in the image, then type where it is on the floor plan (x, y in metres). Four or more points spread over the floor, no three in a line. "Check" shows how well they agree and draws the 1 m floor grid they imply. A saved calibration applies at the next start of the agent.</p>
<div class="tools"><button type="button" data-action="calib-place" aria-pressed="false">Place points</button> <button type="button" data-action="calib-check">Check</button> <button type="button" data-action="calib-save" class="primary"${canSave ? '' : html` disabled`}>Save calibration</button></div>
<table class="calib-points"><thead><tr><th>#</th><th>u (px)</th><th>v (px)</th><th>x (m)</th><th>y (m)</th><th></th></tr></thead><tbody data-role="calib-rows"></tbody></table>
<p data-role="calib-result" role="status"></p>
<script src="/static/calibration.js" defer></script>
</section>`;
}
