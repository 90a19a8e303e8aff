// Server-drawn SVG charts (no chart library, no script): today's hourly bars against
// yesterday's hourly line. Only numbers and escaped labels go into the markup. The hour labels
// are HTML under the plot, not SVG text: SVG text grows with the chart's width, and on a wide
// screen the axis outgrew the headings.
import { html, raw, type Html } from './html.ts';

const W = 288;
const H = 96;
const PAD_TOP = 8;
const PAD_BOTTOM = 2;

export function hourlyChart(title: string, today: readonly number[], yesterday: readonly number[], currentHour: number, labels: { bars: string; line: string } = { bars: 'today', line: 'yesterday' }): Html {
  const max = Math.max(1, ...today, ...yesterday);
  const plotH = H - PAD_TOP - PAD_BOTTOM;
  const y = (v: number) => (PAD_TOP + plotH - (v / max) * plotH).toFixed(1);
  const bw = W / 24;
  const bars = today
    .map((v, h) => (h > currentHour || v === 0 ? '' : `<rect class="bar" x="${(h * bw + 1).toFixed(1)}" y="${y(v)}" width="${(bw - 2).toFixed(1)}" height="${((v / max) * plotH).toFixed(1)}"><title>${h}:00 ${v}</title></rect>`))
    .join('');
  const pts = yesterday.map((v, h) => `${(h * bw + bw / 2).toFixed(1)},${y(v)}`).join(' ');
  // Four equal columns: each label starts at its hour (0, 6, 12, 18 of 24).
  const ticks = [0, 6, 12, 18].map((h) => `<span>${h}h</span>`).join('');
  const sumT = today.reduce((a, b) => a + b, 0);
  const sumY = yesterday.reduce((a, b) => a + b, 0);
  return html`<figure class="chart"><figcaption>${title} <span class="muted">${labels.bars} ${sumT} · ${labels.line} ${sumY}</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: hourly ${labels.bars} (bars) against ${labels.line} (line)">${raw(bars)}<polyline class="yline" points="${pts}"/><line class="axis" x1="0" y1="${H - PAD_BOTTOM}" x2="${W}" y2="${H - PAD_BOTTOM}"/></svg><div class="ticks" aria-hidden="true">${raw(ticks)}</div></figure>`;
}
