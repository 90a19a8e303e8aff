// The Site paths page in a real browser (Debian's chromium via playwright-core): the matrix is
// shaded by count under the strict content-security policy (classes, no inline style), the hour
// picker works without script, and the page fits a phone without the page itself scrolling
// sideways (the matrix scrolls in its card). Screenshots go to test-artifacts/status/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SitePathsView } from '../site-paths/index.ts';
import { generatedPasswordOf, startHarness, type Harness } from './testing/harness.ts';
import { launchChromium, type TestBrowser } from './testing/browser.ts';

const ARTIFACTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-artifacts', 'status');
const HOUR = 3_600_000;
const DAY = '2026-12-03';
const at = (hour: number) => Date.parse(`${DAY}T00:00:00Z`) + hour * HOUR;
const SHOPS = ['entrance-north', 'shop-a', 'shop-b', 'shop-c', 'food-court', 'kiosk'];

describe('site paths page in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const view: SitePathsView = {
      role: 'local',
      k: 10,
      hours: [{ hourMs: at(14), visits: { 'shop-a': 40, 'food-court': 22 }, transitions: { 'shop-a>food-court': 18 }, sequences: {}, suppressed: { visits: 3, transitions: 5, sequences: 4 } }],
      cameras: ['cam1', 'cam2', 'cam3', 'cam4'],
      uncalibrated: [],
      unseenZones: [],
      sources: ['box-a', 'box-b'],
    };
    h = await startHarness({ now: () => at(14.5), sitePaths: () => view });
    // Two published hours over six zones: a ring of flows of different sizes.
    for (const [hour, scale] of [[10, 1], [11, 2]] as const) {
      const transitions: Record<string, number> = {};
      const visits: Record<string, number> = {};
      SHOPS.forEach((a, i) => {
        visits[a] = 30 * scale + i * 7;
        SHOPS.forEach((b, j) => {
          const n = ((i * 7 + j * 3) % 11) * 4 * scale;
          if (a !== b && n >= 10) transitions[`${a}>${b}`] = n;
        });
      });
      const sequences = { 'entrance-north>shop-a>shop-b': 42 * scale, 'shop-a>shop-b>shop-c': 21 * scale, 'shop-b>food-court>kiosk': 12 * scale };
      h.store.append({ tsMs: at(hour), type: 'site.paths', source: 'site', data: { hour: new Date(at(hour)).toISOString(), hourStartMs: at(hour), k: 10, visits, transitions, sequences, suppressed: { visits: 0, transitions: 6, sequences: 9 }, cameras: 4, boxes: ['box-a', 'box-b'] } });
    }
    h.store.flush();
    browser = await launchChromium({ width: 1280, height: 900 });
    page = browser.page;
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${h.baseUrl}/login`);
    await page.fill('input[name="password"]', generatedPasswordOf(h));
    await Promise.all([page.waitForURL(`${h.baseUrl}/`), page.click('button[type="submit"]')]);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  // Page-side code as text: the test's TypeScript has no DOM types.
  const background = async (sel: string) => (await page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(sel)})).backgroundColor`)) as string;
  const luminance = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };

  it('shades the matrix by count and picks an hour without script', async () => {
    await page.goto(`${h.baseUrl}/site-paths?day=${DAY}`);
    await page.locator('[data-role="matrix"]').waitFor();
    const cells = await page.locator('[data-role="matrix"] td[data-from]').count();
    expect(cells).toBeGreaterThan(10);
    const strongest = await background('td.heat5');
    const weakest = await background('td.heat1, td.heat2');
    const empty = await background('td.none');
    expect(luminance(strongest)).toBeLessThan(luminance(weakest));
    expect(luminance(weakest)).toBeLessThan(255);
    expect(empty).toMatch(/^rgba\(0, 0, 0, 0\)$|^rgb\(255, 255, 255\)$/); // the card's white
    expect(await page.locator('[data-role="sequences"] li').first().innerText()).toBe('entrance-north > shop-a > shop-b: 126');
    await page.screenshot({ path: join(ARTIFACTS, 'site-paths.png'), fullPage: true });
    await page.selectOption('[data-role="hour-picker"]', String(at(14)));
    await Promise.all([page.waitForURL(/hour=/), page.locator('[data-role="hour-picker"] + button, form:has([data-role="hour-picker"]) button').first().click()]);
    expect(page.url()).toContain(`hour=${at(14)}`);
    expect(await page.locator('h1').innerText()).toContain(`${DAY} 14:00`);
    expect(await page.locator('[data-role="matrix"] td[data-from="shop-a"][data-to="food-court"]').innerText()).toBe('18');
    expect(problems).toEqual([]);
  });

  it('fits a phone: the matrix scrolls inside its card, not the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${h.baseUrl}/site-paths?day=${DAY}`);
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'site-paths-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
  });
});
