// Issue 19 evaluation: Wi-Fi presence per 10 minutes on the brno position-1 lab days against
// their occupancy labels (used only to score), with the floor learned from each capture, and an
// ablation (floor, fixed devices, randomized-MAC estimator). Run: npx tsx scripts/wifi-presence-eval.ts
import { join } from 'node:path';
import { summarizeCapture, type SummaryOptions } from '../edge/wifi/capture-summary.ts';
import { parseOuiList } from '../edge/wifi/oui-filter.ts';
import { occupancyBins, scorePresence } from '../edge/wifi/testing/brno-occupancy.ts';
import { PCAP_DIR } from '../edge/wifi/testing/fixtures.ts';

const BIN_MS = 600_000;
const PCS = parseOuiList(['dc:fb:48', '40:ec:99'], (m) => new Error(m));
const DAYS = ['2024-03-15', '2024-03-16'];

const variants: Array<[string, SummaryOptions]> = [
  ['no floor, no fixed, naive addresses', { calibrate: false, useEstimator: false }],
  ['no floor + estimator', { calibrate: false }],
  ['default floor -95 (config minRssiDbm) + estimator', { minRssiDbm: -95 }],
  ['learned floor, naive addresses', { calibrate: true, useEstimator: false }],
  ['learned floor + estimator', { calibrate: true }],
  ['learned floor + fixed + naive', { calibrate: true, fixedMinHours: 6, useEstimator: false }],
  ['learned floor + fixed + estimator (default)', { calibrate: true, fixedMinHours: 6 }],
  ['issue -70 floor (picked on labels) + fixed + estimator', { minRssiDbm: -70, fixedMinHours: 6 }],
  ['default floor -83 (tuning day) + fixed + estimator', { minRssiDbm: -83, fixedMinHours: 6 }],
];

for (const pcs of [true, false]) {
  console.log(`\n## ${pcs ? 'lab PCs excluded by vendor prefix (installer list, as in the issue)' : 'no vendor list (no flags at all)'}`);
  console.log('| variant | day | floor dBm | fixed | occupied ok | empty ok | share ok | occupied est. range | empty est. range | occ. in low-high |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, opt] of variants) {
    for (const day of DAYS) {
      const pcap = join(PCAP_DIR, `brno-sc6-61_${day}_pos1.pcap`);
      const s = summarizeCapture(pcap, Buffer.from('eval'), { presenceBinMs: BIN_MS, ignoreOuis: pcs ? PCS : undefined, ...opt });
      const sc = scorePresence(s.presence, occupancyBins(join(PCAP_DIR, `brno-sc6-61_${day}_pos1.csv`), BIN_MS));
      const r = (x: [number, number] | null) => (x ? `${x[0]}-${x[1]}` : '-');
      const fl = `${s.floor.floorDbm}${s.floor.source === 'learned' ? ' (learned)' : s.floor.source === 'default' ? ' (fallback)' : ''}`;
      console.log(`| ${name} | ${day.slice(5)} | ${fl} | ${s.fixedDevices} | ${sc.occupiedOk}/${sc.occupiedBins} | ${sc.emptyOk}/${sc.emptyBins} | ${(sc.okShare * 100).toFixed(1)}% | ${r(sc.occupiedRange)} | ${r(sc.emptyRange)} | ${sc.occupiedInRange}/${sc.occupiedBins} |`);
      if (process.env.VERBOSE && name.includes('(default)')) console.log(s.floor, s.presence.slice(0, 40).map((b) => `${new Date(b.startMs).toISOString().slice(11, 16)} ${b.devices} ${b.low}-${b.high} fx${b.fixedExcluded}`).join('\n'));
    }
  }
}
