// Test helper: where the shared real captures are (../shared/fixtures/pcap beside the repo).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PCAP_DIR = fileURLToPath(new URL('../../../../shared/fixtures/pcap/', import.meta.url));

/** Every capture file under the shared pcap folder, sorted. */
export function allCaptures(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|cap|pcapng)$/.test(f)) out.push(p);
    }
  };
  walk(PCAP_DIR);
  return out.sort();
}

export function capture(name: string): string {
  return join(PCAP_DIR, name);
}
