// The randomized-MAC estimator on data with known truth: one phone per polimi capture
// (truth 1 each) and a simulated mall (scripts/synth-pcap) whose truth file says how many
// devices were present each minute.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMall } from '../../scripts/synth-pcap/mall.ts';
import { summarizeCapture } from './capture-summary.ts';
import { capture } from './testing/fixtures.ts';

describe('randomized-MAC estimator against known truth', () => {
  it('counts far fewer devices than addresses on the one-phone polimi captures', () => {
    const dir = capture('polimi-probing-patterns');
    let naiveErr = 0;
    let estErr = 0;
    const perFile: Record<string, [number, number]> = {};
    for (const f of readdirSync(dir).sort()) {
      // The anonymisation scrambled the LA bits of these files: treat every address as randomized.
      const s = summarizeCapture(join(dir, f), Buffer.from('polimi'), { allRandomized: true });
      perFile[f.split('_')[0]!] = [s.addresses, s.estimatedDevices];
      naiveErr += s.addresses - 1;
      estErr += Math.abs(s.estimatedDevices - 1);
    }
    expect(Object.keys(perFile).length).toBe(11);
    expect(perFile['iPhone12Pro-C']).toEqual([1, 1]);
    expect(perFile['iPhone11-B']![0]).toBe(465);
    expect(perFile['iPhone11-B']![1]).toBeLessThan(60);
    expect(estErr).toBeLessThan(naiveErr / 4);
  });

  it('follows the per-minute truth of a simulated mall better than the naive count', () => {
    const out = mkdtempSync(join(tmpdir(), 'footfall-sim-'));
    try {
      const truth = generateMall({ frames: 20_000, sensors: 1, seed: 5, startMs: Date.UTC(2026, 2, 14, 9), spanMs: 15 * 60_000, outDir: out });
      const s = summarizeCapture(truth.files[0]!, Buffer.from('sim'), { presenceBinMs: 60_000, grouping: 'chains' });
      let naive = 0;
      let est = 0;
      for (const b of s.presence) {
        const t = truth.devicesPerMinute[Math.round((b.startMs - truth.startMs) / 60_000)] ?? 0;
        naive += Math.abs(b.addresses - t);
        est += Math.abs(b.devices - t);
      }
      expect(s.addresses).toBe(truth.addresses);
      expect(est).toBeLessThan(naive / 2);
      expect(Math.abs(s.estimatedDevices - truth.devices)).toBeLessThan(Math.abs(s.addresses - truth.devices));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
