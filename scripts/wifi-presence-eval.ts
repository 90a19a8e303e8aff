// Issue 19 evaluation: Wi-Fi presence per 10 minutes on the brno position-1 lab days against
// their occupancy labels (used only to score), with the floor learned from each capture, and an
// ablation (floor, fixed devices, randomized-MAC grouping); then the groupings on the polimi
// one-phone files (truth: 1 device) and on the simulated mall (truth per minute from the
// simulation). Run: npx tsx scripts/wifi-presence-eval.ts
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMall } from './synth-pcap/mall.ts';
import { parseOuiList, summarizeCapture, type SummaryOptions } from '../edge/wifi/index.ts';
import { occupancyBins, scorePresence } from '../edge/wifi/testing/brno-occupancy.ts';
import { PCAP_DIR } from '../edge/wifi/testing/fixtures.ts';

const BIN_MS = 600_000;
const PCS = parseOuiList(['dc:fb:48', '40:ec:99'], (m) => new Error(m));
const DAYS = ['2024-03-15', '2024-03-16'];

const variants: Array<[string, SummaryOptions]> = [
  ['no floor, naive addresses', { grouping: 'none' }],
  ['config floor -95 + chains estimator (before #19)', { minRssiDbm: -95, grouping: 'chains' }],
  ['learned floor, naive addresses', { calibrate: true, grouping: 'none' }],
  ['learned floor + chains estimator', { calibrate: true, grouping: 'chains' }],
  ['learned floor + fingerprint-level', { calibrate: true, grouping: 'fingerprint-level' }],
  ['learned floor + fixed, naive addresses', { calibrate: true, fixedMinHours: 6, grouping: 'none' }],
  ['learned floor + fixed + chains estimator', { calibrate: true, fixedMinHours: 6, grouping: 'chains' }],
  ['learned floor + fixed + fingerprint-level', { calibrate: true, fixedMinHours: 6, grouping: 'fingerprint-level' }],
  ['learned floor + auto', { calibrate: true, grouping: 'auto' }],
  ['learned floor + fixed + auto (default)', { calibrate: true, fixedMinHours: 6 }],
  ['no floor + fixed + auto', { fixedMinHours: 6 }],
  ['issue -70 floor (picked on labels) + fixed + auto', { minRssiDbm: -70, fixedMinHours: 6 }],
  ['fallback floor -78 (tuning day) + fixed + auto', { minRssiDbm: -78, fixedMinHours: 6 }],
];

for (const pcs of [false, true]) {
  console.log(`\n## ${pcs ? 'lab PCs excluded by vendor prefix (the issue\'s protocol)' : 'no flags at all (no vendor list)'}`);
  console.log('| variant | day | floor dBm | fixed | occupied ok | empty ok | share ok | occupied est. | empty est. |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, opt] of variants) {
    for (const day of DAYS) {
      const pcap = join(PCAP_DIR, `brno-sc6-61_${day}_pos1.pcap`);
      const s = summarizeCapture(pcap, Buffer.from('eval'), { presenceBinMs: BIN_MS, ignoreOuis: pcs ? PCS : undefined, ...opt });
      const sc = scorePresence(s.presence, occupancyBins(join(PCAP_DIR, `brno-sc6-61_${day}_pos1.csv`), BIN_MS));
      const r = (x: [number, number] | null) => (x ? `${x[0]}-${x[1]}` : '-');
      const fl = `${s.floor.floorDbm}${s.floor.source === 'learned' ? ' (learned)' : s.floor.source === 'default' ? ' (fallback)' : ''}`;
      console.log(`| ${name} | ${day.slice(5)} | ${fl} | ${s.fixedDevices} | ${sc.occupiedOk}/${sc.occupiedBins} | ${sc.emptyOk}/${sc.emptyBins} | ${(sc.okShare * 100).toFixed(1)}% | ${r(sc.occupiedRange)} | ${r(sc.emptyRange)} |`);
    }
  }
}

const GROUPINGS = ['auto', 'fingerprint-level', 'chains'] as const;

// The polimi one-phone files (tuning set): one device each; bins of 10 minutes with any near address.
console.log('\n## polimi one-phone files (--all-randomized; truth 1 device), 10-minute bins');
console.log('| grouping | bins with 1-2 devices | devices per bin |');
console.log('|---|---|---|');
const polimi = join(PCAP_DIR, 'polimi-probing-patterns');
for (const grouping of GROUPINGS) {
  let ok = 0;
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of readdirSync(polimi).sort()) {
    const s = summarizeCapture(join(polimi, f), Buffer.from('p'), { presenceBinMs: BIN_MS, calibrate: true, fixedMinHours: 6, allRandomized: true, grouping });
    for (const b of s.presence) {
      if (b.high === 0) continue;
      n++;
      if (b.devices >= 1 && b.devices <= 2) ok++;
      lo = Math.min(lo, b.devices);
      hi = Math.max(hi, b.devices);
    }
  }
  console.log(`| ${grouping} | ${ok}/${n} | ${lo}-${hi} |`);
}

// The simulated mall (scripts/synth-pcap/mall.ts): 20,000 frames over 15 minutes, one sensor,
// per-minute bins, no floor (its truth counts every device the sensor hears in a minute).
console.log('\n## simulated mall (20,000 frames, 15 min, 1 sensor; per-minute bins, no floor; seed 2 tuning, seed 5 validation)');
console.log('| seed | truth devices/min (mean) | every address | chains | fingerprint-level | auto | auto: dense fingerprints per bin |');
console.log('|---|---|---|---|---|---|---|');
for (const seed of [2, 5]) {
  const out = mkdtempSync(join(tmpdir(), 'footfall-mall-eval-'));
  try {
    const truth = generateMall({ frames: 20_000, sensors: 1, seed, startMs: Date.UTC(2026, 2, 14, 9), spanMs: 15 * 60_000, outDir: out });
    const t = (startMs: number) => truth.devicesPerMinute[Math.round((startMs - truth.startMs) / 60_000)] ?? 0;
    const mae = (bins: { startMs: number }[], f: (i: number) => number) => (bins.reduce((a, b, i) => a + Math.abs(f(i) - t(b.startMs)), 0) / bins.length).toFixed(1);
    const cells: string[] = [];
    let dense = '';
    let bins: { startMs: number; addresses: number }[] = [];
    for (const grouping of GROUPINGS) {
      const s = summarizeCapture(truth.files[0]!, Buffer.from('sim'), { presenceBinMs: 60_000, grouping });
      bins = s.presence;
      cells.push(mae(s.presence, (i) => s.presence[i]!.devices));
      if (grouping === 'auto') dense = `${Math.min(...s.presence.map((b) => b.denseFingerprints))}-${Math.max(...s.presence.map((b) => b.denseFingerprints))}`;
    }
    const truthMean = (bins.reduce((a, b) => a + t(b.startMs), 0) / bins.length).toFixed(0);
    console.log(`| ${seed} | ${truthMean} | ${mae(bins, (i) => bins[i]!.addresses)} | ${cells[2]} | ${cells[1]} | ${cells[0]} | ${dense} |`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
