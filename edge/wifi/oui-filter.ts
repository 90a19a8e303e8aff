// Vendor-prefix (OUI) filter applied inside the parser's buffer, before hashing: fixed
// devices such as a site's own PCs or access points are dropped without their MAC ever
// being hashed or kept. Prefixes are configuration, not personal data.

/** Parses "dc:fb:48" / "DC-FB-48" / "dcfb48" into 24-bit numbers; `fail` builds the error for a bad one. */
export function parseOuiList(list: readonly string[], fail: (message: string) => Error): Set<number> {
  const out = new Set<number>();
  for (const raw of list) {
    const hex = raw.replace(/[:.-]/g, '');
    if (!/^[0-9a-fA-F]{6}$/.test(hex)) throw fail(`must be a 3-byte vendor prefix like "dc:fb:48", got ${JSON.stringify(raw)}`);
    out.add(parseInt(hex, 16));
  }
  return out;
}

/** True when the MAC at buf[off..off+6) starts with one of the prefixes. */
export function ouiMatches(ouis: ReadonlySet<number>, buf: Uint8Array, off: number): boolean {
  if (ouis.size === 0) return false;
  return ouis.has((buf[off]! << 16) | (buf[off + 1]! << 8) | buf[off + 2]!);
}
