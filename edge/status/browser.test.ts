// A real browser (Debian's chromium via playwright-core) against the status server on a
// loopback port, fed real frames: log in, see the live snapshot with boxes, draw a line
// in the editor, save it into the YAML config, and see it counted. Screenshots go to
// test-artifacts/ (and docs/screenshots/ when UPDATE_SCREENSHOTS=1).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_YAML, generatedPasswordOf, startHarness, type Harness } from './testing/harness.ts';
import { decodePetsFrames, emitPetsFrame, type PetsFrames } from './testing/pets-frames.ts';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts', 'status');
const DOC_SHOTS = join(REPO, 'docs', 'screenshots');
const DOC_NAMES = new Set(['overview', 'health', 'editor', 'overview-phone']);
// The test's clock: noon UTC (the harness's zone) on a fixed day, running at wall speed from
// there, so "today" holds the seeded history whatever the hour the test runs at.
const CLOCK_START_MS = Date.UTC(2026, 2, 10, 12, 0, 0);
const clockOffsetMs = CLOCK_START_MS - Date.now();
const clock = (): number => Date.now() + clockOffsetMs;
// Two more lines: west-path crosses the door at its middle, plaza starts beside the door's first
// point; drawn where each line's own geometry puts it, their three
// labels would sit on top of each other.
const YAML = DEFAULT_YAML.replace(
  '    zones:',
  '      - name: west-path\n        points: [[250, 300], [450, 500]]\n      - name: plaza\n        points: [[120, 385], [700, 330]]\n    zones:',
);

/** Every label of the overview's camera views, in screen pixels, with its on-screen font size. */
const LABELS_ON_SCREEN = `(() => [...document.querySelectorAll('svg[data-role=overlay]')].flatMap((svg) => {
  const frame = svg.getBoundingClientRect();
  const scale = svg.getScreenCTM().a;
  return [...svg.querySelectorAll('text')].filter((t) => t.getAttribute('display') !== 'none' && t.textContent.trim() !== '').map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height, px: parseFloat(t.getAttribute('font-size')) * scale,
      inside: r.x >= frame.x - 0.5 && r.y >= frame.y - 0.5 && r.right <= frame.right + 0.5 && r.bottom <= frame.bottom + 0.5 };
  });
}))()`;
interface LabelOnScreen { text: string; x: number; y: number; w: number; h: number; px: number; inside: boolean }

/** Pairs of labels whose boxes share more than a hair (0.5 px each way). */
function overlappingPairs(labels: LabelOnScreen[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > 0.5 && dy > 0.5) pairs.push(`"${a.text}" x "${b.text}"`);
    }
  }
  return pairs;
}

