// Writes docs/mqtt/schemas/*.schema.json from the zod contract:
// `npx tsx cloud-sync/contract/write-json-schemas.ts` after changing schemas.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { contractJsonSchemas } from './schemas.ts';

const dir = new URL('../../docs/mqtt/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [kind, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(new URL(`${kind}.schema.json`, dir), `${JSON.stringify(schema, null, 2)}\n`);
}
