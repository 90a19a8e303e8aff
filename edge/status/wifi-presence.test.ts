// The status page's Wi-Fi presence: the brno lab day replayed through the real Wi-Fi stage
// into the real event store; the overview and /api/wifi's summary show the latest presence
// window with its low-high range.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.ts';
import { LocalZone } from '../shared/local-time.ts';
import { EventStore } from '../store/index.ts';
import { capture } from '../wifi/testing/fixtures.ts';
import { WifiStage } from '../wifi/index.ts';
import { summarizeDay, summarizeWifi } from './day-summary.ts';
import { overviewPage } from './pages.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Wi-Fi presence on the status page', () => {
  it('shows the latest window with its range, and nothing when no window closed lately', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-status-wifi-'));
    dirs.push(dir);
    const logger = pino({ level: 'silent' });
    const store = EventStore.open({ path: join(dir, 'events.db'), logger });
    await store.start();
    const config = validateConfig({
      wifi: { sensors: [{ name: 'lab', pcap: capture('brno-sc6-61_2024-03-15_pos1.pcap'), replaySpeed: 1_000_000, replayRestamp: false }], presence: { floor: 'fixed', floorDbm: -65 } },
    }).wifi;
    const stage = new WifiStage({ config, dataDir: dir, sink: store, logger });
    await stage.start();
    const t0 = Date.now();
    while ((stage.health().metrics?.frames as number) < 4926 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    await stage.stop();
    store.flush();
    const zone = LocalZone.fixed(0);
    // 14:05 UTC: the window 13:50-14:00, five people in the lab.
    const at = Date.parse('2024-03-15T14:05:00Z');
    const w = summarizeWifi(store, at, zone);
    expect(w.presenceNow).not.toBeNull();
    expect(w.presenceNow!.startMs).toBe(Date.parse('2024-03-15T13:50:00Z'));
    expect(w.presenceNow!.windowMs).toBe(600_000);
    expect(w.presenceNow!.low).toBeLessThanOrEqual(w.presenceNow!.devices);
    expect(w.presenceNow!.devices).toBeLessThanOrEqual(w.presenceNow!.high);
    expect(w.presenceNow!.devices).toBeGreaterThan(0);
    const page = overviewPage({ cameras: [], summary: summarizeDay(store, at, zone), wifi: w, csrfToken: 'x' });
    expect(page).toContain('Present, last 10 min');
    expect(page).toContain(`${w.presenceNow!.devices} <span class="muted small">(${w.presenceNow!.low}–${w.presenceNow!.high}`);
    // At night the lab is empty: the window exists and shows 0.
    expect(summarizeWifi(store, Date.parse('2024-03-15T21:05:00Z'), zone).presenceNow).toMatchObject({ devices: 0 });
    // Before the capture began: no window yet.
    const before = summarizeWifi(store, Date.parse('2024-03-15T11:00:00Z'), zone);
    expect(before.presenceNow).toBeNull();
    expect(overviewPage({ cameras: [], summary: summarizeDay(store, Date.parse('2024-03-15T11:00:00Z'), zone), wifi: before, csrfToken: 'x' })).toMatch(/Present, last 10 min<\/dt><dd>–/);
    store.close();
  });
});