describe('status page in a real browser', () => {
  let h: Harness;
  let pets: PetsFrames;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  let feeder: NodeJS.Timeout;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    mkdirSync(ARTIFACTS, { recursive: true });
    pets = decodePetsFrames(40);
    h = await startHarness({ yaml: YAML, status: { snapshotIntervalMs: 300, livePushIntervalMs: 200 }, now: clock });
    let i = 0;
    feeder = setInterval(() => emitPetsFrame(h.bus, 'entrance', pets, i++, clock()), 150);
    // Some history so the charts and tables have something to show: today's 60 crossings over
    // the 97 minutes before noon, yesterday's 60 over the same hours of the day before.
    const now = clock();
    for (let k = 0; k < 60; k++) {
      h.store.append({ tsMs: now - k * 97_000, type: 'line.cross', source: 'entrance', data: { line: 'door', direction: k % 3 ? 'in' : 'out', trackId: k } });
      h.store.append({ tsMs: now - 86_400_000 - k * 113_000, type: 'line.cross', source: 'entrance', data: { line: 'door', direction: 'in', trackId: 1000 + k } });
    }
    for (const [line, ins, outs] of [['west-path', 3, 1], ['plaza', 8, 5]] as const) {
      for (let k = 0; k < ins + outs; k++) h.store.append({ tsMs: now - k * 61_000, type: 'line.cross', source: 'entrance', data: { line, direction: k < ins ? 'in' : 'out', trackId: 2000 + k } });
    }
    h.store.flush();
    profile = mkdtempSync(join(tmpdir(), 'footfall-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('console', (m) => {
      // The wrong-password step answers 401 on purpose; anything else logged as an error counts.
      if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    clearInterval(feeder);
    await ctx?.close();
    await h?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = async (name: string) => {
    const file = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1' && DOC_NAMES.has(name)) {
      mkdirSync(DOC_SHOTS, { recursive: true });
      // A palette PNG keeps the committed copies a few hundred KB.
      await sharp(file).png({ palette: true, quality: 80, compressionLevel: 9 }).toFile(join(DOC_SHOTS, `${name}.png`));
    }
  };

  it('logs in and shows the live snapshot with boxes, track ids and counts', async () => {
    await page.goto(`${h.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name="password"]', 'not-the-password');
    await page.click('button[type="submit"]');
    expect(await page.locator('.error').textContent()).toContain('Wrong password');
    await page.fill('input[name="password"]', generatedPasswordOf(h));
    await Promise.all([page.waitForURL(`${h.baseUrl}/`), page.click('button[type="submit"]')]);
    const cam = page.locator('section.cam[data-camera="entrance"]');
    await page.locator('section.cam[data-camera="entrance"][data-snapshot-loaded]').waitFor({ timeout: 15_000 });
    await expect.poll(async () => Number(await cam.getAttribute('data-tracks')), { timeout: 10_000 }).toBeGreaterThan(0);
    const img = await page.evaluate("(() => { const el = document.querySelector('section.cam img[data-role=snapshot]'); return { w: el.naturalWidth, h: el.naturalHeight, complete: el.complete }; })()");
    expect(img).toEqual({ w: 768, h: 576, complete: true });
    expect(await cam.locator('g[data-role="live"] rect.trk').count()).toBeGreaterThan(0);
    expect(await cam.locator('g[data-role="live"] text.tid').first().textContent()).toMatch(/^#\d+$/);
    expect(await cam.locator('g.cline[data-line="door"] [data-role="in"]').textContent()).toBe('40');
    const firstLiveMs = Number(await page.evaluate('document.body.dataset.firstLiveMs'));
    expect(firstLiveMs).toBeGreaterThan(0);
    console.info(`[bench] time to first live update: ${firstLiveMs} ms after navigation start`);
    await page.waitForTimeout(800);
    await shot('overview');
  });

  it('sizes the labels to the screen and keeps them apart and inside the frame, on a desktop and on a phone; chart hours stay under their headings', async () => {
    const cam = page.locator('section.cam[data-camera="entrance"]');
    expect(await cam.locator('g.cline[data-line="plaza"] text.label').textContent()).toBe('plaza: in 8 · out 5');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      // Several live frames: the track ids move with the people, the lines' labels stay.
      for (let sample = 0; sample < 6; sample++) {
        await page.waitForTimeout(350);
        const labels = (await page.evaluate(LABELS_ON_SCREEN)) as LabelOnScreen[];
        const texts = labels.map((l) => l.text);
        for (const name of ['door: in', 'west-path: in 3 · out 1', 'plaza: in 8 · out 5', 'lobby: ']) expect(texts.some((t) => t.startsWith(name)), `${name} in ${texts.join(', ')}`).toBe(true);
        expect(texts.some((t) => /^#\d+$/.test(t)), 'track ids shown').toBe(true);
        expect(overlappingPairs(labels), `${width} px wide, sample ${sample}`).toEqual([]);
        expect(labels.filter((l) => !l.inside).map((l) => l.text)).toEqual([]);
        for (const l of labels) expect(l.px, l.text).toBeCloseTo(13, 0);
      }
    }
    // The charts' hour labels stay smaller than the chart's heading, however wide the chart: on
    // the overview (several charts a row) and on the daily report (one chart the card's width).
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const path of ['/', '/report']) {
      await page.goto(`${h.baseUrl}${path}`);
      const fonts = (await page.evaluate(`[...document.querySelectorAll('figure.chart')].map((f) => [
        parseFloat(getComputedStyle(f.querySelector('figcaption')).fontSize),
        Math.max(...[...f.querySelectorAll('.ticks span, svg text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * (t instanceof SVGElement ? t.ownerSVGElement.getScreenCTM().a : 1))),
      ])`)) as Array<[number, number]>;
      expect(fonts.length, path).toBeGreaterThan(0);
      for (const [heading, tick] of fonts) {
        expect(tick, path).toBeGreaterThan(0);
        expect(tick, path).toBeLessThan(heading);
      }
    }
    await page.goto(`${h.baseUrl}/`);
    await page.locator('section.cam[data-camera="entrance"][data-snapshot-loaded]').waitFor({ timeout: 15_000 });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows the motion gate layer (motion boxes, a skipped frame) only when ticked', async () => {
    const cam = page.locator('section.cam[data-camera="entrance"]');
    const box = page.locator('input[data-role="debug-motion"]');
    expect(await cam.locator('g[data-role="live"] rect.motion').count()).toBe(0);
    // Hold the real frames: the next detection frame is one the gate skipped, with one motion box.
    clearInterval(feeder);
    await box.check();
    h.bus.emit('detect.frame', { camera: 'entrance', tsMs: clock(), frameIndex: 1_000_000, width: 768, height: 576, count: 0, boxes: new Float32Array(0), scores: new Float32Array(0), gate: 'skipped', motionCount: 1, motionBoxes: new Float32Array([300, 200, 60, 120]) });
    await expect.poll(async () => cam.getAttribute('data-gate'), { timeout: 10_000 }).toBe('skipped');
    expect(await cam.locator('g[data-role="live"] rect.motion').count()).toBe(1);
    expect(await cam.locator('g[data-role="live"] text.gate').textContent()).toContain('detector skipped');
    await shot('motion-gate');
    await box.uncheck();
    expect(await cam.locator('g[data-role="live"] rect.motion').count()).toBe(0);
    let i = 0;
    feeder = setInterval(() => emitPetsFrame(h.bus, 'entrance', pets, i++, clock()), 150);
  });

  it('measures page weight and time to first live update of the overview', async () => {
    const sizes: Array<Promise<[string, number]>> = [];
    const onResponse = (r: import('playwright-core').Response) => {
      if ((r.headers()['content-type'] ?? '').includes('event-stream')) return;
      sizes.push(r.body().then((b) => [new URL(r.url()).pathname, b.length] as [string, number], () => [r.url(), 0] as [string, number]));
    };
    page.on('response', onResponse);
    await page.goto(`${h.baseUrl}/`);
    await page.locator('section.cam[data-snapshot-loaded]').waitFor({ timeout: 10_000 });
    page.off('response', onResponse);
    const got = await Promise.all(sizes);
    const byPath = Object.fromEntries(got.map(([p, n]) => [p.replace(/\/snapshot\.jpg.*/, '/snapshot.jpg'), n]));
    const isSnapshot = (p: string) => p.endsWith('/snapshot.jpg');
    const pageAndAssets = got.filter(([p]) => !isSnapshot(p)).reduce((a, [, n]) => a + n, 0);
    const firstSnapshot = got.find(([p]) => isSnapshot(p))?.[1] ?? 0;
    const firstLiveMs = Number(await page.evaluate('document.body.dataset.firstLiveMs'));
    const report = { pageAndAssetsBytes: pageAndAssets, firstSnapshotBytes: firstSnapshot, overviewBytes: pageAndAssets + firstSnapshot, byPath, firstLiveMs };
    console.info(`[bench] ${JSON.stringify(report)}`);
    writeFileSync(join(ARTIFACTS, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    expect(byPath['/static/app.js']).toBeGreaterThan(1_000);
    expect(byPath['/static/style.css']).toBeGreaterThan(1_000);
    // Page + script + style stay small for a phone on a weak link (the snapshot is extra).
    expect(pageAndAssets).toBeLessThan(60_000);
    expect(firstSnapshot).toBeGreaterThan(10_000);
  });

  it('shows the health page', async () => {
    await page.goto(`${h.baseUrl}/health`);
    expect(await page.locator('section.stage[data-stage="store"] .badge').textContent()).toBe('ok');
    await shot('health');
  });

  it('draws a line in the editor, saves it into the config and sees it counted', async () => {
    await page.goto(`${h.baseUrl}/editor?camera=entrance`);
    const svg = page.locator('svg[data-role="overlay"]');
    await expect.poll(() => svg.getAttribute('viewBox'), { timeout: 10_000 }).toBe('0 0 768 576');
    await expect.poll(() => page.evaluate("document.querySelector('img[data-role=snapshot]').naturalWidth"), { timeout: 10_000 }).toBe(768);
    await page.click('button[data-tool="line"]');
    const box = (await svg.boundingBox())!;
    // Drag A -> B across the lower part of the image (screen -> source pixels via the SVG).
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.75);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.up();
    const nameInput = page.locator('input[data-kind="line"]').last();
    expect(await nameInput.inputValue()).toBe('line-1');
    await nameInput.fill('entry-line');
    await shot('editor');
    await page.click('button[data-action="save"]');
    await expect.poll(() => page.locator('[data-role="status"]').textContent(), { timeout: 10_000 }).toBe('Saved and applied');
    const yaml = readFileSync(h.configFile, 'utf8');
    expect(yaml).toContain('name: entry-line');
    expect(yaml).toContain('name: door');
    expect(h.saved).toHaveLength(1);
    const line = h.saved[0]!.cameras[0]!.lines.find((l) => l.name === 'entry-line')!;
    expect(line.points[0][0]).toBeCloseTo(768 * 0.2, -1);
    expect(line.points[1][0]).toBeCloseTo(768 * 0.8, -1);
    expect(line.points[0][1]).toBeCloseTo(576 * 0.75, -1);

    // The agent now counts on the new line; the overview shows it live.
    await page.goto(`${h.baseUrl}/`);
    const count = page.locator('g.cline[data-line="entry-line"] [data-role="in"]');
    expect(await count.textContent()).toBe('0');
    h.store.append({ tsMs: clock(), type: 'line.cross', source: 'entrance', data: { line: 'entry-line', direction: 'in', trackId: 5 } });
    h.store.flush();
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('1');
  });

  it('draws a zone by clicking its corners, names it and saves it', async () => {
    await page.goto(`${h.baseUrl}/editor?camera=entrance`);
    const svg = page.locator('svg[data-role="overlay"]');
    await expect.poll(() => svg.getAttribute('viewBox'), { timeout: 10_000 }).toBe('0 0 768 576');
    await page.click('button[data-tool="zone"]');
    const box = (await svg.boundingBox())!;
    const corners: Array<[number, number]> = [[0.55, 0.1], [0.95, 0.1], [0.95, 0.5], [0.55, 0.5], [0.55, 0.1]];
    // Locator clicks scroll the image into view first (the tool buttons sit below it).
    for (const [fx, fy] of corners) await svg.click({ position: { x: box.width * fx, y: box.height * fy } });
    const nameInput = page.locator('input[data-kind="zone"]').last();
    expect(await nameInput.inputValue()).toBe('zone-1');
    await nameInput.fill('road');
    await page.click('button[data-action="save"]');
    await expect.poll(() => page.locator('[data-role="status"]').textContent(), { timeout: 10_000 }).toBe('Saved and applied');
    const zone = h.saved.at(-1)!.cameras[0]!.zones.find((z) => z.name === 'road')!;
    expect(zone.polygon).toHaveLength(4);
    expect(zone.polygon[2]![0]).toBeCloseTo(768 * 0.95, -1);
    expect(readFileSync(h.configFile, 'utf8')).toContain('name: road');
  });

  it('is usable on a phone-sized screen and raised no script or CSP errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${h.baseUrl}/`);
    await page.locator('[data-snapshot-loaded]').waitFor({ timeout: 10_000 });
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('overview-phone');
    expect(problems).toEqual([]);
  });
});
