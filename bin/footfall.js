#!/usr/bin/env node
// Entry point installed as `footfall`: registers the tsx loader so the TypeScript
// sources run as they are (no build step), then hands over to the CLI dispatcher.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../edge/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
