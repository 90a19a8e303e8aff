// The operator's path through the real agent: `footfall run` on the demo camera (real
// ffmpeg, ONNX model, tracker, analytics, SQLite), Debian's chromium through
// playwright-core: log in with the password printed at first start, see the live
// snapshot with boxes, draw a counting line in the editor, save, and see people counted
// on it without a restart. Screenshots go to test-artifacts/agent/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_VIDEO_PATH } from './camera/index.ts';
import { freePort, waitFor } from './shared/test-support/net.ts';

const BIN = fileURLToPath(new URL('../bin/footfall.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/agent/', import.meta.url));

describe('the status page of a running agent, in a real browser', () => {
  it('logs in, shows the demo camera live, and counts on a line drawn in the editor', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    expect(existsSync(DEMO_VIDEO_PATH), `${DEMO_VIDEO_PATH} is missing: apt-get install -y opencv-doc`).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'footfall-agent-ui-'));
    const configFile = join(dir, 'footfall.yaml');
    const statusPort = await freePort();
    writeFileSync(
      configFile,
      `# written by the browser test\nmqtt:\n  embedded:\n    port: ${await freePort()}\nstatus:\n  host: 127.0.0.1\n  port: ${statusPort}\n  snapshotIntervalMs: 300\n`,
    );
    let log = '';
    const child: ChildProcess = spawn(process.execPath, [BIN, 'run', '--config', configFile], {
      cwd: dir,
      env: { ...process.env, FOOTFALL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const profile = mkdtempSync(join(tmpdir(), 'footfall-chromium-'));
    let ctx: BrowserContext | null = null;
    const problems: string[] = [];
    try {
      await waitFor('the agent to run', () => log.includes('footfall agent running') || child.exitCode !== null, 60_000);
      const password = /"password":"([^"]+)"/.exec(log)?.[1];
      expect(password, 'first start prints the generated password').toBeTruthy();
      const base = `http://127.0.0.1:${statusPort}`;

      ctx = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        viewport: { width: 1280, height: 900 },
      });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('pageerror', (e) => problems.push(e.message));

      // Log in; the overview shows the demo camera live with the tracker's boxes.
      await page.goto(`${base}/`);
      await page.fill('input[name="password"]', password!);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
      const cam = page.locator('section.cam[data-camera="demo"]');
      await page.locator('section.cam[data-camera="demo"][data-snapshot-loaded]').waitFor({ timeout: 30_000 });
      await expect.poll(async () => Number(await cam.getAttribute('data-tracks')), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await cam.locator('g[data-role="live"] rect.trk').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });

      // Draw a vertical line across the plaza, where people walk, and save it.
      await page.goto(`${base}/editor?camera=demo`);
      const svg = page.locator('svg[data-role="overlay"]');
      await expect.poll(() => svg.getAttribute('viewBox'), { timeout: 15_000 }).toBe('0 0 768 576');
      // Draw only once the snapshot is in, so the overlay has its final size.
      await expect.poll(() => page.evaluate("document.querySelector('img[data-role=snapshot]').naturalWidth"), { timeout: 15_000 }).toBe(768);
      const linesBefore = await page.locator('input[data-kind="line"]').count();
      await page.click('button[data-tool="line"]');
      // Clicking the tool may scroll the page; measure the overlay where it is now, on screen.
      await svg.scrollIntoViewIfNeeded();
      const box = (await svg.boundingBox())!;
      expect(box.y + box.height * 0.6).toBeLessThan(page.viewportSize()!.height);
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.45, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
      await page.mouse.up();
      await expect.poll(() => page.locator('input[data-kind="line"]').count()).toBe(linesBefore + 1);
      await page.locator('input[data-kind="line"]').last().fill('drawn-line');
      await page.click('button[data-action="save"]');
      await expect.poll(() => page.locator('[data-role="status"]').textContent(), { timeout: 15_000 }).toBe('Saved and applied');
      await page.screenshot({ path: join(ARTIFACTS, 'editor.png'), fullPage: true });
      const yaml = readFileSync(configFile, 'utf8');
      expect(yaml).toContain('# written by the browser test');
      // The saved line is the one drawn (x = 0.6 * 768, y from 0.3 to 0.6 of 576); the demo's own lines are kept.
      const drawn = /- name: drawn-line\s+points:\s+- \[ ([\d.]+), ([\d.]+) \]\s+- \[ ([\d.]+), ([\d.]+) \]/.exec(yaml);
      expect(drawn, yaml).not.toBeNull();
      const [ax, ay, bx, by] = drawn!.slice(1).map(Number);
      expect(ax).toBeCloseTo(461, -1);
      expect(bx).toBeCloseTo(461, -1);
      expect(ay).toBeCloseTo(173, -1);
      expect(by).toBeCloseTo(346, -1);
      for (const name of ['west-path', 'plaza', 'east-road']) expect(yaml).toContain(`name: ${name}`);
      expect(log).toContain('config applied without restart');

      // People walking through the plaza are counted on the new line, live.
      await page.goto(`${base}/`);
      const line = page.locator('g.cline[data-line="drawn-line"]');
      const total = async () => Number(await line.locator('[data-role="in"]').textContent()) + Number(await line.locator('[data-role="out"]').textContent());
      await expect.poll(total, { timeout: 150_000, interval: 1_000 }).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'counted.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await ctx?.close();
      rmSync(profile, { recursive: true, force: true });
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 300_000);
});
