// `--set key=value` options of the tuning scripts as a settings object (numbers and
// booleans parsed, anything else kept as text).
export function parseSettings(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`expected key=value, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, at);
    const v = pair.slice(at + 1);
    out[key] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}
