import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./eval/alloc-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ProbeResult {
  frames: number;
  newSpaceGrowthBytes: number;
  gcs: number;
  rows: number;
  predicted: number;
  counters: { frames: number };
}

async function probe(frames: number, people: number, mode = ''): Promise<ProbeResult> {
  // A 64 MB young generation and no memory reducer: nothing collects during the measured
  // frames, so every byte allocated per frame shows up as new-space growth.
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--no-memory-reducer', '--max-semi-space-size=64', '--import', 'tsx', PROBE, String(frames), String(people), mode],
    { cwd: ROOT, timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult;
}

describe('ByteTracker steady state allocates nothing', () => {
  it('tracks 100,000 frames of a moving crowd with no young-generation growth and no GC', async () => {
    const r = await probe(100_000, 24);
    expect(r.frames).toBe(100_000);
    expect(r.rows).toBeGreaterThan(100_000 * 12); // it really tracked people
    expect(r.gcs).toBe(0);
    // The measurement itself costs a few KB; one boxed double per frame would be ~1.6 MB.
    expect(r.newSpaceGrowthBytes).toBeLessThan(64 * 1024);
  });

  it('tracks on the floor (a calibrated camera) with no young-generation growth and no GC', async () => {
    const r = await probe(50_000, 24, 'floor');
    expect(r.rows).toBeGreaterThan(50_000 * 12);
    expect(r.gcs).toBe(0);
    expect(r.newSpaceGrowthBytes).toBeLessThan(64 * 1024);
  });

  it('sparse detection: the scheduler deciding and the tracker predicting allocate nothing either', async () => {
    const r = await probe(50_000, 24, 'sparse');
    expect(r.predicted).toBeGreaterThan(5_000); // it really predicted frames
    expect(r.rows).toBeGreaterThan(50_000 * 12);
    expect(r.gcs).toBe(0);
    expect(r.newSpaceGrowthBytes).toBeLessThan(64 * 1024);
  });

  it('the probe does see an allocation of one small object per frame (control)', async () => {
    const r = await probe(20_000, 24, 'leak');
    expect(r.newSpaceGrowthBytes).toBeGreaterThan(200_000);
  });
});
