// The editor's floor calibration in a real browser (Debian's chromium via playwright-core):
// place four points on the live PETS09 image, type their floor positions, check the fit (the
// reprojection error and the 1 m floor grid drawn over the image), save it into the YAML file.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_CALIBRATION_POINTS } from '../camera/index.ts';
import { DEFAULT_YAML, generatedPasswordOf, startHarness, type Harness } from './testing/harness.ts';
import { decodePetsFrames, emitPetsFrame } from './testing/pets-frames.ts';
import { launchChromium, type TestBrowser } from './testing/browser.ts';

const ARTIFACTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-artifacts', 'status');

describe('floor calibration in the editor, in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let page: Page;
  let feeder: NodeJS.Timeout;
  const problems: string[] = [];

  beforeAll(async () => {
    const pets = decodePetsFrames(10);
    // Geometry on the floor (the default test zone reaches the top of the PETS image, which lies
    // beyond this calibration's horizon: the config would refuse it).
    const yaml = DEFAULT_YAML.replace('[[50, 50], [400, 50], [400, 300], [50, 300]]', '[[50, 300], [400, 300], [400, 500], [50, 500]]');
    h = await startHarness({ yaml, status: { snapshotIntervalMs: 300, livePushIntervalMs: 200 } });
    let i = 0;
    feeder = setInterval(() => emitPetsFrame(h.bus, 'entrance', pets, i++, Date.now()), 150);
    browser = await launchChromium({ width: 1280, height: 1100 });
    page = browser.page;
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    clearInterval(feeder);
    await browser?.close();
    await h?.close();
  });

  it('places four points, checks the fit and saves the calibration', async () => {
    await page.goto(`${h.baseUrl}/login`);
    await page.fill('input[name="password"]', generatedPasswordOf(h));
    await Promise.all([page.waitForURL(`${h.baseUrl}/`), page.click('button[type="submit"]')]);
    // Wait until the camera has a frame (the editor then knows its 768x576 size).
    await expect.poll(async () => (await (await page.request.get(`${h.baseUrl}/api/cameras`)).json()).cameras[0].sourceWidth, { timeout: 15_000 }).toBe(768);
    await page.goto(`${h.baseUrl}/editor?camera=entrance`);
    const card = page.locator('[data-role="calibration"]');
    await card.locator('[data-action="calib-place"]').click();
    const four = DEMO_CALIBRATION_POINTS.slice(0, 4);
    for (const [u, v] of four) {
      const box = (await page.locator('section.cam [data-role="overlay"]').boundingBox())!;
      await page.mouse.click(box.x + (u / 768) * box.width, box.y + (v / 576) * box.height);
    }
    expect(await card.locator('tbody tr').count()).toBe(4);
    // Check before typing the floor positions: the card asks for them.
    await card.locator('[data-action="calib-check"]').click();
    await expect.poll(() => card.locator('[data-role="calib-result"]').textContent()).toMatch(/Type x and y \(metres\) for point 1/);
    for (let k = 0; k < 4; k++) {
      await card.locator('[data-role="calib-x"]').nth(k).fill(String(four[k]![2]));
      await card.locator('[data-role="calib-y"]').nth(k).fill(String(four[k]![3]));
    }
    await card.locator('[data-action="calib-check"]').click();
    await expect.poll(() => card.locator('[data-role="calib-result"]').textContent(), { timeout: 5_000 }).toMatch(/^Fits: mean \d+\.\d px, worst \d+\.\d px at point \d/);
    expect(await page.locator('[data-role="calib-layer"] polyline.calib-grid').count()).toBeGreaterThan(5);
    expect(await page.locator('[data-role="calib-layer"] circle.calib-point').count()).toBe(4);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'calibration.png'), fullPage: true });
    // Placing points did not draw a line or zone in the geometry editor underneath.
    expect(await page.locator('[data-role="shapes"] li').count()).toBe(1 + 1);
    await card.locator('[data-action="calib-save"]').click();
    await expect.poll(() => card.locator('[data-role="calib-result"]').textContent(), { timeout: 5_000 }).toMatch(/^Saved 4 points\./);
    const yaml = parse(readFileSync(h.configFile, 'utf8')) as { cameras: Array<{ name: string; calibration?: { points: number[][] } }> };
    const saved = yaml.cameras.find((c) => c.name === 'entrance')!.calibration!.points;
    expect(saved).toHaveLength(4);
    // Clicks land within a pixel or two of where they were aimed (screen -> source pixels).
    saved.forEach((p, k) => {
      expect(Math.abs(p[0]! - four[k]![0])).toBeLessThan(2.5);
      expect(Math.abs(p[1]! - four[k]![1])).toBeLessThan(2.5);
      expect(p[2]).toBe(four[k]![2]);
    });
    expect(problems).toEqual([]);
  });
});
