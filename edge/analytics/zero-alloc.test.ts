import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./offline/alloc-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ProbeResult {
  frames: number;
  newSpaceGrowthBytes: number;
  gcs: number;
  trackUpdates: number;
  beyondHorizon: number;
}

async function probe(frames: number, mode: string): Promise<ProbeResult> {
  // A 64 MB young generation and no memory reducer: nothing collects during the measured
  // frames, so every byte allocated per frame shows up as new-space growth.
  const { stdout } = await run(process.execPath, ['--expose-gc', '--no-memory-reducer', '--max-semi-space-size=64', '--import', 'tsx', PROBE, String(frames), '24', mode], { cwd: ROOT, timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult;
}

describe('analytics on a calibrated camera allocates nothing more per frame than without one', () => {
  it('floor counting (foot points mapped, or the tracker floor positions) adds no young-generation growth over image counting', async () => {
    const image = await probe(50_000, 'image');
    // Image analytics itself leaves a few bytes per frame (about 0.3 MB over 50,000 frames):
    // the floor modes are measured against it. One boxed double per row would be ~19 MB.
    for (const mode of ['floor', 'tracker-floor']) {
      const r = await probe(50_000, mode);
      expect(r.trackUpdates, mode).toBe(70_000 * 24); // warm-up + measured frames, every row fed
      expect(r.beyondHorizon, mode).toBe(0);
      expect(r.gcs, mode).toBe(0);
      expect(r.newSpaceGrowthBytes, mode).toBeLessThan(image.newSpaceGrowthBytes + 64 * 1024);
    }
  }, 120_000);

  it('the probe does see an allocation of one small object per frame (control)', async () => {
    const image = await probe(20_000, 'image');
    const leak = await probe(20_000, 'leak');
    expect(leak.newSpaceGrowthBytes).toBeGreaterThan(image.newSpaceGrowthBytes + 200_000);
  }, 120_000);
});
