// Issue 19 evaluation: Wi-Fi presence per 10 minutes on the brno position-1 lab days against
// their occupancy labels (used only to score), with the floor learned from each capture, and an
// ablation (floor, fixed devices, randomized-MAC grouping). Run: npx tsx scripts/wifi-presence-eval.ts
import { join } from 'node:path';
import { summarizeCapture, type SummaryOptions } from '../edge/wifi/capture-summary.ts';
import { parseOuiList } from '../edge/wifi/oui-filter.ts';
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
  ['learned floor + fingerprint-level', { calibrate: true }],
  ['learned floor + fixed, naive addresses', { calibrate: true, fixedMinHours: 6, grouping: 'none' }],
  ['learned floor + fixed + chains estimator', { calibrate: true, fixedMinHours: 6, grouping: 'chains' }],
  ['learned floor + fixed + fingerprint-level (default)', { calibrate: true, fixedMinHours: 6 }],
  ['no floor + fixed + fingerprint-level', { fixedMinHours: 6 }],
  ['issue -70 floor (picked on labels) + fixed + fingerprint-level', { minRssiDbm: -70, fixedMinHours: 6 }],
  ['fallback floor -78 (tuning day) + fixed + fingerprint-level', { minRssiDbm: -78, fixedMinHours: 6 }],
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
