// The synthetic mall writes valid radiotap captures whose content matches its truth file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFileReader, MacHasher, ParseStatus, ProbeRequestParser } from '../../edge/wifi/index.ts';
import { generateMall } from './mall.ts';

describe('generateMall', () => {
  it('writes one parseable capture per sensor matching the truth, reproducibly', () => {
    const out = mkdtempSync(join(tmpdir(), 'footfall-mall-'));
    try {
      const opts = { frames: 3_000, sensors: 2, seed: 9, startMs: Date.UTC(2026, 2, 14, 9), spanMs: 10 * 60_000, outDir: out };
      const truth = generateMall(opts);
      expect(truth.frames).toBe(3_000);
      const hasher = new MacHasher(Buffer.from('t'));
      const addresses = new Set<string>();
      let randomized = 0;
      let total = 0;
      for (const [i, file] of truth.files.entries()) {
        const r = CaptureFileReader.open(file);
        const p = new ProbeRequestParser();
        let last = -Infinity;
        while (r.next()) {
          expect(p.parse(r.buffer, r.dataOffset, r.capturedLength, r.linkType)).toBe(ParseStatus.Probe);
          expect(r.tsMs).toBeGreaterThanOrEqual(last);
          last = r.tsMs;
          expect(p.rssiDbm).toBeLessThan(-9);
          expect([2412, 2437, 2462]).toContain(p.channelMhz);
          hasher.hashAt(r.buffer, p.macOffset);
          const h = hasher.hex();
          if (!addresses.has(h) && p.randomized) randomized++;
          addresses.add(h);
        }
        expect(r.records).toBe(truth.framesPerSensor[`sensor-${i + 1}`]);
        total += r.records;
      }
      expect(total).toBe(3_000);
      expect(addresses.size).toBe(truth.addresses);
      expect(randomized).toBe(truth.randomizedAddresses);
      expect(truth.devicesPerMinute.some((n) => n > 0)).toBe(true);
      // Same seed, same bytes.
      const again = generateMall({ ...opts, outDir: join(out, 'again') });
      expect(readFileSync(again.files[0]!).equals(readFileSync(truth.files[0]!))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
