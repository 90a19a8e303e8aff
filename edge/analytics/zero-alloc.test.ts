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

/**
 * Young-generation bytes per frame: the growth between a short and a long run of one mode.
 * What a run allocates once (compiled code, inline caches: 0.4 MB, varying by +-50 kB with
 * when the JIT runs, which a loaded machine shifts) cancels; what each frame allocates remains.
 */
async function bytesPerFrame(mode: string): Promise<{ perFrame: number; short: ProbeResult; long: ProbeResult }> {
  const short = await probe(20_000, mode);
  const long = await probe(80_000, mode);
  return { perFrame: (long.newSpaceGrowthBytes - short.newSpaceGrowthBytes) / 60_000, short, long };
}

describe('analytics on a calibrated camera allocates nothing more per frame than without one', () => {
  it('floor counting (foot points mapped, or the tracker floor positions) adds under 3 bytes per frame of 24 rows over image counting', async () => {
    // Image analytics itself leaves about 8 bytes per frame (the probe's frame-time stores and
    // small bookkeeping; measured 7.8-7.9): the floor modes are measured against it. One boxed
    // double per row would be ~384 bytes per frame more, one small object per frame ~16-40.
    const image = await bytesPerFrame('image');
    expect(image.perFrame).toBeLessThan(16);
    for (const mode of ['floor', 'tracker-floor']) {
      const r = await bytesPerFrame(mode);
      expect(r.long.trackUpdates, mode).toBe(100_000 * 24); // warm-up + measured frames, every row fed
      expect(r.long.beyondHorizon, mode).toBe(0);
      expect(r.long.gcs, mode).toBe(0);
      expect(r.perFrame, mode).toBeLessThan(image.perFrame + 3);
    }
  }, 120_000);

  it('the probe does see an allocation of one small object per frame (control)', async () => {
    const image = await bytesPerFrame('image');
    const leak = await bytesPerFrame('leak');
    expect(leak.long.gcs).toBe(0);
    expect(leak.perFrame).toBeGreaterThan(image.perFrame + 10);
  }, 120_000);
});
